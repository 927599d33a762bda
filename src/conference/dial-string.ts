import type { DtmfKey } from "../ports/conference-bridge.js";
import { GatewayError } from "../shared/errors.js";

/**
 * A PIN as written in the configuration, e.g. `4711#`, `*12,,345#`: DTMF keys (0-9, `*`, `#`, A-D) sent in
 * order, and `,` for a pause (the comma pause of phone dial strings, ITU-T V.250 6.3.1: one pause per comma).
 * Spaces are ignored so long PINs can be grouped for reading. Anything else is refused: a PIN must never be
 * "mostly" sent.
 */
export type DialStep = { kind: "key"; key: DtmfKey } | { kind: "pause" };

const KEYS = new Set("0123456789*#ABCD");

export function parseDialString(text: string): DialStep[] {
  const steps: DialStep[] = [];
  for (const ch of text.toUpperCase()) {
    if (ch === " ") continue;
    if (ch === ",") steps.push({ kind: "pause" });
    else if (KEYS.has(ch)) steps.push({ kind: "key", key: ch as DtmfKey });
    // The character itself is not echoed: it is part of a secret.
    else throw new GatewayError("SIP_BAD_DIAL_STRING", "PIN contains a character that is not 0-9, *, #, A-D, ',' (pause) or space");
  }
  return steps;
}

/** True when `text` is a valid dial string (config checks). */
export function isDialString(text: string): boolean {
  return /^[0-9*#A-Da-d, ]*$/.test(text);
}
