import { type AtCommand, lineHeader, lineValue, splitFields } from "../../at/at-command.js";
import { atDigits, atQuoted } from "../../at/safe-args.js";
import { badResponse, intField, valueOf } from "./response.js";

/**
 * SIM commands (3GPP TS 27.007 §8.3 `+CPIN`, §8.65 `+CPINR`, vendor `^SPIC` (Cinterion) and `+QPINC`
 * (Quectel) for the attempts left, and the ICCID read of each vendor). The PIN command is the only
 * command that carries a secret: it is built through the injection guard and never logged (the engine's
 * trace logs the command *name* only at info and above).
 */

/**
 * What `+CPIN?` says the SIM waits for, upper-cased: `READY` (nothing), `SIM PIN`, `SIM PUK`, `SIM PIN2`,
 * `SIM PUK2`, `PH-SIM PIN`, `PH-NET PIN`, … (27.007 §8.3 `<code>`); kept as text so no answer is lost.
 */
export type CpinState = string;

/** `AT+CPIN?` → `+CPIN: READY` (27.007 §8.3). A missing SIM answers `+CME ERROR: 10` instead. */
export const readPinState: AtCommand<void, CpinState> = {
  name: "CPIN?",
  build: () => "AT+CPIN?",
  expect: ["+CPIN"],
  timeoutMs: 5000,
  idempotent: true,
  parse: (lines) => valueOf("CPIN?", "+CPIN", lines).replace(/^"|"$/g, "").trim().toUpperCase(),
};

/**
 * `AT+CPIN="<pin>"` (27.007 §8.3; `<pin>` is a string parameter). A PIN is 4-8 digits (TS 31.102 PIN
 * format). Not idempotent: every try costs one of the SIM's attempts, so the engine never repeats it.
 */
export const enterPin: AtCommand<{ pin: string }, void> = {
  name: "CPIN=",
  build: ({ pin }) => `AT+CPIN=${atQuoted(atDigits(pin, "SIM PIN", 4, 8), "SIM PIN", 8)}`,
  timeoutMs: 10_000,
  idempotent: false,
  parse: () => undefined,
};

/** Which command reports the PIN attempts left on this model. */
export type PinAttemptsCommand = "AT+CPINR" | "AT^SPIC" | "AT+QPINC";

/**
 * Attempts left for the SIM PIN, by vendor:
 *  - `AT+CPINR="SIM PIN"` → `+CPINR: SIM PIN,<retries>,<default retries>` (27.007 §8.65)
 *  - `AT^SPIC` → `^SPIC: <counter>` for the password the SIM currently asks for (Cinterion)
 *  - `AT+QPINC="SC"` → `+QPINC: "SC",<pin counter>,<puk counter>` (Quectel)
 */
export function readPinAttempts(kind: PinAttemptsCommand): AtCommand<void, number> {
  const header = kind === "AT+CPINR" ? "+CPINR" : kind === "AT^SPIC" ? "^SPIC" : "+QPINC";
  const line = kind === "AT+CPINR" ? `AT+CPINR=${atQuoted("SIM PIN", "code")}` : kind === "AT^SPIC" ? "AT^SPIC" : `AT+QPINC=${atQuoted("SC", "facility")}`;
  return {
    name: kind.slice(2),
    build: () => line,
    expect: [header],
    timeoutMs: 5000,
    idempotent: true,
    parse(lines) {
      const f = splitFields(valueOf(kind, header, lines));
      const n = intField(kind === "AT^SPIC" ? f[0] : f[1]);
      if (n === undefined) throw badResponse(kind, lines);
      return n;
    },
  };
}

/** Which command reads the ICCID on this model. */
export type IccidCommand = "AT+CCID" | "AT+ICCID" | "AT^SCID" | "AT+QCCID";

/** An ICCID is 18-22 characters: digits, with a trailing F filler on some SIMs (ITU-T E.118). */
const ICCID = /\b([0-9]{17,21}[0-9Ff]?)\b/;

/**
 * Reads the SIM's ICCID (EF_ICCID is readable without the PIN on the modems we know). Answers vary:
 * `+CCID: 8946…`, `+CCID: "8946…"`, `^SCID: 8946…`, `+QCCID: 8946…`, `ICCID: 8946…` or the bare number.
 */
export function readIccid(kind: IccidCommand): AtCommand<void, string> {
  const header = kind.slice(2);
  return {
    name: header,
    build: () => kind,
    expect: [header, "ICCID"],
    timeoutMs: 5000,
    idempotent: true,
    parse(lines) {
      for (const l of lines) {
        const m = ICCID.exec(lineHeader(l) === l.trim().toUpperCase() ? l : lineValue(l).replace(/"/g, ""));
        if (m?.[1]) return m[1].toUpperCase();
      }
      throw badResponse(kind, lines);
    },
  };
}
