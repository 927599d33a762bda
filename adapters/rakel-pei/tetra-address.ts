import { GatewayError } from "../../src/shared/errors.js";
import type { TetraAddress } from "../../src/ports/radio-terminal.js";

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
