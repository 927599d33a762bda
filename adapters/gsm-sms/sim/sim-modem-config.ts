/**
 * Configuration and fault knobs of the simulated GSM/LTE modem. Every field has a default, so
 * `new SimModem()` is a plausible registered LTE modem with its SIM PIN check disabled; tests override
 * only what they look at. Fault knobs as in the terminal simulator (echo, line endings, byte-by-byte,
 * slow, silent, reboot; unplug is the MemoryPort's) plus the modem's own: no network, `+CMS ERROR`s.
 */

/** What the simulated network does with a message to one recipient (status reports, TS 23.040 TP-ST). */
export type SimRecipientBehaviour =
  | { kind: "deliver"; reportDelayMs?: number }
  /** First a "still trying" report (TP-ST 0x21 recipient busy), then delivered. */
  | { kind: "pending-then-deliver"; reportDelayMs?: number }
  /** A permanent error report (default TP-ST 0x41 incompatible destination). */
  | { kind: "fail"; status?: number }
  | { kind: "silent" };

/** Configuration of the simulated modem. */
export interface SimModemConfig {
  manufacturer: string;
  model: string;
  firmware: string;
  imei: string;
  /** ITU-T E.118 ICCID; keys the gateway's PIN facts. */
  iccid: string;
  operator: string;
  /** 27.007 AcT of `+COPS` (7 = E-UTRAN). */
  act: number;
  rssi: number;
  /** SIM PIN; `null` = PIN check disabled (the SIM is ready at power-up). */
  pin: string | null;
  /** Attempts the SIM allows before asking for the PUK (3 on every SIM we know). */
  pinAttempts: number;
  /** Answer `AT+CPINR` (27.007 §8.65); false makes it `ERROR`, as on older modems. */
  supportsCpinr: boolean;
  /** SIM storage slots (`"SM"`). */
  storageSize: number;
  /** Time the network takes to accept a submitted part (`AT+CMGS` → `+CMGS: <mr>`): "several seconds" on real modems. */
  cmgsDelayMs: number;
  /** Default delay from submission to the status report. */
  reportDelayMs: number;
  /** Per-recipient network behaviour; anyone else gets `defaultRecipient`. */
  recipients: Record<string, SimRecipientBehaviour>;
  defaultRecipient: SimRecipientBehaviour;
  /** After power-up: searching (stat 2) for this long, then registered. */
  registrationDelayMs: number;
  /** Silence after `AT+CFUN=1,1` or `reboot()` before the modem answers again. */
  bootMs: number;
  /** A PDU that does not end (Ctrl-Z) within this time is dropped with `+CMS ERROR: 500`. */
  userDataTimeoutMs: number;
}

/** Line ending of the modem's output. */
export type SimLineEnding = "crlf" | "cr" | "lf";

/** Fault knobs; counters count down as commands arrive. */
export interface SimModemFaults {
  /** Echo command lines even after `ATE0` (a modem that restarted behind the host's back). */
  echo: boolean;
  lineEnding: SimLineEnding;
  /** Every output byte in its own write, with a macrotask between (slow UART, USB adapters). */
  byteByByte: boolean;
  /** Delay before every answer ("slow"). */
  answerDelayMs: number;
  /** The next n commands get no answer at all ("silent"). */
  dropNextAnswers: number;
  /** The next `count` submissions (`AT+CMGS`) answer `+CMS ERROR: <code>` instead of being sent. */
  cmsErrorNext: { code: number; count: number };
  /** Junk bytes before the next n answers (line noise, boot text). */
  garbageBeforeAnswer: number;
}

/** A registered LTE modem, PIN check off, quick network. */
export const DEFAULT_SIM_MODEM_CONFIG: Readonly<SimModemConfig> = {
  manufacturer: "Rakelgw Sim",
  model: "SIM-LTE-27005",
  firmware: "1.0.0-sim",
  imei: "356938035643809",
  iccid: "89460000000000000017",
  operator: "Sim Telecom",
  act: 7,
  rssi: 20,
  pin: null,
  pinAttempts: 3,
  supportsCpinr: true,
  storageSize: 30,
  cmgsDelayMs: 20,
  reportDelayMs: 30,
  recipients: {},
  defaultRecipient: { kind: "deliver" },
  registrationDelayMs: 0,
  bootMs: 300,
  userDataTimeoutMs: 5000,
};

/** All fault knobs off. */
export const DEFAULT_SIM_MODEM_FAULTS: Readonly<SimModemFaults> = {
  echo: false,
  lineEnding: "crlf",
  byteByByte: false,
  answerDelayMs: 0,
  dropNextAnswers: 0,
  cmsErrorNext: { code: 0, count: 0 },
  garbageBeforeAnswer: 0,
};

/** Bytes of a line ending. */
export function eolOf(e: SimLineEnding): string {
  return e === "crlf" ? "\r\n" : e === "cr" ? "\r" : "\n";
}
