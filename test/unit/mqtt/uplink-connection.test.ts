import { EventEmitter } from "node:events";
import type { IClientOptions, MqttClient } from "mqtt";
import sinon from "sinon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UplinkConnection, safeUrl, type UplinkStatus } from "../../../adapters/mqtt/uplink/uplink-connection.js";
import { silentLogger } from "../../../src/shared/logger.js";

/** A stand-in for mqtt.js' client: the test decides when CONNACK and other packets "arrive". */
class FakeClient extends EventEmitter {
  ended = false;
  constructor(
    readonly url: string,
    readonly opts: IClientOptions,
  ) {
    super();
  }
  end(): this {
    this.ended = true;
    return this;
  }
  endAsync(): Promise<void> {
    this.ended = true;
    return Promise.resolve();
  }
}

let clock: sinon.SinonFakeTimers;
beforeEach(() => (clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance"] })));
afterEach(() => clock.restore());

function setup(urls = ["mqtts://a.example:8883", "mqtts://b.example:8883"]) {
  const clients: FakeClient[] = [];
  const statuses: UplinkStatus[] = [];
  const conn = new UplinkConnection({
    urls,
    clientId: "gw-1",
    protocolVersion: 4,
    keepaliveSec: 3,
    deadAfterMs: 4000,
    connectTimeoutMs: 4000,
    backoffBaseMs: 500,
    backoffCapMs: 30_000,
    will: { topic: "region/site1/bridge/state", payload: Buffer.from("{}"), qos: 1, retain: true },
    log: silentLogger(),
    connect: (url, opts) => {
      const c = new FakeClient(url, opts);
      clients.push(c);
      return c as unknown as MqttClient;
    },
  });
  conn.on("status", (s) => statuses.push(s));
  return { conn, clients, statuses };
}

describe("UplinkConnection", () => {
  it("connects with safe options: verified TLS, our keepalive, no mqtt.js reconnect, persistent session, will", () => {
    const { conn, clients } = setup();
    conn.start();
    expect(clients[0]?.opts).toMatchObject({ rejectUnauthorized: true, keepalive: 3, reschedulePings: false, reconnectPeriod: 0, clean: false, clientId: "gw-1", will: { topic: "region/site1/bridge/state", retain: true } });
    void conn.stop();
  });

  it("declares a silent broker unresponsive within 5 s and moves on to the next URL", async () => {
    const { conn, clients, statuses } = setup();
    conn.start();
    clients[0]?.emit("connect");
    expect(statuses.at(-1)?.state).toBe("ready");
    await clock.tickAsync(3000);
    clients[0]?.emit("packetreceive", { cmd: "pingresp" });
    await clock.tickAsync(4000); // still within deadAfter of the pingresp
    expect(statuses.at(-1)?.state).toBe("ready");
    await clock.tickAsync(300);
    expect(statuses.at(-1)).toMatchObject({ state: "unresponsive" });
    expect(statuses.at(-1)?.detail).toMatch(/no answer from the broker for 4\d\d\d ms/);
    expect(clients[0]?.ended).toBe(true);
    await clock.tickAsync(1000); // first retry delay ≤ base (500 ms) with jitter
    expect(clients[1]?.url).toBe("mqtts://b.example:8883");
    await conn.stop();
  });

  it("becomes disconnected after three failed rounds over all URLs, with growing delays", async () => {
    const { conn, clients, statuses } = setup();
    conn.start();
    for (let i = 0; i < 6; i++) {
      clients[i]?.emit("error", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
      await clock.tickAsync(60_000);
    }
    expect(statuses.map((s) => s.state)).toContain("unresponsive");
    expect(statuses.at(-1)?.state).toBe("disconnected");
    expect(new Set(clients.map((c) => c.url)).size).toBe(2);
    await conn.stop();
    expect(statuses.at(-1)).toEqual({ state: "disconnected", detail: "stopped" });
  });

  it("retries a broker that refused our credentials (CONNACK 5) at the slow end of its backoff, not from the start (#32)", async () => {
    const random = sinon.stub(Math, "random").returns(0.99);
    try {
      const { conn, clients, statuses } = setup();
      conn.start();
      // A refused connection is retried within the base delay (0.99 × 500 ms)...
      clients[0]?.emit("error", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
      await clock.tickAsync(600);
      expect(clients).toHaveLength(2);
      // ...a refusal of our credentials only near the cap (0.99 × 30 s): a rotated password is not hammered.
      clients[1]?.emit("error", Object.assign(new Error("Connection refused: Not authorized"), { code: 5 }));
      expect(statuses.at(-1)?.detail).toMatch(/Not authorized/);
      await clock.tickAsync(29_000);
      expect(clients).toHaveLength(2);
      await clock.tickAsync(1000);
      expect(clients).toHaveLength(3);
      await conn.stop();
    } finally {
      random.restore();
    }
  });

  it("never puts credentials in a status or log URL", () => {
    expect(safeUrl("mqtts://gw:hunter2@broker.region:8883")).toBe("mqtts://broker.region:8883");
  });
});
