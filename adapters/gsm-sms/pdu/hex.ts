/**
 * Hex helpers. A PDU travels to the modem as hex text after `AT+CMGS=<length>` (TS 27.005 3.5.1,
 * PDU mode), so whatever the message text contains, only `[0-9A-F]` reaches the serial line:
 * that is what makes AT-command injection through SMS text impossible.
 */
import { GatewayError } from "../../../src/shared/errors.js";

const SAFE_HEX = /^(?:[0-9A-F]{2})+$/;
const ANY_HEX = /^(?:[0-9A-Fa-f]{2})*$/;
const DIGITS = "0123456789ABCDEF";

/** Uppercase hex of `bytes`, two characters per octet. */
export function bytesToHex(bytes: Uint8Array | readonly number[]): string {
  let out = "";
  for (const b of bytes) out += (DIGITS[(b >> 4) & 0x0f] ?? "0") + (DIGITS[b & 0x0f] ?? "0");
  return out;
}

/**
 * Octets of a hex string (either case, no separators, even length). Surrounding whitespace is
 * tolerated because modem lines often carry it; anything else yields `null`.
 */
export function hexToBytes(hex: string): Uint8Array | null {
  const s = hex.trim();
  if (!ANY_HEX.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** True when `hex` is non-empty, even-length and only `0-9A-F` (uppercase): safe after `AT+CMGS`. */
export function isSafeHex(hex: string): boolean {
  return SAFE_HEX.test(hex);
}

/**
 * Throws `AT_UNSAFE_ARGUMENT` unless `hex` is non-empty, even-length uppercase hex. The AT layer can
 * call this right before writing a PDU line, so no CR, Ctrl-Z or ESC can ever be smuggled in.
 */
export function assertSafeHex(hex: string): void {
  if (!isSafeHex(hex)) {
    throw new GatewayError("AT_UNSAFE_ARGUMENT", "PDU is not uppercase hex; refusing to put it on the wire", {
      context: { length: hex.length },
    });
  }
}
