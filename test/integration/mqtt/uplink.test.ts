import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOURNAL_FILE, type DroppedReport } from "../../../adapters/mqtt/uplink/durable-queue.js";
import { startMosquitto, type Mosquitto } from "./helpers/mosquitto.js";
import { runFixture } from "./helpers/node-script.js";
import { freePort, killAll, run, sleep, subscribed, until } from "./helpers/procs.js";
import { BASE, USERS, as, startTestGateway, testConfig, type TestGateway } from "./helpers/test-gateway.js";

/**
 * The regional uplink against a real Mosquitto: bridging both ways with loop prevention, this gateway's
 * state and last will upstream, an outage with the durable queue drained in order, a silent broker
 * (SIGSTOP) flagged and recovered from, a broker that accepts TCP but never speaks MQTT, and the queue cap.
 */
const REMOTE = "region/north/site1";
let dir: string;
let mosq: Mosquitto;
let t: TestGateway;

const rules = [
  { direction: "out", topic: "seq/#", localPrefix: "flood/", remotePrefix: `${REMOTE}/dev/` },
  { direction: "in", topic: "#", localPrefix: `${BASE}/inbound/`, remotePrefix: "region/north/broadcast/" },
  { direction: "both", topic: "shared/#", localPrefix: "flood/", remotePrefix: "region/north/" },
];
const uplinkCfg = (urls: string[], extra: Record<string, unknown> = {}) => ({ urls, remoteBase: REMOTE, bridge: rules, queueDir: join(dir, `queue-${Math.random()}`), backoffBaseMs: 100, backoffCapMs: 500, connectTimeoutMs: 1000, ...extra });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-uplink-"));
  mosq = await startMosquitto(join(dir, "mosq"), { persistence: true });
  t = await startTestGateway({ uplink: uplinkCfg([mosq.url]) });
  await until(() => t.gw.links.get("upstream")?.state === "ready", 10_000, "uplink ready");
}, 30_000);
afterAll(async () => {
  await t?.stop();
  await mosq?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => killAll());

const remoteSub = (topic: string) => subscribed(["-h", "127.0.0.1", "-p", String(mosq.port), "-t", topic, "-v", "-q", "1"]);
const localPub = (topic: string, msg: string) => run("mosquitto_pub", as("flooder", t.port, ["-t", topic, "-m", msg, "-q", "1"]));

describe("bridging", () => {
  it("publishes this gateway's state upstream, retained under its remote base", async () => {
    t.gw.links.set("radio-1", "ready", "registered");
    const r = await remoteSub(`${REMOTE}/#`);
    await r.waitFor((l) => l.some((x) => x.startsWith(`${REMOTE}/links/radio-1 `)) && l.some((x) => x.startsWith(`${REMOTE}/bridge/state {"state":"online"`)), 5000, "state upstream");
    expect(r.lines.find((l) => l.startsWith(`${REMOTE}/links/upstream `))).toMatch(/"state":"ready"/);
  });

  it("sends local device messages out and remote broadcasts in, with prefix mapping", async () => {
    const up = await remoteSub(`${REMOTE}/dev/#`);
    const down = await subscribed(as("county-board", t.port, ["-t", `${BASE}/inbound/#`, "-v"]));
    await localPub("flood/seq/a", "hello-up");
    await up.waitFor((l) => l.includes(`${REMOTE}/dev/seq/a hello-up`), 5000, "message upstream");
    await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(mosq.port), "-t", "region/north/broadcast/fire", "-m", "hello-down", "-q", "1"]);
    await down.waitFor((l) => l.includes(`${BASE}/inbound/fire hello-down`), 5000, "message downstream");
    expect(up.lines.filter((l) => l.startsWith(`${REMOTE}/dev/`))).toEqual([`${REMOTE}/dev/seq/a hello-up`]); // mapped once, nothing else
    expect(down.lines).toEqual([`${BASE}/inbound/fire hello-down`]);
  });

  it("does not loop messages on a `both` rule", async () => {
    const remote = await remoteSub("region/north/shared/#");
    const local = await subscribed(as("flooder", t.port, ["-t", "flood/shared/#", "-v"]));
    await localPub("flood/shared/a", "from-local");
    await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(mosq.port), "-t", "region/north/shared/b", "-m", "from-remote", "-q", "1"]);
    const both = (l: string[], a: string, b: string): boolean => l.includes(a) && l.includes(b);
    await remote.waitFor((l) => both(l, "region/north/shared/a from-local", "region/north/shared/b from-remote"), 5000, "both messages upstream");
    await local.waitFor((l) => both(l, "flood/shared/a from-local", "flood/shared/b from-remote"), 5000, "both messages locally");
    await sleep(1000); // the window a looped copy would arrive in: one more round trip through both brokers
    expect(remote.lines.filter((l) => l === "region/north/shared/a from-local")).toHaveLength(1);
    expect(remote.lines.filter((l) => l === "region/north/shared/b from-remote")).toHaveLength(1);
    expect(local.lines.filter((l) => l === "flood/shared/a from-local")).toHaveLength(1);
    expect(local.lines.filter((l) => l === "flood/shared/b from-remote")).toHaveLength(1);
  });
});

