import type { RakelPeiAdapter } from "../../adapters/rakel-pei/rakel-pei-adapter.js";
import { buildTerminal } from "../app/devices/device-factory.js";
import { notReadyError } from "../app/devices/device-readiness.js";
import type { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { untilInterrupted } from "./interrupt.js";
import { intOption, usage } from "./output.js";

export interface TerminalOptions {
  /** Ctrl-C/SIGTERM end the command with `error AT_ABORTED` (exit 2) after closing the port. Commands that
   * handle the signal themselves (`sds listen`, `talkgroups check` with its restore) leave this off. */
  interruptible?: boolean;
  /** Keep the idle heartbeat (long-running commands such as `sds listen`): a terminal that reboots is then
   * noticed and its PEI routing registered again. Short commands switch it off. */
  heartbeat?: boolean;
  port?: string;
  baud?: string;
  profile?: string;
  /** Seconds to wait for the terminal to answer and initialise. */
  connectTimeout?: string;
}

/**
 * Opens a terminal for one CLI command: resolves `--port` (device path, tcp://, sim:<name>), loads the
 * profile, starts the adapter and waits until the terminal answered its init profile. Always stops what
 * it started, also on error.
 */
export async function withTerminal<T>(opts: TerminalOptions, log: Logger, fn: (t: RakelPeiAdapter) => Promise<T>): Promise<T> {
  if (!opts.port) throw usage("--port is required (a device path such as /dev/ttyUSB0, tcp://host:port, or sim:terminal)");
  const built = buildTerminal({
    port: opts.port,
    profile: opts.profile ?? "etsi-generic",
    ...(opts.baud !== undefined ? { baudRate: intOption(opts.baud, "--baud", 1200, 921600) } : {}),
    log,
    onSimulated: (m) => process.stderr.write(`warning: ${m}\n`),
    ...(opts.heartbeat ? {} : { heartbeatMs: 0 }),
  });
  const terminal = built.device;
  try {
    // A port that cannot be opened at all (wrong path, permissions) fails at once: a technician at the
    // rack wants the answer now; the daemon, not the CLI, is the one that waits for a replug.
    const timeoutMs = (intOption(opts.connectTimeout, "--connect-timeout", 1, 600) ?? 10) * 1000;
    let failedOpen: GatewayError | undefined;
    const offHealth = terminal.on("health", () => (failedOpen ??= built.openFailure()));
    await terminal.start();
    failedOpen ??= built.openFailure();
    try {
      if (failedOpen) throw failedOpen;
      await terminal.waitReady(timeoutMs);
    } catch (err) {
      throw notReadyError(opts.port, "terminal", terminal.health, timeoutMs, failedOpen ?? built.openFailure(), err);
    } finally {
      offHealth();
    }
    return await (opts.interruptible ? untilInterrupted(fn(terminal)) : fn(terminal));
  } finally {
    await built.stop();
  }
}
