import { GatewayError } from "../../../src/shared/errors.js";
import { type AtCommand, lineHeader, lineValue, splitFields } from "../../at/at-command.js";
import { atDigits, atHex, atInt } from "../../at/safe-args.js";

/**
 * `AT+CTSDS=<AI service>,<called party identity type>,<area>,<access priority>,<e2ee>` selects the service
 * for the following `AT+CMGS` (EN 300 392-5 clause 6.14.6, docs/pei.md §3.1). It is re-sent before every SDS:
 * the terminal's current selection is never assumed. Identity type 0 = SSI.
 */
export const selectSdsService: AtCommand<{ aiService: 12 | 13; e2ee: boolean }, void> = {
  name: "CTSDS",
  build: ({ aiService, e2ee }) => (aiService === 13 ? "AT+CTSDS=13,0" : `AT+CTSDS=12,0,0,0,${e2ee ? 1 : 0}`),
  timeoutMs: 3000,
  idempotent: true,
  parse: () => undefined,
};

export interface CmgsArgs {
  /** Called party SSI, 1-8 digits. */
  ssi: string;
  bits: number;
  hex: string;
}

export interface CmgsAnswer {
  /** SDS instance; Motorola answers 0 every time (svxlink PR #576), so it is not an id. */
  instance: number | undefined;
  status: number | undefined;
  reference: number | undefined;
}

/** `+CMGS:` with an SDS status of 4 (sent) or 5 (failed) is the later unsolicited transmission result. */
export function isCmgsTransmissionReport(line: string): boolean {
  if (lineHeader(line) !== "+CMGS") return false;
  const f = splitFields(lineValue(line));
  return f.length >= 2 && (f[1] === "4" || f[1] === "5");
}

export function parseCmgsFields(line: string): CmgsAnswer {
  const f = splitFields(lineValue(line)).map((x) => (x === "" ? undefined : Number(x)));
  const num = (v: number | undefined): number | undefined => (v !== undefined && Number.isInteger(v) ? v : undefined);
  return { instance: num(f[0]), status: num(f[1]), reference: num(f[2]) };
}

/**
 * `AT+CMGS=<ssi>,<length in bits><CR><LF><HEX><Ctrl-Z>`, one write, no prompt (docs/pei.md §1.5). The solicited
 * `+CMGS: <instance>` only means "accepted by the terminal" (docs/pei.md §3.2).
 */
export const sendSdsPdu: AtCommand<CmgsArgs, CmgsAnswer> = {
  name: "CMGS",
  build: ({ ssi, bits }) => `AT+CMGS=${atDigits(ssi, "called party SSI", 1, 8)},${atInt(bits, "SDS length in bits", 8, 2047)}`,
  body: ({ hex, bits }) => {
    const safe = atHex(hex, "SDS user data");
    if (safe.length * 4 < bits || safe.length * 4 - bits >= 8) {
      throw new GatewayError("SDS_INVALID", `SDS user data has ${safe.length * 4} bits of hex for a length of ${bits} bits`);
    }
    return safe;
  },
  expect: [(line) => lineHeader(line) === "+CMGS" && !isCmgsTransmissionReport(line)],
  timeoutMs: 10_000,
  idempotent: false,
  parse(lines) {
    const line = lines.find((l) => lineHeader(l) === "+CMGS");
    return line === undefined ? { instance: undefined, status: undefined, reference: undefined } : parseCmgsFields(line);
  },
};
