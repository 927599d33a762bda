import { notReadyError } from "../../adapters/at/link-supervisor.js";
import { RakelPeiAdapter } from "../../adapters/rakel-pei/rakel-pei-adapter.js";
import { loadProfile, type TerminalProfile } from "../../adapters/rakel-pei/terminal-profile.js";
import { linkFactoryFor, parsePortSpec } from "../../adapters/serial-link/open-port.js";
import type { ByteLinkFactory } from "../../adapters/serial-link/byte-link.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { untilInterrupted } from "./interrupt.js";
import { intOption, usage } from "./output.js";
import { startInProcessSimulator } from "../app/sim-ports.js";

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
  const spec = parsePortSpec(opts.port);
  const profile: TerminalProfile = loadProfile(opts.profile ?? "etsi-generic");
  const baudRate = intOption(opts.baud, "--baud", 1200, 921600) ?? profile.serial.baudRate;
  let factory: ByteLinkFactory;
  let stopSim: (() => Promise<void>) | undefined;
  if (spec.kind === "sim") {
    if (!/^terminal(-[\w.-]+)?$|^radio(-[\w.-]+)?$/.test(spec.name)) {
      throw new GatewayError("CLI_USAGE", `unknown simulated terminal "${opts.port}" (use sim:terminal, or sim:terminal-<name> for another one)`);
    }
    process.stderr.write(`warning: ${opts.port} is a SIMULATED terminal, not a radio\n`);
    const sim = startInProcessSimulator(spec.name, log);
    factory = sim.factory;
    stopSim = sim.stop;
  } else {
    factory = linkFactoryFor(spec, { baudRate, rtscts: profile.serial.rtscts });
  }
  const terminal = new RakelPeiAdapter({ name: spec.kind === "sim" ? `sim-${spec.name}` : "terminal", log, profile, linkFactory: factory, ...(opts.heartbeat ? {} : { heartbeatMs: 0 }) });
  try {
    // A port that cannot be opened at all (wrong path, permissions) fails at once: a technician at the
    // rack wants the answer now; the daemon, not the CLI, is the one that waits for a replug.
    let openError: string | undefined;
    const offHealth = terminal.on("health", (h) => {
      if (h.state === "disconnected" && /^open failed/.test(h.detail)) openError ??= h.detail;
    });
    await terminal.start();
    const timeoutMs = (intOption(opts.connectTimeout, "--connect-timeout", 1, 600) ?? 10) * 1000;
    try {
      if (openError === undefined) await terminal.waitReady(timeoutMs);
      offHealth();
      if (openError !== undefined) throw new Error(openError);
    } catch (err) {
      offHealth();
      throw notReadyError(opts.port, "terminal", terminal.health, timeoutMs, err);
    }
    return await (opts.interruptible ? untilInterrupted(fn(terminal)) : fn(terminal));
  } finally {
    await terminal.stop().catch(() => undefined);
    await stopSim?.().catch(() => undefined);
  }
}
