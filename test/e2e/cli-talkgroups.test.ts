import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli, runCli, type CliResult } from "../helpers/run-cli.js";

/**
 * `rakelgw talkgroups check` as a technician runs it: simulated terminals run as their own processes behind
 * pseudo-terminals (`rakelgw simulate terminal --link PATH`), and every CLI run opens PATH with the real
 * serialport binding. Exit codes, the JSON shape of docs/mqtt-interface.md, JUnit, the store and Ctrl-C are checked.
 */
const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
const sims: ChildProcess[] = [];

function startSim(link: string, config?: object): void {
  const args = [builtCli(), "simulate", "terminal", "--link", link];
  if (config) {
    const file = `${link}.json`;
    writeFileSync(file, JSON.stringify(config));
    args.push("--config", file);
  }
  sims.push(spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "ignore", "ignore"] }));
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ALL_PRESENT = {
  name: "E2E plan",
  version: "2025.2",
  groups: [
    { gssi: 9001, name: "RSÄK Sthlm 1", folder: "Räddning", mode: "tmo", required: true },
    { gssi: 9020, name: "SAMV Sthlm 1", folder: "Samverkan", mode: "tmo", required: true },
    { gssi: 101, name: "DMO RÄDD 1", folder: "DMO", mode: "dmo", required: true },
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-e2e-tg-"));
  startSim(join(dir, "lists"));
  startSim(join(dir, "probes"), { supportsListing: false, defaultTmoGroup: "9020" });
  writeFileSync(join(dir, "plan.json"), JSON.stringify(ALL_PRESENT));
  writeFileSync(join(dir, "bad-plan.json"), JSON.stringify({ ...ALL_PRESENT, groups: [{ ...ALL_PRESENT.groups[0], colour: "red" }] }));
  const profile = JSON.parse(readFileSync(join(ROOT, "firmware-config/terminals/etsi-generic.json"), "utf8")) as { id: string; talkgroups: { minProbeIntervalMs: number } };
  profile.id = "e2e-slow-probes";
  profile.talkgroups.minProbeIntervalMs = 400;
  writeFileSync(join(dir, "slow-probes.json"), JSON.stringify(profile));
  await waitFor(() => existsSync(join(dir, "lists")) && existsSync(join(dir, "probes")), 20_000, "the simulators' pty links");
}, 30_000);

afterAll(async () => {
  for (const s of sims) {
    s.kill("SIGINT");
    if (s.exitCode === null) await new Promise((r) => s.once("exit", r));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("rakelgw talkgroups check against simulated terminals on pseudo-terminals", () => {
  it("all present: exit 0, the JSON of docs/mqtt-interface.md, JUnit and one stored record", async () => {
    const r = await runCli(["talkgroups", "check", "--port", join(dir, "lists"), "--plan", join(dir, "plan.json"), "--json", "--junit", join(dir, "check.xml"), "--store", join(dir, "state")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(out).slice(0, 6)).toEqual(["terminal", "plan", "method", "groups", "summary", "restored"]);
    expect(out).toMatchObject({ plan: { name: "E2E plan", version: "2025.2" }, method: "list", restored: true, terminal: { issi: "2001234", port: join(dir, "lists") } });
    for (const g of out["groups"] as Record<string, unknown>[]) {
      expect([typeof g["gssi"], typeof g["name"], g["status"], typeof g["detail"]]).toEqual(["number", "string", "present", "string"]);
    }
    expect(readFileSync(join(dir, "check.xml"), "utf8")).toMatch(/<testsuites name="rakelgw talkgroups check" tests="4" failures="0" skipped="0"/);
    const stored = readFileSync(join(dir, "state", "talkgroup-checks.jsonl"), "utf8").trim().split("\n");
    expect(stored).toHaveLength(1);
    const rec = JSON.parse(stored[0]!) as { terminalId: string; plan: { version: string }; checkedAt: string };
    expect(rec).toMatchObject({ terminalId: "2001234", plan: { version: "2025.2" } });
    expect(rec.checkedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("the shipped example plan by name: human table, problems in capitals, exit 1", async () => {
    const r = await runCli(["talkgroups", "check", "--port", join(dir, "lists"), "--plan", "stockholm-region-example", "--no-store"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/EXAMPLE PLAN/);
    expect(r.stdout).toMatch(/^9030 +SSR Ledning +SSR Samverkan +TMO +yes +MISSING +not in the TMO list$/m);
    expect(r.stdout).toMatch(/^Restored {2}yes — restored and verified: TMO \(0\), group 9001$/m);
    expect(r.stdout).toMatch(/^Result {4}PROBLEMS FOUND \(exit 1\)$/m);
  });

  it("Ctrl-C during probing stops, restores the operator's group and ends with exit 2", async () => {
    const port = join(dir, "probes");
    const child = spawn(process.execPath, [builtCli(), "--log-level", "info", "talkgroups", "check", "--port", port, "--plan", join(dir, "plan.json"), "--profile", join(dir, "slow-probes.json"), "--no-store"], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const res: CliResult = { code: null, stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => (res.stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (res.stderr += d.toString()));
    const exited = new Promise<void>((r) => child.once("exit", (code) => ((res.code = code), r())));
    await waitFor(() => res.stderr.includes('"msg":"talkgroup probe"'), 20_000, "the first probe");
    child.kill("SIGINT");
    await exited;
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/^Method {4}probe \(listing not supported \(\+CME ERROR: 4 to AT\+CNUMS\?\); probed instead\)/m);
    expect(res.stdout).toMatch(/^Stopped {3}cancelled: cancelled by the user$/m);
    expect(res.stdout).toMatch(/^Restored {2}yes — restored and verified: TMO \(0\), group 9020$/m);
    expect(res.stderr).toMatch(/^error TG_CHECK_INCOMPLETE: \d required groups could not be checked \(cancelled by the user\)/m);
    const info = await runCli(["terminal", "info", "--port", port, "--json"]);
    expect(JSON.parse(info.stdout)).toMatchObject({ selectedGroup: "9020", mode: { name: "tmo" } });
  });

  it("a plan with an unknown key: exit 2 and the path of the problem, before touching the port", async () => {
    const r = await runCli(["talkgroups", "check", "--port", "/dev/does-not-exist-rakel", "--plan", join(dir, "bad-plan.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error CFG_INVALID: .*bad-plan.json is invalid: \/groups\/0/);
  });
});
