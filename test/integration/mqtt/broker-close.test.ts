import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { startBrokerServer, type RunningBroker } from "../../../adapters/mqtt/broker/broker-server.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { BASE, USERS, testConfig, writeAuthFiles } from "./helpers/test-gateway.js";

/**
 * A stopping broker delivers what it has acknowledged. aedes PUBACKs a QoS 1 publish before it delivers it,
 * a turn of the event loop later; a broker that dropped its connections the moment it was told to stop lost
 * such messages (the daemon's retained `bridge/state` `offline`, published just before it stops the broker,
 * now and then never reached a subscriber). The broker runs in this process, so `close()` is called in the
 * very turn the PUBACK is read, before aedes' delivery turn.
 */
let dir: string;
let broker: RunningBroker | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true);
  await broker?.close();
  broker = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<number> {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-broker-close-"));
  await writeAuthFiles(dir);
  broker = await startBrokerServer({ broker: testConfig(dir, {}).broker, baseTopic: BASE, brokerId: "close-test", internal: { host: "127.0.0.1", port: 0, password: "internal" } }, silentLogger());
  return broker.ports["tcp-0"] ?? 0;
}

async function client(port: number, clientId: string): Promise<MqttClient> {
  const c = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId, username: "flooder", password: USERS["flooder"], reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

describe("broker close", () => {
  it("delivers the publishes it acknowledged before it closes the subscribers' connections", async () => {
    const port = await start();
    const sub = await client(port, "subscriber");
    const got: string[] = [];
    sub.on("message", (_t, payload) => got.push(payload.toString()));
    const subscriberClosed = new Promise<void>((r) => sub.once("close", () => r()));
    await sub.subscribeAsync("flood/#", { qos: 1 });

    const pub = await client(port, "publisher");
    const N = 20;
    let acked = 0;
    let closing: Promise<void> | undefined;
    pub.on("packetreceive", (p) => {
      // Stop the broker in the very turn the last PUBACK is read, as the daemon does after its `offline`.
      if (p.cmd === "puback" && ++acked === N) closing = broker?.close();
    });
    for (let i = 0; i < N; i++) pub.publish(`flood/state`, `m${i}`, { qos: 1, retain: i === N - 1 });
    await subscriberClosed;
    await closing;
    broker = undefined;
    expect(acked).toBe(N);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => `m${i}`));
  });
});
