import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { LineProc, freePort, sleep } from "./procs.js";

/**
 * A real Mosquitto (`/usr/sbin/mosquitto -c <generated conf>`) on a random loopback port, standing in for
 * the regional broker. With `persistence` it keeps sessions and queued messages across stop/start, as a
 * production cluster does. `pause()`/`resume()` (SIGSTOP/SIGCONT) make it vanish silently: the TCP
 * connection stays open, nothing answers — the blackhole of reliability R5.
 */
export interface Mosquitto {
  port: number;
  url: string;
  pid(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
  pause(): void;
  resume(): void;
}

export const MOSQUITTO = process.env["MOSQUITTO"] ?? "/usr/sbin/mosquitto";

async function waitForPort(port: number, timeoutMs: number, stderr: () => string): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host: "127.0.0.1", port }, () => (s.destroy(), r(true)));
      s.once("error", () => r(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms: ${stderr()}`);
    await sleep(30);
  }
}

/** `extra`: more mosquitto.conf lines (password_file, acl_file, …); with them, anonymous access is off. */
export async function startMosquitto(dir: string, o: { persistence?: boolean; port?: number; extra?: string[] } = {}): Promise<Mosquitto> {
  mkdirSync(dir, { recursive: true });
  const port = o.port ?? (await freePort());
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${o.extra ? "false" : "true"}`,
      // Started as root (CI containers), mosquitto would switch to user "mosquitto" and lose access to our 0700 temp dirs.
      `user ${userInfo().username}`,
      ...(o.extra ?? []),
      `persistence ${o.persistence ? "true" : "false"}`,
      `persistence_location ${dir}/`,
      "max_queued_messages 100000",
      "max_inflight_messages 100",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "",
    ].join("\n"),
  );
  let proc: LineProc | undefined;
  const m: Mosquitto = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: () => proc?.proc.pid ?? 0,
    start: async () => {
      proc = new LineProc(spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] }), false);
      proc.proc.once("error", (e) => {
        throw new Error(`${MOSQUITTO} could not start: ${e.message} (apt-get install mosquitto)`);
      });
      const p = proc;
      await waitForPort(port, 5000, () => p.stderr.slice(-500));
    },
    stop: async () => {
      if (!proc) return;
      proc.proc.kill("SIGCONT");
      await proc.kill("SIGTERM");
      proc = undefined;
    },
    pause: () => proc?.proc.kill("SIGSTOP"),
    resume: () => proc?.proc.kill("SIGCONT"),
  };
  await m.start();
  return m;
}
