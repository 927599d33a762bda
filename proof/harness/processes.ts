import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";

/** Small process and network helpers shared by the proofs (freePort is the integration tests' own). */
export { freePort } from "../../test/integration/mqtt/helpers/procs.js";
import { freePort } from "../../test/integration/mqtt/helpers/procs.js";

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 20 ms until it returns something other than undefined; throws `what` after `ms`. */
export async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

/** Ends a child and its process group (the daemon's broker child too) and waits for the exit. */
export async function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
  await exited;
}

/** A real Mosquitto on a free loopback port: the regional broker of the proofs. */
export class Mosquitto {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly conf: string,
    private readonly logPath: string,
  ) {}

  static async start(dir: string): Promise<Mosquitto> {
    const port = await freePort();
    const conf = join(dir, "mosquitto.conf");
    // Persistence (saved on a graceful stop) keeps the proof's subscriber session and its queued messages
    // across an outage, so what the uplink delivered while the subscriber was away is still counted.
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nautosave_interval 1\nmax_queued_messages 1000000\nmax_inflight_messages 0\n${process.getuid?.() === 0 ? "user root\n" : ""}`);
    const m = new Mosquitto(port, conf, join(dir, "mosquitto.log"));
    await m.resume();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts (again) on the same port. */
  async resume(): Promise<void> {
    if (this.child) return;
    const out = createWriteStream(this.logPath, { flags: "a" });
    const child = spawn("/usr/sbin/mosquitto", ["-c", this.conf], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    this.child = child;
    await until(async () => ((await portOpen(this.port)) ? true : undefined), 10_000, `mosquitto on port ${this.port}`);
  }

  /** An outage: the regional broker goes away (SIGTERM, so its persistence keeps the proof's subscriber session). */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (c) await killGroup(c, "SIGTERM");
  }

  /** A silent outage (blackhole): the process stops answering but keeps its sockets. */
  freeze(on: boolean): void {
    if (this.child?.pid) process.kill(this.child.pid, on ? "SIGSTOP" : "SIGCONT");
  }

  async stop(): Promise<void> {
    this.freeze(false);
    const c = this.child;
    this.child = undefined;
    if (c) await killGroup(c, "SIGKILL");
  }
}
