import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { killAll, run, sleep, subscribed, until } from "./helpers/procs.js";
import { BASE, as, startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * The broker process dies (kill -9, as a crash in aedes would) and the supervisor restarts it: retained
 * messages and persistent QoS 1 sessions come back from the state file, the gateway's client reconnects
 * and republishes its state, and requests are answered again. Then a full gateway restart on the same
 * state directory.
 */
let dir: string;
let t: TestGateway;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-restart-"));
  t = await startTestGateway({ dir, broker: { stateDir: join(dir, "state"), restartBaseMs: 100, restartCapMs: 500 } });
}, 20_000);
afterAll(async () => {
  await t?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

async function persistentSubscriberOffline(clientId: string, topic: string): Promise<void> {
  const s = await subscribed(as("flooder", t.port, ["-t", topic, "-q", "1", "-c", "-i", clientId]));
  await s.kill("SIGTERM"); // clean DISCONNECT, session kept (clean session off)
}

describe("broker process restart", () => {
  it("restarts after kill -9 and keeps retained messages and queued QoS 1 messages of persistent sessions", async () => {
    await persistentSubscriberOffline("site-display", "flood/persist/#");
    expect((await run("mosquitto_pub", as("flooder", t.port, ["-t", "flood/persist/state", "-m", "kept", "-r", "-q", "1"]))).code).toBe(0);
    expect((await run("mosquitto_pub", as("flooder", t.port, ["-t", "flood/persist/event", "-m", "queued-1", "-q", "1"]))).code).toBe(0);
    t.gw.links.set("radio-1", "ready", "before crash");
    await sleep(300); // the state file is flushed ≤ 50 ms after a change

    const oldPid = t.gw.broker.pid!;
    const restarts = t.gw.broker.restarts;
    process.kill(oldPid, "SIGKILL");
    await until(() => t.gw.broker.restarts > restarts && t.gw.broker.pid !== oldPid, 5000, "broker restarted");
    await until(async () => (await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/bridge/state`, "-C", "1", "-W", "1"]))).code === 0, 10_000, "broker serving again");

    const back = await run("mosquitto_sub", as("flooder", t.port, ["-t", "flood/persist/#", "-q", "1", "-c", "-i", "site-display", "-C", "2", "-W", "5", "-v"]));
    expect(back.stdout.trim().split("\n").sort()).toEqual(["flood/persist/event queued-1", "flood/persist/state kept"]);
    const link = await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/links/radio-1`, "-C", "1", "-W", "3"]));
    expect(JSON.parse(link.stdout)).toMatchObject({ state: "ready", detail: "before crash" });
  }, 30_000);

  it("answers requests again after the restart", async () => {
    const r = await subscribed(as("county-board", t.port, ["-t", `${BASE}/bridge/response/health`]));
    // The gateway's own client reconnects to the new broker process on its own schedule; a request sent
    // before it has subscribed again reaches nobody (as for any MQTT client), so the caller asks again.
    await until(
      async () => {
        await run("mosquitto_pub", as("county-board", t.port, ["-t", `${BASE}/bridge/request/health`, "-m", '{"transaction":"after"}', "-q", "1"]));
        await sleep(500);
        return r.lines.length > 0;
      },
      15_000,
      "a health response",
    );
    const [line] = r.lines;
    expect(JSON.parse(line ?? "")).toMatchObject({ transaction: "after", status: "ok", data: { broker: { restarts: 1 } } });
  });

  it("a retained alert document cleared while the broker is down is cleared once it is back", async () => {
    await t.gw.bus.publishAlertState("gone-1", { id: "gone-1", state: "cancelled" });
    const before = await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/alerts/gone-1`, "-C", "1", "-W", "3"]));
    expect(JSON.parse(before.stdout)).toMatchObject({ id: "gone-1" });
    await sleep(300); // flushed to the state file, so the restarted broker has it again
    const oldPid = t.gw.broker.pid!;
    process.kill(oldPid, "SIGKILL");
    const client = (t.gw.bus as unknown as { client?: { connected: boolean } }).client;
    await until(() => client?.connected === false, 5000, "the gateway's client saw the broker go");
    await t.gw.bus.clearAlertState("gone-1");
    await until(async () => (await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/bridge/state`, "-C", "1", "-W", "1"]))).code === 0, 10_000, "broker serving again");
    await until(async () => (await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/alerts/gone-1`, "-C", "1", "-W", "1"]))).stdout === "", 5000, "the document cleared");
  }, 30_000);

  it("keeps retained state across a full gateway stop and start on the same state directory", async () => {
    expect((await run("mosquitto_pub", as("flooder", t.port, ["-t", "flood/persist/state", "-m", "kept-2", "-r", "-q", "1"]))).code).toBe(0);
    await t.stop();
    t = await startTestGateway({ dir, broker: { stateDir: join(dir, "state") } });
    const r = await run("mosquitto_sub", as("flooder", t.port, ["-t", "flood/persist/state", "-C", "1", "-W", "3"]));
    expect(r.stdout.trim()).toBe("kept-2");
  }, 30_000);
});