describe("outages", () => {
  it("queues while the regional broker is stopped and drains in order, losing nothing, after it returns", async () => {
    const sub: MqttClient = await connectAsync(mosq.url, { clientId: "region-consumer", clean: false, reconnectPeriod: 200 });
    await sub.subscribeAsync(`${REMOTE}/dev/seq/order`, { qos: 1 });
    const got: number[] = [];
    sub.on("message", (_t, p) => got.push(Number(p.toString())));
    await mosq.stop();
    await until(() => t.gw.links.get("upstream")?.state !== "ready", 5000, "upstream down");
    const pub: MqttClient = await connectAsync({ host: "127.0.0.1", port: t.port, username: "flooder", password: USERS["flooder"]!, clientId: "seq-pub" });
    for (let i = 1; i <= 200; i++) await pub.publishAsync("flood/seq/order", String(i), { qos: 1 });
    await pub.endAsync();
    await until(() => (t.gw.uplink?.queued ?? 0) >= 200, 5000, "200 queued");
    await mosq.start();
    await until(() => new Set(got).size >= 200, 15_000, "all 200 delivered");
    const firstSeen = got.filter((v, i) => got.indexOf(v) === i); // at-least-once: duplicates allowed, order not broken
    expect(firstSeen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await until(() => t.gw.uplink?.queued === 0, 5000, "queue empty");
    sub.end(true);
  }, 40_000);

  it("sends only the newest version of its retained state after an outage, not every version it went through", async () => {
    await mosq.stop();
    await until(() => t.gw.links.get("upstream")?.state !== "ready", 5000, "upstream down");
    const before = t.gw.uplink?.queued ?? 0;
    for (let i = 1; i <= 50; i++) t.gw.links.set("radio-7", i % 2 === 0 ? "ready" : "degraded", `version ${i}`);
    await sleep(300);
    // 50 changes of one retained topic wait upstream as one message (the link documents it also touched:
    // at most a few more), not 50.
    expect((t.gw.uplink?.queued ?? 0) - before).toBeLessThanOrEqual(5);
    await mosq.start();
    await until(() => t.gw.uplink?.queued === 0, 15_000, "queue empty");
    const r = await remoteSub(`${REMOTE}/links/radio-7`);
    await r.waitFor((l) => l.some((x) => x.includes('"version 50"')), 5000, "newest version retained upstream");
    expect(r.lines.filter((x) => x.startsWith(`${REMOTE}/links/radio-7 `))).toHaveLength(1);
  }, 40_000);

  // How fast (R5: within 5 s) is measured in the perf tier: test/perf/uplink-dead-detection.test.ts.
  it("flags a silently vanished broker (SIGSTOP) unresponsive, and recovers", async () => {
    await until(() => t.gw.links.get("upstream")?.state === "ready", 10_000, "ready");
    mosq.pause();
    try {
      await until(() => t.gw.links.get("upstream")?.state === "unresponsive", 10_000, "unresponsive");
    } finally {
      mosq.resume();
    }
    await until(() => t.gw.links.get("upstream")?.state === "ready", 10_000, "ready again");
    expect(t.gw.links.get("upstream")?.state).toBe("ready");
  }, 30_000);
});

describe("other uplinks", () => {
  let bare: Server;
  const sockets = new Set<Socket>();
  afterEach(() => {
    for (const s of sockets) s.destroy();
    bare?.close();
  });

  it("gives up on a broker that accepts TCP but never answers MQTT and moves on to the next URL", async () => {
    const port = await freePort();
    bare = createServer((s) => sockets.add(s.on("error", () => undefined))).listen(port, "127.0.0.1");
    const g = await startTestGateway({ uplink: uplinkCfg([`mqtt://127.0.0.1:${port}`, mosq.url], { remoteBase: "region/north/bare-test", clientId: "bare-test" }) });
    try {
      const states: string[] = [];
      g.gw.links.on("change", (link, h) => link === "upstream" && states.push(`${h.state}: ${h.detail}`));
      await until(() => g.gw.links.get("upstream")?.state === "ready", 10_000, "ready via the second URL");
      expect(sockets.size).toBeGreaterThan(0);
      expect(states.some((s) => s.startsWith("unresponsive") && s.includes(`127.0.0.1:${port}`))).toBe(true);
      expect(g.gw.links.get("upstream")?.detail).toBe(`connected to ${mosq.url}`);
    } finally {
      await g.stop();
    }
  }, 20_000);

  it("reports what it dropped when the queue cap is reached", async () => {
    const g = await startTestGateway({ uplink: uplinkCfg(["mqtt://127.0.0.1:1"], { remoteBase: "region/north/cap-test", clientId: "cap-test", queueMaxMessages: 5 }) });
    try {
      const dropped: DroppedReport[] = [];
      g.gw.uplink?.on("dropped", (r) => dropped.push(r));
      const before = g.gw.uplink?.queued ?? 0; // the gateway's own state is queued too
      const pub: MqttClient = await connectAsync({ host: "127.0.0.1", port: g.port, username: "flooder", password: USERS["flooder"]!, clientId: "cap-pub" });
      for (let i = 1; i <= 8; i++) await pub.publishAsync("flood/seq/cap", String(i), { qos: 1 });
      await pub.endAsync();
      await until(() => dropped.reduce((n, r) => n + r.count, 0) >= before + 3, 5000, "drops reported");
      expect(g.gw.uplink?.queued).toBe(5);
      expect(dropped.flatMap((r) => r.topics)).toContain(`${REMOTE}/dev/seq/cap`);
    } finally {
      await g.stop();
    }
  });

  it("has its last will published upstream when the gateway process is killed (kill -9)", async () => {
    const cfg = testConfig(t.dir, { uplink: uplinkCfg([mosq.url], { remoteBase: "region/north/lwt-test", clientId: "lwt-test", bridge: [] }) });
    const watcher = await remoteSub("region/north/lwt-test/bridge/state");
    const gw = runFixture("gateway-process.ts", { CONFIG: JSON.stringify(cfg) });
    await gw.waitFor((l) => l.includes("ready"), 15_000, "fixture gateway ready");
    await watcher.waitFor((l) => l.some((x) => x.includes('"state":"online"')), 5000, "online upstream");
    await gw.kill("SIGKILL");
    const lines = await watcher.waitFor((l) => l.some((x) => x.includes('"state":"offline"')), 10_000, "offline will upstream");
    expect(lines.at(-1)).toMatch(/^region\/north\/lwt-test\/bridge\/state \{"state":"offline"/);
  }, 40_000);
});

describe("acknowledged means journaled (found by `npm run proof -- crash`)", () => {
  it("PUBACKs a device's publish on an out rule only after the uplink journal holds it", async () => {
    // An unreachable regional broker keeps every message in the journal; each PUBACK is checked at once.
    const queueDir = join(dir, `queue-held-${Math.random()}`);
    const g = await startTestGateway({ uplink: uplinkCfg([`mqtt://127.0.0.1:${await freePort()}`], { queueDir }) });
    const c: MqttClient = await connectAsync({ host: "127.0.0.1", port: g.port, username: "flooder", password: USERS["flooder"] ?? "" });
    try {
      const missing: string[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => {
          const payload = `held-${i}-${Math.random()}`;
          return c.publishAsync(`flood/seq/held/${i}`, payload, { qos: 1 }).then(() => {
            const journal = readFileSync(join(queueDir, JOURNAL_FILE), "utf8");
            if (!journal.includes(Buffer.from(payload).toString("base64"))) missing.push(payload);
          });
        }),
      );
      expect(missing).toEqual([]);
    } finally {
      await c.endAsync(true);
      await g.stop();
    }
  });
});
