import type { RegistrationInfo } from "../../../src/ports/sms-modem.js";
import { type AtCommand, splitFields } from "../../at/at-command.js";
import { infoTextCommand } from "../../at/basic-commands.js";
import { badResponse, intField, valueOf } from "./response.js";

/**
 * Identity, registration, operator and signal (3GPP TS 27.007 §5, §7.2, §7.3, §8.5, §10.1.22). All are
 * reads: idempotent, retried once by the engine.
 */

const STAT_TEXT: Record<number, string> = {
  0: "not-registered",
  1: "home",
  2: "searching",
  3: "denied",
  4: "unknown",
  5: "roaming",
  6: "home-sms-only",
  7: "roaming-sms-only",
  8: "emergency-only",
  9: "home-csfb-not-preferred",
  10: "roaming-csfb-not-preferred",
};

/** 27.007 §7.2 / §10.1.22 `<stat>`: 1, 5 and the SMS-only / CSFB variants (6, 7, 9, 10) can carry SMS. */
export function registrationOf(stat: number): RegistrationInfo {
  return { stat, registered: [1, 5, 6, 7, 9, 10].includes(stat), text: STAT_TEXT[stat] ?? "unknown" };
}

/**
 * `AT+CREG?` → `+CREG: <n>,<stat>[,<lac>,<ci>[,<AcT>]]`; `AT+CEREG?` → `+CEREG: <n>,<stat>[,…]`. The read
 * form always starts with `<n>`; the unsolicited form starts with `<stat>` (see modem-urcs.ts).
 */
export function readRegistration(kind: "CREG" | "CEREG"): AtCommand<void, RegistrationInfo> {
  const header = `+${kind}`;
  return {
    name: `${kind}?`,
    build: () => `AT+${kind}?`,
    expect: [header],
    timeoutMs: 5000,
    idempotent: true,
    parse(lines) {
      const f = splitFields(valueOf(`${kind}?`, header, lines));
      const stat = intField(f[1]);
      if (stat === undefined) throw badResponse(`${kind}?`, lines);
      return registrationOf(stat);
    },
  };
}

/** `AT+COPS?` → `+COPS: <mode>[,<format>,<oper>[,<AcT>]]` (27.007 §7.3); no `<oper>` = no operator. */
export const readOperator: AtCommand<void, { name: string; act?: number } | undefined> = {
  name: "COPS?",
  build: () => "AT+COPS?",
  expect: ["+COPS"],
  timeoutMs: 10_000,
  idempotent: true,
  parse(lines) {
    const f = splitFields(valueOf("COPS?", "+COPS", lines));
    const name = f[2];
    if (name === undefined || name === "") return undefined;
    const act = intField(f[3]);
    return act === undefined ? { name } : { name, act };
  },
};

/** `AT+CSQ` → `+CSQ: <rssi>,<ber>` (27.007 §8.5): dBm = −113 + 2·rssi for 0-31, 99 = not known. */
export const readSignal: AtCommand<void, { rssi: number; dbm: number | null; ber?: number }> = {
  name: "CSQ",
  build: () => "AT+CSQ",
  expect: ["+CSQ"],
  timeoutMs: 5000,
  idempotent: true,
  parse(lines) {
    const f = splitFields(valueOf("CSQ", "+CSQ", lines));
    const rssi = intField(f[0]);
    if (rssi === undefined) throw badResponse("CSQ", lines);
    const ber = intField(f[1]);
    const out: { rssi: number; dbm: number | null; ber?: number } = { rssi, dbm: rssi >= 0 && rssi <= 31 ? -113 + 2 * rssi : null };
    if (ber !== undefined && ber !== 99) out.ber = ber;
    return out;
  },
};

/** `AT+CGMI` / `+CGMM` / `+CGMR` / `+CGSN` (27.007 §5.1-5.4): free text, with or without a header. */
export function readInfo(command: "AT+CGMI" | "AT+CGMM" | "AT+CGMR" | "AT+CGSN"): AtCommand<void, string> {
  return infoTextCommand(command, 5000);
}
