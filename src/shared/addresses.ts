import { GatewayError } from "./errors.js";

/**
 * The two kinds of address the gateway sends to, validated once for every adapter and caller: TETRA short
 * subscriber identities (Rakel terminals, EN 300 392-1) and E.164 telephone numbers (SMS, 3GPP TS 23.040).
 * Nothing else reaches the AT layer (docs/reliability.md #4 and #5).
 */

/** A TETRA short subscriber identity: 24 bits, 1-8 decimal digits. Individual (ISSI) or group (GSSI). */
export interface TetraAddress {
  kind: "issi" | "gssi";
  ssi: string;
}

/** Largest 24-bit short subscriber identity (EN 300 392-1 clause 7: SSI is 24 bits). */
export const MAX_SSI = 0xffffff;

/**
 * Checks an ISSI/GSSI from outside (CLI, MQTT, config): 1-8 decimal digits, at most 16777215. Anything
 * else, e.g. `2345678;AT+CTOM=1`, `+46…` or 9 digits, is rejected (docs/reliability.md #5).
 */
export function tetraAddress(kind: "issi" | "gssi", value: string | number): TetraAddress {
  const s = String(value).trim();
  if (!/^\d{1,8}$/.test(s) || Number(s) > MAX_SSI) {
    throw new GatewayError("SDS_INVALID", `invalid ${kind.toUpperCase()} ${JSON.stringify(String(value)).slice(0, 40)}: expected 1-8 digits, at most ${MAX_SSI}`, { context: { kind } });
  }
  return { kind, ssi: String(Number(s)) };
}

/** ISSI from an ITSI string of any length: its last 8 digits, leading zeros removed (docs/pei.md §3.3). */
export function issiFromItsi(itsi: string): string {
  const digits = itsi.replace(/\D/g, "");
  return String(Number(digits.slice(-8) || "0"));
}

const RECIPIENT = /^(\+?)([0-9]{3,20})$/;

/** A validated SMS recipient (E.164 or national number): the digits and whether the number is international. */
export interface Recipient {
  digits: string;
  international: boolean;
}

/**
 * Validates a recipient MSISDN: optional leading `+`, then 3–20 digits, nothing else (no spaces,
 * CR, `;`, letters). Throws `SMS_INVALID` "invalid recipient" otherwise.
 */
export function parseRecipient(to: string): Recipient {
  const m = typeof to === "string" ? RECIPIENT.exec(to) : null;
  if (m === null || m[2] === undefined) {
    throw new GatewayError("SMS_INVALID", "invalid recipient: expected an optional + and 3-20 digits", {
      context: { recipient: typeof to === "string" ? JSON.stringify(to.slice(0, 40)) : typeof to },
    });
  }
  return { digits: m[2], international: m[1] === "+" };
}

/** The canonical form of a valid recipient (`+digits` or `digits`); throws like `parseRecipient`. */
export function normalizeRecipient(to: string): string {
  const r = parseRecipient(to);
  return r.international ? `+${r.digits}` : r.digits;
}
