import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/**
 * Spawned real clients (mosquitto_pub, mosquitto_sub, openssl) for the MQTT integration tests. Every
 * process is registered so `killAll()` in afterEach/afterAll stops what a failed test left running.
 * Only loopback addresses are ever used.
 */
const live = new Set<ChildProcess>();

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (or kills it after `timeoutMs`). */
export function run(cmd: string, args: string[], opts: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: opts.env ?? process.env });
    live.add(p);
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 10_000);
    p.once("error", (e) => reject(new Error(`${cmd} could not start: ${e.message} (apt-get install mosquitto-clients openssl)`)));
    p.once("close", (code) => {
      clearTimeout(timer);
      live.delete(p);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on("error", () => undefined);
    p.stdin.end(opts.input);
  });
}

/** A long-running process whose stdout lines are collected. */
export class LineProc {
  readonly lines: string[] = [];
  /** Lines `isTrace` sorted out of `lines` (mosquitto_sub's `-d` protocol trace). */
  readonly trace: string[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  /** `tracked`: killed by killAll() (per-test clients); long-lived servers pass false. */
  constructor(
    readonly proc: ChildProcess,
    tracked = true,
    isTrace: (line: string) => boolean = () => false,
  ) {
    if (tracked) live.add(proc);
    let buf = "";
    proc.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      for (const line of parts) (isTrace(line) ? this.trace : this.lines).push(line);
    });
    proc.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => proc.once("exit", (code) => (live.delete(proc), r(code))));
  }

  async waitFor(pred: (lines: string[]) => boolean, timeoutMs = 5000, what = "output"): Promise<string[]> {
    const t0 = Date.now();
    while (!pred(this.lines)) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.lines.slice(-5))}, stderr ${this.stderr.slice(-300)}`);
      await sleep(20);
    }
    return this.lines;
  }

  kill(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    this.proc.kill(signal);
    return this.exited;
  }
}

export function spawnLines(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: "ignore" | "pipe" } = {}): LineProc {
  return new LineProc(spawn(cmd, args, { stdio: [opts.stdin ?? "ignore", "pipe", "pipe"], env: opts.env ?? process.env }));
}

/** mosquitto_sub's `-d` trace: `Client <id> sending|received <PACKET>…` and `Subscribed (mid: n): <codes>`. */
const MOSQUITTO_TRACE = /^(Client \S+ (sending|received) [A-Z]+|Subscribed \(mid: \d+\):)/;

/**
 * Starts `mosquitto_sub` with `args` and resolves once the broker has answered its SUBSCRIBE with a SUBACK,
 * so a test can publish right away, with no sleep as a "subscribed" barrier. The client runs with `-d`
 * (under coreutils' stdbuf, so the trace arrives line by line);
 * its trace lines go to `trace`, the messages it prints to `lines` as without `-d`. A refused
 * subscription (SUBACK 0x80) also resolves: `trace` shows its return codes.
 */
export async function subscribed(args: string[], timeoutMs = 5000): Promise<LineProc> {
  // stdbuf -oL: mosquitto_sub flushes the messages it prints, but not its trace, when stdout is a pipe.
  const p = new LineProc(spawn("stdbuf", ["-oL", "mosquitto_sub", "-d", ...args], { stdio: ["ignore", "pipe", "pipe"] }), true, (l) => MOSQUITTO_TRACE.test(l));
  const t0 = Date.now();
  while (!p.trace.some((l) => l.startsWith("Subscribed (mid:"))) {
    if (Date.now() - t0 > timeoutMs || p.proc.exitCode !== null) {
      throw new Error(`mosquitto_sub ${args.join(" ")}: no SUBACK within ${timeoutMs} ms; trace ${JSON.stringify(p.trace)}, stderr ${p.stderr.slice(-300)}`);
    }
    await sleep(10);
  }
  return p;
}

export function killAll(): void {
  for (const p of live) p.kill("SIGKILL");
  live.clear();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** A free loopback TCP port (bound and released; the tiny race is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** RSS of a process in bytes, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}
