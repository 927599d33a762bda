import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { runCli } from "../helpers/run-cli.js";
import { freePort } from "../integration/mqtt/helpers/procs.js";

/**
 * `rakelgw conference join|leave|status` against a running daemon (`rakelgw run`, simulated SIP agent and
 * terminal), only over MQTT as an operator would use it: the CLI finds the broker from --config.
 */
const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let cfgPath: string;
let daemon: ChildProcess;
let daemonErr = "";

const auth = ["--username", "ops", "--password-env", "SIPTEST_MQTT_PASS"];
const env = { SIPTEST_MQTT_PASS: "ops-pass" };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-conf-cli-"));
  const port = await freePort();
  const config = {
    site: "confcli",
    stateDir: join(dir, "state"),
    mqtt: {
      baseTopic: "rakelgw/confcli",
      broker: { listeners: [{ kind: "tcp", host: "127.0.0.1", port }], users: [{ username: "ops", hash: await hashPassword("ops-pass") }], acl: "user ops\ntopic readwrite rakelgw/confcli/#\n" },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal" }],
    sip: { agent: "sim", pauseMs: 50, interDigitMs: 50 },
    conferences: [
      { id: "rsk", name: "Regional samverkanskonferens", uri: "sip:konferens@bridge.example", pin: "4711#", pinDelayMs: 100, talkgroup: "9001" },
      { id: "lsk", name: "Länsstyrelsen", uri: "sip:lan@bridge.example", pin: "1#", pinDelayMs: 100 },
      { id: "kom", name: "Kommun", uri: "sip:kom@bridge.example", pinDelayMs: 0 },
    ],
  };
  cfgPath = join(dir, "config.json");
  writeFileSync(cfgPath, JSON.stringify(config));
  daemon = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/cli/main.ts"), "run", "--config", cfgPath, "--allow-sim"], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "ignore", "pipe"] });
  daemon.stderr!.on("data", (d: Buffer) => (daemonErr += d.toString()));
  // Ready when status answers.
  const deadline = Date.now() + 30000;
  for (;;) {
    const r = await runCli(["conference", "status", "--config", cfgPath, ...auth, "--timeout", "2"], { env });
    if (r.code === 0) break;
    if (Date.now() > deadline) throw new Error(`daemon not answering: ${r.stderr} ${daemonErr.slice(-1500)}`);
    await new Promise((res) => setTimeout(res, 300));
  }
}, 60000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    daemon.kill("SIGTERM");
    await new Promise((r) => daemon.once("exit", r));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("rakelgw conference (CLI over MQTT to the daemon)", () => {
  it("status lists every configured conference as idle", async () => {
    const r = await runCli(["conference", "status", "--config", cfgPath, ...auth, "--json"], { env });
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { conferences: { id: string; state: string }[] };
    expect(body.conferences.map((c) => c.state)).toEqual(["idle", "idle", "idle"]);
  });

  it("join --wait ends in-conference, with the talk group patched; the PIN is not printed", async () => {
    const r = await runCli(["conference", "join", "rsk", "--wait", "--config", cfgPath, ...auth], { env, timeoutMs: 30000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rsk\s+in-conference/);
    expect(r.stdout).toContain("patched to talk group 9001");
    expect(r.stdout + r.stderr + daemonErr).not.toContain("4711");
  });

  it("a third conference is refused with SIP_CONFERENCE_LIMIT (exit 2)", async () => {
    await runCli(["conference", "join", "lsk", "--config", cfgPath, ...auth], { env });
    const r = await runCli(["conference", "join", "kom", "--config", cfgPath, ...auth], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SIP_CONFERENCE_LIMIT: /);
  });

  it("an unknown conference is refused with SIP_UNKNOWN_CONFERENCE", async () => {
    const r = await runCli(["conference", "join", "nope", "--config", cfgPath, ...auth], { env });
    expect(r.stderr).toMatch(/^error SIP_UNKNOWN_CONFERENCE: /);
  });

  it("leave goes idle", async () => {
    const r = await runCli(["conference", "leave", "rsk", "--config", cfgPath, ...auth, "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: "rsk", state: "idle", detail: "left" });
  });
});
