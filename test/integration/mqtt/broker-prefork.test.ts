import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BROKER_SEMI_SPACE_MB, BROKER_OPTIMIZE_FOR_SIZE, DEFAULT_BROKER_HEAP_MB, discardPreforkedChild, preforkBrokerChild, preforkedPid } from "../../../adapters/mqtt/broker/broker-prefork.js";
import { until } from "./helpers/procs.js";
import { startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * `rakelgw run` forks the broker process before it loads the rest of the program; the supervisor's first
 * start takes that child (when its heap cap matches) instead of forking another, and a prefork nobody takes
 * is killed.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dir: string | undefined;
let t: TestGateway | undefined;
afterEach(async () => {
  discardPreforkedChild();
  await t?.stop();
  t = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("preforked broker process", () => {
  it("runs with at most two malloc arenas unless the operator set MALLOC_ARENA_MAX", () => {
    const before = process.env["MALLOC_ARENA_MAX"];
    delete process.env["MALLOC_ARENA_MAX"];
    try {
      preforkBrokerChild();
      const pid = preforkedPid()!;
      const env = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      expect(env).toContain("MALLOC_ARENA_MAX=2");
      // A fixed mmap threshold: scrypt's 16 MiB blocks go back to the system after a login storm.
      expect(env.filter((v) => v.startsWith("MALLOC_MMAP_THRESHOLD_="))).toEqual([`MALLOC_MMAP_THRESHOLD_=${1 << 20}`]);
      discardPreforkedChild();
      process.env["MALLOC_ARENA_MAX"] = "8";
      preforkBrokerChild();
      expect(readFileSync(`/proc/${preforkedPid()!}/environ`, "latin1").split("\0")).toContain("MALLOC_ARENA_MAX=8");
    } finally {
      if (before === undefined) delete process.env["MALLOC_ARENA_MAX"];
      else process.env["MALLOC_ARENA_MAX"] = before;
    }
  });

  it("runs with its heap cap and 4 MiB young-generation semi-spaces", () => {
    preforkBrokerChild();
    const argv = readFileSync(`/proc/${preforkedPid()!}/cmdline`, "latin1").split("\0");
    expect(argv).toContain(`--max-old-space-size=${DEFAULT_BROKER_HEAP_MB}`);
    expect(argv).toContain(`--max-semi-space-size=${BROKER_SEMI_SPACE_MB}`);
  });

  it("is the process the supervisor starts the broker in", async () => {
    preforkBrokerChild();
    const pid = preforkedPid();
    expect(pid).toBeGreaterThan(0);
    dir = mkdtempSync(join(tmpdir(), "rakelgw-prefork-"));
    t = await startTestGateway({ dir });
    expect(t.gw.broker.pid).toBe(pid);
    expect(preforkedPid()).toBeUndefined();
  }, 20_000);

  for (const [what, heap] of [
    ["heap cap", { maxOldSpaceMb: 300, maxSemiSpaceMb: BROKER_SEMI_SPACE_MB, optimizeForSize: BROKER_OPTIMIZE_FOR_SIZE }],
    ["semi-space size", { maxOldSpaceMb: DEFAULT_BROKER_HEAP_MB, maxSemiSpaceMb: 8, optimizeForSize: BROKER_OPTIMIZE_FOR_SIZE }],
    ["low-memory mode", { maxOldSpaceMb: DEFAULT_BROKER_HEAP_MB, maxSemiSpaceMb: BROKER_SEMI_SPACE_MB, optimizeForSize: !BROKER_OPTIMIZE_FOR_SIZE }],
  ] as const) {
    it(`is killed and replaced when its ${what} differs from the config's`, async () => {
      preforkBrokerChild(heap);
      const pid = preforkedPid()!;
      dir = mkdtempSync(join(tmpdir(), "rakelgw-prefork-"));
      t = await startTestGateway({ dir });
      expect(t.gw.broker.pid).not.toBe(pid);
      await until(() => !alive(pid), 5000, "the unused prefork exited");
    }, 20_000);
  }

  it("starts the broker with the configured V8 sizes", async () => {
    dir = mkdtempSync(join(tmpdir(), "rakelgw-prefork-"));
    t = await startTestGateway({ dir, broker: { maxOldSpaceMb: 128, maxSemiSpaceMb: 2 } });
    const argv = readFileSync(`/proc/${t.gw.broker.pid!}/cmdline`, "latin1").split("\0");
    expect(argv).toContain("--max-old-space-size=128");
    expect(argv).toContain("--max-semi-space-size=2");
    expect(argv).toContain("--optimize-for-size");
  }, 20_000);

  it("starts the broker without the low-memory mode when the config turns it off", async () => {
    dir = mkdtempSync(join(tmpdir(), "rakelgw-prefork-"));
    t = await startTestGateway({ dir, broker: { optimizeForSize: false } });
    const argv = readFileSync(`/proc/${t.gw.broker.pid!}/cmdline`, "latin1").split("\0");
    expect(argv).toContain(`--max-semi-space-size=${BROKER_SEMI_SPACE_MB}`);
    expect(argv).not.toContain("--optimize-for-size");
  }, 20_000);

  it("is killed when discarded (external broker, start failed)", async () => {
    preforkBrokerChild();
    const pid = preforkedPid()!;
    expect(alive(pid)).toBe(true);
    discardPreforkedChild();
    expect(preforkedPid()).toBeUndefined();
    await until(() => !alive(pid), 5000, "the discarded prefork exited");
  });
});
