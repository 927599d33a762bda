import type { GsmSmsAdapter } from "../../adapters/gsm-sms/gsm-sms-adapter.js";
import type { PinSource } from "../../adapters/gsm-sms/pin-guard.js";
import type { SimModem } from "../../adapters/gsm-sms/sim/sim-modem.js";
import { buildModem } from "../app/devices/device-factory.js";
import { notReadyError } from "../app/devices/device-readiness.js";
import type { Logger } from "../shared/logger.js";
import { defaultStateDir } from "../shared/state-dir.js";

/**
 * Opens one modem for a CLI command through the device factory (`--port`: device path, tcp://, or
 * `sim:<preset>`), waits for its init and always stops what it started. One-shot commands do not consume
 * incoming SMS (`receive: false`): the messages stay on the SIM for the daemon.
 */
export interface ModemSessionOptions {
  port: string;
  log: Logger;
  baud?: number;
  profile?: string;
  pin?: PinSource;
  /** Default: {@link defaultStateDir}. */
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

/** Runs `fn` with an initialised modem; stops the modem (and simulator) afterwards, also on error. */
export async function withModem<T>(o: ModemSessionOptions, fn: (s: ModemSession) => Promise<T>): Promise<T> {
  const built = buildModem({
    port: o.port,
    log: o.log,
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.baud !== undefined ? { baudRate: o.baud } : {}),
    ...(o.warn ? { onSimulated: o.warn } : {}),
    stateDir: o.stateDir ?? defaultStateDir(),
    receive: o.receive ?? false,
    heartbeatMs: 0,
    statusPollMs: 0,
    ...(o.pin ? { pin: o.pin } : {}),
  });
  const modem = built.device;
  try {
    await modem.start();
    const timeoutMs = o.connectTimeoutMs ?? 15_000;
    try {
      await modem.waitReady(timeoutMs);
    } catch (err) {
      throw notReadyError(o.port, "modem", modem.health, timeoutMs, built.openFailure(), err);
    }
    return await fn({ modem, sim: built.sim, profileId: built.profileId });
  } finally {
    await built.stop();
  }
}
