import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ptyPair, type PtyPair } from "../helpers/pty-pair.js";
import { builtCli, runCli } from "../helpers/run-cli.js";

/**
 * The technicians' commands against a pseudo-terminal made by another program, as they will be tried:
 * `rakelgw simulate terminal --link PATH` runs as its own process (socat makes the pty), and each CLI
 * command opens PATH with the real serialport binding.
 */
const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let link: string;
let sim: ChildProcess;
let simOut = "";

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-e2e-"));
  link = join(dir, "rakel-sim");
  // ISSI 2007777 is a simulated peer that never answers: a send to it waits for its report until stopped.
  const simConfig = join(dir, "sim.json");
  writeFileSync(simConfig, JSON.stringify({ peers: { "2007777": { kind: "silent" } } }));
  sim = spawn(process.execPath, [builtCli(), "simulate", "terminal", "--link", link, "--inject-every", "1", "--config", simConfig], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  sim.stdout!.on("data", (d: Buffer) => (simOut += d.toString()));
  await waitFor(() => existsSync(link), 15_000, "the simulator's pty link");
}, 30_000);

afterAll(async () => {
  sim.kill("SIGINT");
  await new Promise((r) => sim.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
});

function sentByHost(): { to: string; payload: { kind: string; text?: string } }[] {
  return simOut
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { to: string; payload: { kind: string; text?: string } });
}

describe("rakelgw against a pseudo-terminal made by another program", () => {
  it("terminal info reads identity, registration, mode and group", async () => {
    const r = await runCli(["terminal", "info", "--port", link, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      issi: "2001234",
      itsi: "02400500102001234",
      manufacturer: "SIMULATED",
      registration: { registered: true },
      mode: { name: "tmo" },
      selectedGroup: "9001",
      callActive: false,
    });
  });

  it("terminal info prints a human table by default", async () => {
    const r = await runCli(["terminal", "info", "--port", link]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ISSI\s+2001234$/m);
    expect(r.stdout).toMatch(/^Mode\s+TMO \(0\)$/m);
  });

  it("sds send delivers a text with Swedish letters and waits for the delivery report", async () => {
    const r = await runCli(["sds", "send", "--port", link, "--to", "2009999", "--text", "Samverkan: TiB ansluter, åäö ÅÄÖ é", "--report", "received", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { stage: string; deliveryStatus: number; progress: { stage: string }[] };
    expect(out.stage).toBe("delivered");
    expect(out.deliveryStatus).toBe(0);
    expect(out.progress.map((p) => p.stage)).toEqual(["accepted", "sent", "delivered"]);
    await waitFor(() => sentByHost().some((s) => s.payload.text === "Samverkan: TiB ansluter, åäö ÅÄÖ é"), 3000, "the text at the simulator");
  });

  it("sds send rejects an ISSI carrying an AT command with exit 2 and sends nothing", async () => {
    const before = sentByHost().length;
    const r = await runCli(["sds", "send", "--port", link, "--to", "2345678;AT+CTOM=1", "--text", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SDS_INVALID: invalid ISSI/);
    expect(sentByHost().length).toBe(before);
  });

  it("sds send to a group sends a status without asking for reports", async () => {
    const r = await runCli(["sds", "send", "--port", link, "--group", "--to", "9001", "--status", "32770", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ group: true, stage: "sent" });
  });

  it("Ctrl-C while sds send waits for a report ends with exit 2 and one AT_ABORTED error line", async () => {
    const child = spawn(process.execPath, [builtCli(), "sds", "send", "--port", link, "--to", "2007777", "--text", "Avbryt", "--report", "consumed", "--wait", "60"], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // The peer never reports, so the command is still waiting when the signal comes.
    await waitFor(() => sentByHost().some((x) => x.payload.text === "Avbryt"), 10_000, "the send at the simulator");
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(code).toBe(2);
    expect(stderr.trim().split("\n").at(-1)).toMatch(/^error AT_ABORTED: interrupted by a signal; the port was closed \(nothing more was sent/);
  });

  it("sds listen prints incoming messages as JSON lines and stops after --count", async () => {
    const r = await runCli(["sds", "listen", "--port", link, "--count", "2", "--json"], { timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ kind: "text", from: "2009999", to: "2001234", aiService: 12 });
    expect(String(lines[0]!["text"])).toMatch(/^Provmeddelande \d+ från simulatorn$/);
  });
});

describe("rakelgw when the port is wrong", () => {
  let silent: PtyPair;
  beforeAll(async () => {
    silent = await ptyPair();
  });
  afterAll(() => silent.close());

  it("a device path that does not exist ends with exit 2 and LINK_OPEN_FAILED", async () => {
    const r = await runCli(["terminal", "info", "--port", "/dev/does-not-exist-rakel", "--connect-timeout", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error LINK_OPEN_FAILED: cannot open \/dev\/does-not-exist-rakel: .*\(check the device path/);
  });

  it("a port where nothing answers ends with exit 2 and LINK_NOT_OPEN within the connect timeout", async () => {
    const t0 = Date.now();
    const r = await runCli(["terminal", "info", "--port", silent.a, "--connect-timeout", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error LINK_NOT_OPEN: terminal on .* did not answer within 2 s/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
