import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMosquitto, type Mosquitto } from "../integration/mqtt/helpers/mosquitto.js";
import { until } from "../integration/mqtt/helpers/procs.js";
import { startTestGateway, type TestGateway } from "../integration/mqtt/helpers/test-gateway.js";

/**
 * Goal R5 (docs/reliability.md): a regional broker that goes silent (SIGSTOP: no FIN, no RST, as after a
 * cable cut) is flagged `unresponsive` within 5 s with the default keepalive (3 s) and `deadAfterMs` (4 s).
 * A wall-clock bound, so it runs in the perf tier; test/integration/mqtt/uplink.test.ts checks the
 * behaviour without the bound.
 */
let dir: string;
let mosq: Mosquitto;
let t: TestGateway;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-perf-uplink-"));
  mosq = await startMosquitto(join(dir, "mosq"), { persistence: false });
  t = await startTestGateway({ uplink: { urls: [mosq.url], remoteBase: "region/north/perf", queueDir: join(dir, "queue"), backoffBaseMs: 100, backoffCapMs: 500, connectTimeoutMs: 1000 } });
  await until(() => t.gw.links.get("upstream")?.state === "ready", 10_000, "uplink ready");
}, 30_000);
afterAll(async () => {
  await t?.stop();
  await mosq?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("dead-uplink detection (R5)", () => {
  it("flags a silently vanished regional broker unresponsive within 5 s, three times in a row", async () => {
    const took: number[] = [];
    for (let i = 0; i < 3; i++) {
      await until(() => t.gw.links.get("upstream")?.state === "ready", 10_000, "ready");
      mosq.pause();
      const t0 = performance.now();
      try {
        await until(() => t.gw.links.get("upstream")?.state === "unresponsive", 10_000, "unresponsive");
        took.push(performance.now() - t0);
      } finally {
        mosq.resume();
      }
    }
    console.info(`silent regional broker flagged after ${took.map((ms) => Math.round(ms)).join(", ")} ms`);
    expect(Math.max(...took)).toBeLessThanOrEqual(5000);
  }, 60_000);
});
