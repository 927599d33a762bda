import { homedir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../src/shared/logger.js";
import { notReadyError } from "../at/link-supervisor.js";
import type { ByteLinkFactory } from "../serial-link/byte-link.js";
import { linkFactoryFor, parsePortSpec } from "../serial-link/open-port.js";
import { GsmSmsAdapter } from "./gsm-sms-adapter.js";
import { loadModemProfile } from "./modem-profile.js";
import type { PinSource } from "./pin-guard.js";
import { startSimModemOnMemoryPort } from "./sim/in-process.js";
import type { SimModem } from "./sim/sim-modem.js";

/**
 * Opens one modem for a CLI command: resolves `--port` (device path, tcp://, or `sim:<preset>` — an
 * in-process simulated modem on a memory port), loads the profile, starts the adapter, waits for its init
 * and always stops what it started. One-shot commands do not consume incoming SMS (`receive: false`): the
 * messages stay on the SIM for the daemon.
 */
export interface ModemSessionOptions {
  port: string;
  log: Logger;
  baud?: number;
  profile?: string;
  pin?: PinSource;
  /** Default `$RAKELGW_STATE_DIR` or `~/.local/state/rakelgw`. */
  stateDir?: string;
  connectTimeoutMs?: number;
  receive?: boolean;
  /** Told when the port is a simulator (the CLI prints it on stderr). */
  warn?: (message: string) => void;
}

/** What a CLI command gets: the initialised modem and, for `sim:` ports, its simulator. */
export interface ModemSession {
  modem: GsmSmsAdapter;
  /** The in-process simulator behind `sim:` ports. */
  sim: SimModem | undefined;
  profileId: string;
}

/** `$RAKELGW_STATE_DIR`, else `~/.local/state/rakelgw`. */
export function defaultStateDir(): string {
  return process.env["RAKELGW_STATE_DIR"] ?? join(homedir(), ".local", "state", "rakelgw");
}

/** Runs `fn` with an initialised modem; stops the modem (and simulator) afterwards, also on error. */
export async function withModem<T>(o: ModemSessionOptions, fn: (s: ModemSession) => Promise<T>): Promise<T> {
  const spec = parsePortSpec(o.port);
  const profileId = o.profile ?? "generic-27005";
  const profile = loadModemProfile(profileId);
  let factory: ByteLinkFactory;
  let sim: SimModem | undefined;
  if (spec.kind === "sim") {
    const started = startSimModemOnMemoryPort(spec.name, o.log);
    o.warn?.(`${o.port} is a SIMULATED modem, not a real one`);
    sim = started.sim;
    factory = started.port.factory;
  } else {
    factory = linkFactoryFor(spec, { baudRate: o.baud ?? profile.serial.baudRate, rtscts: profile.serial.rtscts });
  }
  const modem = new GsmSmsAdapter({
    name: spec.kind === "sim" ? `sim-${spec.name}` : "modem",
    log: o.log,
    profile,
    linkFactory: factory,
    stateDir: o.stateDir ?? defaultStateDir(),
    receive: o.receive ?? false,
    heartbeatMs: 0,
    statusPollMs: 0,
    ...(o.pin ? { pin: o.pin } : {}),
  });
  try {
    await modem.start();
    const timeoutMs = o.connectTimeoutMs ?? 15_000;
    try {
      await modem.waitReady(timeoutMs);
    } catch (err) {
      throw notReadyError(o.port, "modem", modem.health, timeoutMs, err);
    }
    return await fn({ modem, sim, profileId });
  } finally {
    await modem.stop().catch(() => undefined);
    sim?.stop();
  }
}
