import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

/**
 * The proof preload (proof/harness/daemon-probe.mjs) must reach the daemon's Node children: the clock proof
 * (docs/reliability.md, clock row) relies on the broker child's Date being shifted like the daemon's.
 */
const ROOT = resolve(import.meta.dirname, "../../..");
const PROBE = join(ROOT, "proof/harness/daemon-probe.mjs");
const PARENT = join(import.meta.dirname, "fixtures/fork-parent.mjs");
const HOUR = 3_600_000;

interface Line {
  role: string;
  pid: number;
  shift: number;
  loads: boolean;
}

function runParent(env: NodeJS.ProcessEnv): Promise<Line[]> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, ["--import", PROBE, PARENT], { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.once("error", rej);
    // stdout is shared with both children; it closes when the last of them exited.
    p.stdout.once("close", () => res(out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line)));
  });
}

describe("daemon probe", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes memory lines with the size V8 reserves per heap space, beside RSS and heap used", async () => {
    dir = mkdtempSync(join(tmpdir(), "probe-"));
    const file = join(dir, "lag.jsonl");
    const env: NodeJS.ProcessEnv = { ...process.env, PROOF_LAG_FILE: file, PROOF_LAG_EVERY_MS: "50" };
    delete env["PROOF_PROBE_ROOT_PID"];
    delete env["NODE_OPTIONS"];
    await new Promise<void>((res, rej) => {
      const p = spawn(process.execPath, ["--import", PROBE, "-e", "setTimeout(() => undefined, 400)"], { env, stdio: "ignore" });
      p.once("error", rej);
      p.once("exit", () => res());
    });
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { role: string; rssKiB: number; heapUsedKiB: number; heapTotalKiB: number; spacesKiB: Record<string, number> });
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l.role).toBe("daemon");
      expect(l.rssKiB).toBeGreaterThan(l.heapUsedKiB);
      expect(l.spacesKiB["old"]).toBeGreaterThan(0);
      expect(l.spacesKiB["new"]).toBeGreaterThan(0);
      // The spaces' sizes add up to the heap's total (each rounded to a KiB).
      expect(Object.values(l.spacesKiB).reduce((a, b) => a + b, 0)).toBeCloseTo(l.heapTotalKiB, -2);
    }
  });

  it("shifts the clock of forked children too, whatever execArgv they were forked with", async () => {
    dir = mkdtempSync(join(tmpdir(), "probe-"));
    const clock = join(dir, "clock");
    writeFileSync(clock, String(HOUR));
    const env: NodeJS.ProcessEnv = { ...process.env, PROOF_CLOCK_FILE: clock };
    delete env["PROOF_PROBE_ROOT_PID"];
    delete env["NODE_OPTIONS"];
    const lines = await runParent(env);
    expect(lines.map((l) => l.role).sort()).toEqual(["default-execargv", "own-execargv", "parent"]);
    for (const l of lines) {
      expect(l.loads).toBe(true);
      // An hour ahead, give or take the time between the process's start and its first line.
      expect(Math.abs(l.shift - HOUR)).toBeLessThan(60_000);
      const marker = JSON.parse(readFileSync(`${clock}.pid-${l.pid}`, "utf8")) as { role: string; offset: number; seenMs: number };
      expect(marker).toMatchObject({ role: l.role === "parent" ? "daemon" : "child", offset: HOUR });
      // Two Date.now() calls apart (shifted and real): a clock tick between them shows as 1 ms.
      expect(Math.abs(marker.seenMs - HOUR)).toBeLessThanOrEqual(50);
    }
  });
});
