import type { SimModemOptions } from "./sim-modem.js";

/**
 * Named simulated modems for `--port sim:<name>` and `rakelgw simulate modem --preset <name>`. Each has
 * its own ICCID so the PIN facts of one never apply to another.
 */
export const SIM_MODEM_PRESETS: Readonly<Record<string, SimModemOptions>> = {
  /** Registered, PIN check off, quick network, every recipient delivered. */
  modem: {},
  /** The SIM asks for PIN 1234 (3 attempts). */
  "modem-pin": { config: { pin: "1234", iccid: "89460000000000000025" } },
  /** Answers, but is not registered: submissions fail with `+CMS ERROR: 331`. */
  "modem-nonet": { config: { iccid: "89460000000000000033", registrationDelayMs: 3_600_000 } },
  /** A realistic network: 3 s per submission (a real AT+CMGS may take several seconds). */
  "modem-slow": { config: { iccid: "89460000000000000041", cmgsDelayMs: 3000, reportDelayMs: 2000 } },
  /** Every status report says "not delivered" (TP-ST 0x41). */
  "modem-undeliverable": { config: { iccid: "89460000000000000058", defaultRecipient: { kind: "fail" } } },
};

/** A copy of a preset, or `undefined` for an unknown name. */
export function simModemPreset(name: string): SimModemOptions | undefined {
  return Object.hasOwn(SIM_MODEM_PRESETS, name) ? structuredClone(SIM_MODEM_PRESETS[name]) : undefined;
}
