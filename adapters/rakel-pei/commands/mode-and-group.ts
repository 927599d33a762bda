import { GatewayError } from "../../../src/shared/errors.js";
import { type AtCommand, lineHeader, lineValue, splitFields } from "../../at/at-command.js";
import { atDigits, atInt } from "../../at/safe-args.js";
import type { AiMode } from "../../../src/ports/radio-terminal.js";
import { issiFromItsi } from "../../../src/shared/addresses.js";

/** AI modes of `+CTOM` (EN 300 392-5 clause 6.17.4 via svxlink's table, docs/pei.md §7.4). */
export function aiModeName(code: number): AiMode {
  switch (code) {
    case 0:
      return "tmo";
    case 1:
      return "dmo";
    case 2:
      return "tmo-dual-watch";
    case 3:
      return "dmo-dual-watch";
    default:
      return "other";
  }
}

/** Parses the value of a `+CTOM:` line, solicited or unsolicited. */
export function parseCtom(line: string): { code: number; name: AiMode } | undefined {
  const code = Number(splitFields(lineValue(line))[0]);
  return Number.isInteger(code) ? { code, name: aiModeName(code) } : undefined;
}

/**
 * Parses `+CTGS: <group type>,<identity>[,…]`: the selected group is the identity after the last comma
 * (ftl-pei). Terminals write it as a GTSI (`09011638300000001`, svxlink) or a bare GSSI; either way the
 * GSSI is the last 8 digits (docs/pei.md §3.3).
 */
export function parseCtgs(line: string): string | undefined {
  const fields = splitFields(lineValue(line)).filter((f) => f !== "");
  const id = fields.length >= 2 ? fields.at(-1) : fields[0];
  return id !== undefined && /^\d{1,20}$/.test(id) ? issiFromItsi(id) : undefined;
}

export const readMode: AtCommand<void, { code: number; name: AiMode }> = {
  name: "CTOM?",
  build: () => "AT+CTOM?",
  expect: ["+CTOM"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    const line = lines.find((l) => lineHeader(l) === "+CTOM");
    const mode = line === undefined ? undefined : parseCtom(line);
    if (!mode) throw new GatewayError("AT_BAD_RESPONSE", `CTOM?: unexpected answer ${JSON.stringify(lines)}`);
    return mode;
  },
};

export const setMode: AtCommand<{ code: number }, void> = {
  name: "CTOM=",
  build: ({ code }) => `AT+CTOM=${atInt(code, "AI mode", 0, 6)}`,
  timeoutMs: 5000,
  idempotent: true,
  parse: () => undefined,
};

/** `AT+CTGS?` → selected talk group, or undefined when none is selected. */
export const readSelectedGroup: AtCommand<void, string | undefined> = {
  name: "CTGS?",
  build: () => "AT+CTGS?",
  expect: ["+CTGS"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    const line = lines.find((l) => lineHeader(l) === "+CTGS");
    return line === undefined ? undefined : parseCtgs(line);
  },
};

/** `AT+CTGS=1,<gssi>`: select a talk group (group type 1 = select, EN 300 392-5 clause 6.15.6). */
export const selectGroup: AtCommand<{ gssi: string }, void> = {
  name: "CTGS=",
  build: ({ gssi }) => `AT+CTGS=1,${atDigits(gssi, "GSSI", 1, 17)}`,
  timeoutMs: 5000,
  // Selecting the same group twice is harmless, but the caller decides on retries (busy answers mean
  // group attachment signalling is running, docs/pei.md §7.1), so the engine does not retry it.
  idempotent: false,
  parse: () => undefined,
};
