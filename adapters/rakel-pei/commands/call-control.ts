import type { AtCommand } from "../../at/at-command.js";
import { atDigits, atInt } from "../../at/safe-args.js";

/**
 * Push-to-talk over PEI for a group call (EN 300 392-5 clause 6.17; docs/pei.md §8.2, the sequence svxlink and
 * tetra_4_pttlink use). The speech itself goes over the terminal's accessory audio, never over the PEI.
 * None of these is idempotent: a repeated key or release changes what the air sees.
 */

/** `AT+CTSDC=…`: circuit-mode parameters for the next `ATD`: speech, SSI, hook, simplex, group (comms type 1). */
export const setGroupCallParameters: AtCommand<void, void> = {
  name: "CTSDC=",
  build: () => "AT+CTSDC=0,0,0,1,1,0,1,1,0,0",
  timeoutMs: 3000,
  idempotent: true,
  parse: () => undefined,
};

/** `ATD<gssi>`: sets up a group call and requests transmission on it. */
export const dialGroup: AtCommand<{ gssi: string }, void> = {
  name: "ATD",
  build: ({ gssi }) => `ATD${atDigits(gssi, "GSSI", 1, 8)}`,
  timeoutMs: 10000,
  idempotent: false,
  parse: () => undefined,
};

/** `AT+CTXD=<cc>,1`: transmit demand (PTT pressed) in an existing call; priority 1 high. */
export const transmitDemand: AtCommand<{ cc: number }, void> = {
  name: "CTXD=",
  build: ({ cc }) => `AT+CTXD=${atInt(cc, "CC instance", 0, 65535)},1`,
  timeoutMs: 5000,
  idempotent: false,
  parse: () => undefined,
};

/** `AT+CUTXC=<cc>`: transmission ceased (PTT released). */
export const transmitCease: AtCommand<{ cc: number }, void> = {
  name: "CUTXC=",
  build: ({ cc }) => `AT+CUTXC=${atInt(cc, "CC instance", 0, 65535)}`,
  timeoutMs: 5000,
  idempotent: false,
  parse: () => undefined,
};

/** `ATH`: ends the terminal's call; the last resort for de-keying when the call's CC instance is unknown (svx sends it at shutdown). */
export const hangUp: AtCommand<void, void> = {
  name: "ATH",
  build: () => "ATH",
  timeoutMs: 5000,
  idempotent: true,
  parse: () => undefined,
};
