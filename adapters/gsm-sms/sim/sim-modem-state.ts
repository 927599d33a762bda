import type { DecodedSubmit } from "../pdu/index.js";
import type { SimModemConfig } from "./sim-modem-config.js";

/**
 * The simulated modem's state. `volatile` settings are lost on every restart (V.250 / 27.005 defaults:
 * echo on, no indications, `+CMEE=0`), which is why the gateway re-runs its init after a reboot. The SIM
 * (storage, PIN counter) survives restarts.
 */
export type SimCardState = "ready" | "pin" | "puk" | "absent";

/** One slot of SIM storage. */
export interface StoredMessage {
  /** 27.005 §3.1 `<stat>`: 0 REC UNREAD, 1 REC READ. */
  stat: number;
  /** `SM` for messages, `SR` for status reports. */
  memory: "SM" | "SR";
  /** SMSC field + TPDU, hex. */
  hex: string;
  /** TPDU octets (the `<length>` of `+CMGR`). */
  length: number;
}

/** One part the host submitted, decoded as the network would see it (so tests read the text a phone gets). */
export interface SentSms {
  at: Date;
  /** Modem-assigned TP-MR, as answered in `+CMGS: <mr>`. */
  reference: number;
  to: string;
  text: string | null;
  statusReport: boolean;
  concat: { reference: number; total: number; sequence: number } | null;
  /** The PDU as received, SMSC field first. */
  hex: string;
  decoded: DecodedSubmit;
}

/** Settings a restart resets. */
export interface Volatile {
  echo: boolean;
  cmee: number;
  /** `+CMGF`: 0 PDU, 1 text. Text mode is not simulated: commands in it answer `+CMS ERROR: 302`. */
  cmgf: number;
  /** `+CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>`. */
  cnmi: { mt: number; ds: number };
  cregN: number;
  ceregN: number;
  cmms: number;
}

/** Everything the simulated modem knows. */
export interface SimModemState {
  power: "on" | "off" | "booting";
  /** 1 full functionality, 0 minimum (radio off), per `+CFUN`. */
  fun: number;
  sim: SimCardState;
  pinAttemptsLeft: number;
  /** `+CPIN=` commands received (the count, never the values). */
  pinEntries: number;
  /** 27.007 `<stat>` on both domains. */
  regStat: number;
  v: Volatile;
  storage: Map<number, StoredMessage>;
  nextMr: number;
}

/** V.250 / 27.005 power-on defaults: echo on, no indications, numeric errors off. */
export function powerOnVolatile(): Volatile {
  return { echo: true, cmee: 0, cmgf: 0, cnmi: { mt: 0, ds: 0 }, cregN: 0, ceregN: 0, cmms: 0 };
}

/** State at first power-up. */
export function initialState(c: SimModemConfig): SimModemState {
  return {
    power: "on",
    fun: 1,
    sim: c.pin === null ? "ready" : "pin",
    pinAttemptsLeft: c.pinAttempts,
    pinEntries: 0,
    regStat: c.registrationDelayMs > 0 ? 2 : 1,
    v: powerOnVolatile(),
    storage: new Map(),
    nextMr: 0,
  };
}

/** First free storage index (1-based, as on real SIMs), or undefined when full. */
export function freeIndex(s: SimModemState, size: number): number | undefined {
  for (let i = 1; i <= size; i++) if (!s.storage.has(i)) return i;
  return undefined;
}
