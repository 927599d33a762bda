/**
 * Strict hex helpers for PEI user data lines.
 *
 * Output is always uppercase (every surveyed sender uses uppercase, docs/pei.md §1.5). Input is tolerant of
 * lower case and whitespace (ftl-pei strips whitespace, docs/pei.md §4.2), but anything else that is not a hex
 * digit is rejected with a reason: a data line is the only channel for the PDU, and guessing at garbage
 * would turn line noise into phantom messages.
 */
import { fail, ok } from "../../../src/shared/errors.js";
import type { ParseResult } from "../../../src/shared/errors.js";

/** Bytes of a hex string, plus the number of meaningful bits (the rest of the last byte is zero). */
export interface HexBytes {
  /** Octets, `ceil(bits / 8)` of them; bits beyond `bits` in the last octet are cleared. */
  readonly bytes: Uint8Array;
  /** Meaningful bit count (the declared length, or digit count × 4 when none was declared). */
  readonly bits: number;
  /** Canonical hex: uppercase, no whitespace, exactly `ceil(bits / 4)` digits. */
  readonly hex: string;
}

const HEX_DIGITS = "0123456789ABCDEF";

/** Uppercase hex of `bytes`, two digits per octet, no separators. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 0x0f]!;
  return out;
}

/**
 * Parse a hex data line.
 *
 * - Whitespace anywhere is ignored and lower case accepted.
 * - An odd digit count is padded with a trailing `0` before byte decoding: a Sepura terminal sends the
 *   84-bit LIP report as 21 digits (docs/pei.md §4.2).
 * - With `bits`, the data must cover at least `bits` bits; octets beyond `ceil(bits / 8)` are dropped and
 *   bits beyond `bits` in the last octet are cleared, so padding never leaks into decoders (docs/pei.md §4.2).
 * - Without `bits`, the length is digit count × 4.
 *
 * Never throws.
 */
export function parseHex(input: string, bits?: number): ParseResult<HexBytes> {
  const digits = input.replace(/\s+/g, "");
  const bad = /[^0-9a-fA-F]/.exec(digits);
  if (bad) {
    const code = bad[0].codePointAt(0) ?? 0;
    return fail(`not hex: character ${JSON.stringify(bad[0])} (U+${code.toString(16).toUpperCase().padStart(4, "0")}) at digit ${bad.index}`);
  }
  const available = digits.length * 4;
  let wanted = available;
  if (bits !== undefined) {
    if (!Number.isInteger(bits) || bits < 0) return fail(`bit length must be a non-negative integer, got ${bits}`);
    if (bits > available) return fail(`declared ${bits} bits but the data has only ${digits.length} hex digits (${available} bits)`);
    wanted = bits;
  }
  const padded = digits.length % 2 === 1 ? `${digits}0` : digits;
  const byteCount = Math.ceil(wanted / 8);
  const bytes = new Uint8Array(byteCount);
  for (let i = 0; i < byteCount; i++) bytes[i] = Number.parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  const spare = byteCount * 8 - wanted;
  if (spare > 0 && byteCount > 0) bytes[byteCount - 1] = bytes[byteCount - 1]! & ((0xff << spare) & 0xff);
  const hex = bytesToHex(bytes).slice(0, Math.ceil(wanted / 4));
  return ok({ bytes, bits: wanted, hex });
}

/** Like {@link parseHex} but returns only the canonical hex string. */
export function normalizeHex(input: string, bits?: number): ParseResult<string> {
  const r = parseHex(input, bits);
  return r.ok ? ok(r.value.hex) : r;
}

/** Two uppercase hex digits of one octet (0–255). */
export function hexByte(n: number): string {
  return HEX_DIGITS[(n >> 4) & 0x0f]! + HEX_DIGITS[n & 0x0f]!;
}
