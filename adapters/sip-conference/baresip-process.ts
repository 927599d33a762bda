import { spawn, type ChildProcess } from "node:child_process";
import { backoffDelay } from "../../src/shared/backoff.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";

/**
 * Runs `baresip -f DIR` and restarts it after an unexpected exit, with capped, jittered backoff (the
 * attempt count resets once a run lasted `stableMs`). Never `-d`: a daemonised agent leaves under another
 * pid and could not be supervised. Its standard output is not logged as such: baresip prints every
 * received control message, DTMF keys (PIN digits) included. Only lines that look like errors reach the
 * log (debug), with digits hidden; the last of them are kept for the exit report.
 */
export interface BaresipProcessOptions {
  binary: string;
  dir: string;
  log: Logger;
  restartBaseMs: number;
  restartCapMs: number;
  stableMs?: number;
}

export interface BaresipProcessEvents {
  spawned: (pid: number) => void;
  exit: (detail: string, restartInMs: number | undefined) => void;
}

const SECRET_LINE = /got message|dtmf|sndcode/i;

export class BaresipProcess extends TypedEmitter<BaresipProcessEvents> {
  private child: ChildProcess | undefined;
  private stopped = true;
  private attempt = 0;
  private restartCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private startedAt = 0;
  private readonly recent: string[] = [];

  constructor(private readonly o: BaresipProcessOptions) {
    super((err, ev) => o.log.error({ err, ev }, "baresip process listener failed"));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get restarts(): number {
    return this.restartCount;
  }
  /** Recent error-looking output lines (secrets removed). */
  get lastErrors(): string[] {
    return [...this.recent];
  }

  start(): void {
    this.stopped = false;
    this.spawnOnce();
  }

  /** Kills the running agent (SIGKILL); supervision restarts it. For recovery from a hung agent. */
  kill(): void {
    this.child?.kill("SIGKILL");
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const hard = setTimeout(() => c.kill("SIGKILL"), 3000);
      c.once("exit", () => {
        clearTimeout(hard);
        resolve();
      });
      c.kill("SIGTERM");
    });
  }

  private spawnOnce(): void {
    const child = spawn(this.o.binary, ["-f", this.o.dir], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.startedAt = performance.now();
    const onOutput = (buf: Buffer): void => {
      for (const raw of buf.toString("utf8").split(/[\r\n]+/)) {
        // eslint-disable-next-line no-control-regex -- baresip colours its errors with ANSI escapes
        const line = raw.replace(/\u001b\[[0-9;]*m/g, "").trim();
        if (!line || SECRET_LINE.test(line) || !/error|failed|refused|in use|unloaded|cannot|could not/i.test(line)) continue;
        const safe = line.replace(/[0-9*#]{4,}/g, "…");
        this.recent.push(safe);
        if (this.recent.length > 10) this.recent.shift();
        this.o.log.debug({ line: safe }, "baresip says");
      }
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.once("spawn", () => {
      this.o.log.info({ pid: child.pid, event: "agent-start" }, "SIP agent started");
      if (child.pid) this.emit("spawned", child.pid);
    });
    child.once("error", (err) => {
      this.o.log.error({ err: err.message }, "SIP agent could not be started");
      // 'exit' may not follow a spawn error (ENOENT): handle it here once.
      if (child.exitCode === null && child.pid === undefined) this.onExit(child, `cannot start ${this.o.binary}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    });
    child.once("exit", (code, signal) => this.onExit(child, signal ? `killed by ${signal}` : `exited with code ${code}`));
  }

  private onExit(child: ChildProcess, detail: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopped) return;
    if (performance.now() - this.startedAt >= (this.o.stableMs ?? 30_000)) this.attempt = 0;
    const delay = backoffDelay(this.attempt++, { baseMs: this.o.restartBaseMs, capMs: this.o.restartCapMs, minMs: Math.min(this.o.restartBaseMs, 100) });
    this.restartCount++;
    this.o.log.warn({ detail, restartInMs: delay, restarts: this.restartCount, lastErrors: this.recent }, "SIP agent exited; restarting");
    this.emit("exit", detail, delay);
    this.timer = setTimeout(() => {
      if (!this.stopped) this.spawnOnce();
    }, delay);
  }
}
