import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendDurable, appendDurableSync, readFileIfExists, removeStaleTemps, writeFileDurable, writeFileDurableSync } from "../../../src/shared/durable-file.js";

const ROOT = resolve(import.meta.dirname, "../../..");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-durable-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tmpFiles = (): string[] => readdirSync(dir).filter((f) => f.endsWith(".tmp"));

/**
 * Runs writeFileDurable(Sync) in a child process whose rename kills the process with SIGKILL: a crash after
 * the new content was written and fsynced to the temp file, before it replaced the target.
 */
function crashBeforeRename(target: string, sync: boolean): { signal: NodeJS.Signals | null } {
  const script = `
    import fs from "node:fs";
    import { syncBuiltinESMExports } from "node:module";
    const die = () => process.kill(process.pid, "SIGKILL");
    fs.renameSync = die;
    fs.promises.rename = async () => die();
    syncBuiltinESMExports();
    const m = await import(${JSON.stringify(resolve(ROOT, "src/shared/durable-file.ts"))});
    ${sync ? "m.writeFileDurableSync" : "await m.writeFileDurable"}(${JSON.stringify(target)}, "new content that must never be seen");
    process.stdout.write("renamed: the crash hook did not run");
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 15_000 });
  expect(r.stdout).not.toContain("renamed");
  return { signal: r.signal };
}

describe("writeFileDurable", () => {
  it("replaces the file, leaves no temp file behind and sets the mode of a new file", async () => {
    const p = join(dir, "state.json");
    await writeFileDurable(p, "one");
    await writeFileDurable(p, new TextEncoder().encode("two"));
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(statSync(p).mode & 0o777).toBe(0o600);
    await writeFileDurable(join(dir, "public.json"), "x", { mode: 0o644 });
    expect(statSync(join(dir, "public.json")).mode & 0o777).toBe(0o644);
    expect(tmpFiles()).toEqual([]);
  });

  it("sync twin: same result, no temp file behind", () => {
    const p = join(dir, "pin.json");
    writeFileDurableSync(p, "a");
    writeFileDurableSync(p, "b");
    expect(readFileSync(p, "utf8")).toBe("b");
    expect(tmpFiles()).toEqual([]);
  });

  it("many concurrent writers never share a temp file and the last complete content wins", async () => {
    const p = join(dir, "shared.json");
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileDurable(p, JSON.stringify({ i, pad: "x".repeat(10_000) }))));
    const parsed = JSON.parse(readFileSync(p, "utf8")) as { i: number };
    expect(parsed.i).toBeGreaterThanOrEqual(0);
    expect(parsed.i).toBeLessThan(20);
    expect(tmpFiles()).toEqual([]);
  });

  it("a failed rename leaves the target as it was and removes its temp file", async () => {
    // The target is a non-empty directory: the temp file is written and fsynced, then rename fails.
    const target = join(dir, "occupied");
    mkdirSync(target);
    writeFileSync(join(target, "inside"), "old");
    await expect(writeFileDurable(target, "new")).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) as unknown });
    expect(() => writeFileDurableSync(target, "new")).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readFileSync(join(target, "inside"), "utf8")).toBe("old");
    expect(tmpFiles()).toEqual([]);
  });

  // Skipped as root: root ignores directory permissions, so the write would succeed.
  it.skipIf(process.getuid?.() === 0)("a read-only directory fails without touching the old file", async () => {
    const p = join(dir, "ro.json");
    writeFileSync(p, "old");
    chmodSync(dir, 0o500);
    try {
      await expect(writeFileDurable(p, "new")).rejects.toMatchObject({ code: "EACCES" });
      expect(() => writeFileDurableSync(p, "new")).toThrow(/EACCES/);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readFileSync(p, "utf8")).toBe("old");
  });

  for (const sync of [false, true]) {
    it(`a crash between write and rename leaves the old file intact (${sync ? "sync" : "async"})`, () => {
      const p = join(dir, "state.json");
      writeFileSync(p, "old content");
      const { signal } = crashBeforeRename(p, sync);
      expect(signal).toBe("SIGKILL");
      expect(readFileSync(p, "utf8")).toBe("old content");
      // The temp file of the crashed writer holds the complete new content; it never replaced the target.
      const left = tmpFiles();
      expect(left).toHaveLength(1);
      expect(left[0]).toMatch(/^state\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
      expect(readFileSync(join(dir, left[0]!), "utf8")).toBe("new content that must never be seen");
    });
  }
});

describe("removeStaleTemps", () => {
  it("removes the temp file a crashed writer left, and nothing else", async () => {
    const p = join(dir, "state.json");
    writeFileSync(p, "old content");
    expect(crashBeforeRename(p, false).signal).toBe("SIGKILL");
    // The older temp-name style, a temp of another file and an unrelated .tmp file.
    writeFileSync(join(dir, ".state.json.4194304.cafebabe.tmp"), "{");
    writeFileSync(join(dir, "state.json.bak"), "backup");
    writeFileSync(join(dir, "other.json.4194304.deadbeef.tmp"), "{");
    writeFileSync(join(dir, "other.tmp"), "keep");
    writeFileSync(join(dir, "state.json.old.tmp"), "an operator's copy");
    const crashed = tmpFiles().find((f) => f.startsWith("state.json."));
    expect(crashed).toBeDefined();
    expect((await removeStaleTemps(p)).sort()).toEqual([".state.json.4194304.cafebabe.tmp", crashed].sort());
    expect(readdirSync(dir).sort()).toEqual(["other.json.4194304.deadbeef.tmp", "other.tmp", "state.json", "state.json.bak", "state.json.old.tmp"]);
    expect(readFileSync(p, "utf8")).toBe("old content");
  });

  it("keeps a temp file whose writer is another process still running (a replace in progress)", async () => {
    const p = join(dir, "users");
    const live = join(dir, `users.${process.ppid}.0badf00d.tmp`);
    writeFileSync(live, "being written");
    writeFileSync(join(dir, `users.${process.pid}.0badf00d.tmp`), "left by an earlier process with this pid");
    expect(await removeStaleTemps(p)).toEqual([`users.${process.pid}.0badf00d.tmp`]);
    expect(readdirSync(dir)).toEqual([`users.${process.ppid}.0badf00d.tmp`]);
  });

  it("does nothing when the directory is missing", async () => {
    expect(await removeStaleTemps(join(dir, "missing", "state.json"))).toEqual([]);
  });
});

describe("appendDurable", () => {
  it("creates the file with mode 0600 and appends in order", async () => {
    const p = join(dir, "log.jsonl");
    await appendDurable(p, "a\n");
    await appendDurable(p, new TextEncoder().encode("b\n"));
    appendDurableSync(p, "c\n");
    expect(readFileSync(p, "utf8")).toBe("a\nb\nc\n");
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(tmpFiles()).toEqual([]);
  });

  it("fails with the errno code when the directory is missing", async () => {
    await expect(appendDurable(join(dir, "missing", "x.jsonl"), "a")).rejects.toMatchObject({ code: "ENOENT" });
    expect(() => appendDurableSync(join(dir, "missing", "x.jsonl"), "a")).toThrow(/ENOENT/);
  });
});

describe("readFileIfExists", () => {
  it("reads a file, or gives undefined when there is none", () => {
    writeFileSync(join(dir, "a.txt"), "hello");
    expect(readFileIfExists(join(dir, "a.txt"))).toBe("hello");
    expect(readFileIfExists(join(dir, "none.txt"))).toBeUndefined();
  });
});
