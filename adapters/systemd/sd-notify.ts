import { execFile } from "node:child_process";
import type { ServiceManager } from "../../src/ports/service-manager.js";
import type { Logger } from "../../src/shared/logger.js";

/**
 * sd_notify(3) through systemd's own `systemd-notify` tool. Node cannot send on a Unix datagram socket
 * without a native addon, and this project installs none that need compiling (`.npmrc` turns install
 * scripts off; `sd-notify` and `unix-dgram` need node-gyp). `systemd-notify` ships with systemd, is
 * maintained with it, and since systemd 246 waits until the manager has processed the message
 * (sd_notify_barrier), so a message from this short-lived child is not lost; the unit therefore says
 * `NotifyAccess=all`. Messages go out one at a time in order.
 */
export interface SdNotifyOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** The tool; tests may point at another path. */
  command?: string;
}

export class SdNotify implements ServiceManager {
  readonly active: boolean;
  readonly watchdogMs: number | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly command: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: SdNotifyOptions) {
    this.env = opts.env ?? process.env;
    this.command = opts.command ?? "systemd-notify";
    this.active = !!this.env["NOTIFY_SOCKET"];
    const usec = Number(this.env["WATCHDOG_USEC"]);
    const pid = this.env["WATCHDOG_PID"];
    this.watchdogMs = this.active && usec > 0 && (pid === undefined || Number(pid) === process.pid) ? usec / 1000 : undefined;
  }

  ready(status: string): Promise<void> {
    return this.send(["READY=1", `STATUS=${status}`]);
  }

  status(status: string): Promise<void> {
    return this.send([`STATUS=${status}`]);
  }

  stopping(status: string): Promise<void> {
    return this.send(["STOPPING=1", `STATUS=${status}`]);
  }

  watchdog(): Promise<void> {
    return this.send(["WATCHDOG=1"]);
  }

  private send(assignments: string[]): Promise<void> {
    if (!this.active) return Promise.resolve();
    // One line per assignment; a status never carries a newline into the protocol.
    const args = assignments.map((a) => a.replace(/[\r\n]+/g, " "));
    const run = (): Promise<void> =>
      new Promise((resolve) => {
        execFile(this.command, args, { env: this.env, timeout: 10_000 }, (err, _out, stderr) => {
          if (err) this.opts.log.warn({ mod: "systemd", err: err.message, stderr: stderr.trim() }, "sd_notify failed");
          resolve();
        });
      });
    this.chain = this.chain.then(run);
    return this.chain;
  }
}
