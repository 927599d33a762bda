import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli } from "../helpers/run-cli.js";

/**
 * The daemon's sd_notify conversation (sd_notify(3)) against a fake $NOTIFY_SOCKET made by the test:
 * READY=1 with a STATUS naming the links once started, WATCHDOG=1 while the loop is healthy and none while
 * it is stopped (then a late tick is skipped and logged), STOPPING=1 on SIGTERM. `systemd-notify` does the
 * sending, as under systemd.
 */
const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let receiver: ChildProcess;
let daemon: ChildProcess;
const lines: { at: number; text: string }[] = [];
let daemonOut = "";

function waitFor(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((res, rej) => {
    const tick = (): void => {
      if (pred()) return res();
      if (Date.now() > deadline) return rej(new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines.map((l) => l.text))}; daemon: ${daemonOut.slice(-1500)}`));
      setTimeout(tick, 50);
    };
    tick();
  });
}

const pings = (from = 0, to = Infinity): number => lines.filter((l) => l.text === "WATCHDOG=1" && l.at >= from && l.at <= to).length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-notify-"));
  const sock = join(dir, "notify.sock");
  receiver = spawn("perl", [resolve(ROOT, "test/fixtures/notify-receiver.pl"), sock], { stdio: ["ignore", "pipe", "inherit"] });
  let buf = "";
  receiver.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push({ at: Date.now(), text: buf.slice(0, i) });
      buf = buf.slice(i + 1);
    }
  });
  await waitFor(() => lines.some((l) => l.text === "LISTENING"), 5000, "the fake notify socket");
  const config = {
    site: "notify",
    stateDir: join(dir, "state"),
    mqtt: { baseTopic: "rakelgw/notify", broker: { listeners: [{ kind: "tcp", host: "127.0.0.1", port: 0 }], stateDir: join(dir, "broker"), logLevel: "warn" } },
    terminals: [{ id: "terminal-1", port: "sim:terminal" }],
    modems: [{ id: "modem-1", port: "sim:modem" }],
    http: { listen: "127.0.0.1:0" },
  };
  writeFileSync(join(dir, "site.json"), JSON.stringify(config));
  daemon = spawn(process.execPath, [builtCli(), "run", "--config", join(dir, "site.json"), "--allow-sim"], {
    cwd: ROOT,
    // 900 ms watchdog: a tick every 300 ms, a tick later than 225 ms is unhealthy.
    env: { ...process.env, NODE_NO_WARNINGS: "1", NOTIFY_SOCKET: sock, WATCHDOG_USEC: "900000" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  daemon.stdout!.on("data", (d: Buffer) => (daemonOut += d.toString()));
  daemon.stderr!.on("data", (d: Buffer) => (daemonOut += d.toString()));
}, 30_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    daemon.kill("SIGKILL");
    await new Promise((r) => daemon.once("exit", r));
  }
  receiver?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("sd_notify", () => {
  it("sends READY=1 with the link states once the gateway runs", async () => {
    await waitFor(() => lines.some((l) => l.text.startsWith("READY=1")), 30_000, "READY=1");
    const ready = lines.find((l) => l.text.startsWith("READY=1"))!.text;
    expect(ready).toMatch(/^READY=1\|STATUS=notify: .*terminal-1 /);
    expect(ready).toContain("page http://127.0.0.1:");
    // Nothing before READY but the receiver's own line.
    expect(lines.findIndex((l) => l.text.startsWith("READY=1"))).toBe(1);
  }, 40_000);

  it("feeds the watchdog while the loop runs, not while the process is stopped, and skips the late tick", async () => {
    const t0 = Date.now();
    await waitFor(() => pings(t0) >= 3, 5000, "three WATCHDOG=1");
    daemon.kill("SIGSTOP");
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const resumedAt = Date.now();
    daemon.kill("SIGCONT");
    // A systemd-notify started just before the stop may still arrive within its own round trip.
    expect(pings(stoppedAt + 300, resumedAt)).toBe(0);
    await waitFor(() => pings(resumedAt) >= 2, 5000, "WATCHDOG=1 after the stop");
    await waitFor(() => daemonOut.includes('"event":"loop-lag"'), 3000, "the loop-lag log line");
  }, 20_000);

  it("sends STOPPING=1 on SIGTERM and exits 0", async () => {
    daemon.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => daemon.once("exit", (c) => r(c)));
    expect(code).toBe(0);
    await waitFor(() => lines.some((l) => l.text.startsWith("STOPPING=1")), 3000, "STOPPING=1");
    expect(lines.find((l) => l.text.startsWith("STOPPING=1"))!.text).toContain("STATUS=notify: stopping (SIGTERM)");
  }, 20_000);
});
