/**
 * Address fields (TS 23.040 9.1.2.5): Address-Length in semi-octets, Type-of-Address
 * (bit 7 = 1, TON bits 6–4, NPI bits 3–0), then the digits as swapped BCD with an F filler.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import { normalizeRecipient, parseRecipient, type Recipient } from "../../../src/shared/addresses.js";
import { gsm7ToText, textToGsm7 } from "../../../src/shared/gsm7/gsm7-alphabet.js";
export { normalizeRecipient, parseRecipient, type Recipient };
import { PduDecodeError, type ByteReader } from "./reader.js";
import { packSeptets, unpackSeptets } from "../../../src/shared/gsm7/septets.js";

/** Type of number (TON, TS 23.040 9.1.2.5), as a name. */
export type AddressType =
  | "unknown"
  | "international"
  | "national"
  | "network-specific"
  | "subscriber"
  | "alphanumeric"
  | "abbreviated"
  | "reserved";

/** A decoded address. `address` is `+digits` for international numbers, text for alphanumeric. */
export interface SmsAddress {
  address: string;
  type: AddressType;
  /** The raw Type-of-Address octet. */
  toa: number;
}

const TON_NAMES: readonly AddressType[] = [
  "unknown",
  "international",
  "national",
  "network-specific",
  "subscriber",
  "alphanumeric",
  "abbreviated",
  "reserved",
];

/** TOA 0x91: TON international, NPI ISDN/E.164. */
export const TOA_INTERNATIONAL = 0x91;
/** TOA 0x81: TON unknown, NPI ISDN: a number as dialled, e.g. with the national trunk prefix 0. */
export const TOA_UNKNOWN = 0x81;
/** TOA 0xD0: TON alphanumeric (GSM-7 packed), NPI unknown. */
export const TOA_ALPHANUMERIC = 0xd0;

// Semi-octet values 0xA–0xE (TS 24.008 10.5.4.7 called party BCD number): * # a b c.
const BCD_DIGITS = "0123456789*#abc";

/** Swapped-BCD semi-octets of a digit string, padded with F when the count is odd. */
export function digitsToSemiOctets(digits: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = BCD_DIGITS.indexOf(digits[i] ?? "");
    const hi = i + 1 < digits.length ? BCD_DIGITS.indexOf(digits[i + 1] ?? "") : 0xf;
    out.push(((hi & 0x0f) << 4) | (lo & 0x0f));
  }
  return out;
}

/**
 * Destination/originator address field for a recipient string: `+46701234567` → TOA 0x91,
 * `0701234567` → TOA 0x81 (TON unknown: the number as dialled, national prefix included).
 */
export function encodeAddress(to: string): number[] {
  const r = parseRecipient(to);
  return [r.digits.length, r.international ? TOA_INTERNATIONAL : TOA_UNKNOWN, ...digitsToSemiOctets(r.digits)];
}

/**
 * Alphanumeric address field (TON 101): GSM-7 packed, length = semi-octets actually used
 * (TS 23.040 9.1.2.5). For simulators and tests; at most 11 characters.
 */
export function encodeAlphanumericAddress(text: string): number[] {
  const septets = textToGsm7(text);
  if (septets === null || septets.length === 0 || septets.length > 11) {
    throw new GatewayError("SMS_INVALID", "invalid alphanumeric address: 1-11 GSM-7 characters expected");
  }
  const packed = packSeptets(septets);
  return [Math.ceil((septets.length * 7) / 4), TOA_ALPHANUMERIC, ...packed];
}

function semiOctetsToDigits(octets: Uint8Array, count: number, what: string): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const b = octets[i >> 1] ?? 0xff;
    const nibble = i % 2 === 0 ? b & 0x0f : b >> 4;
    const ch = BCD_DIGITS[nibble];
    if (ch === undefined) throw new PduDecodeError(`${what} has an invalid semi-octet 0x${nibble.toString(16)}`);
    out += ch;
  }
  return out;
}

function describe(toa: number, value: string): SmsAddress {
  const type = TON_NAMES[(toa >> 4) & 0x07] ?? "reserved";
  return { address: type === "international" && value !== "" ? `+${value}` : value, type, toa };
}

/** Reads a TP-OA / TP-DA / TP-RA address field (2–12 octets). */
export function readAddress(reader: ByteReader, what: string): SmsAddress {
  const length = reader.u8(`${what} length`);
  if (length > 20) throw new PduDecodeError(`${what} length ${length} exceeds 20 semi-octets`);
  const toa = reader.u8(`${what} type`);
  const octets = reader.take(Math.ceil(length / 2), what);
  if (((toa >> 4) & 0x07) === 5) {
    // Why: alphanumeric addresses are GSM-7 septets packed into `length` semi-octets (TS 23.040 9.1.2.5).
    const septets = unpackSeptets(octets, Math.floor((length * 4) / 7)) ?? [];
    return describe(toa, gsm7ToText(septets));
  }
  return describe(toa, semiOctetsToDigits(octets, length, what));
}

/**
 * Reads the SMSC field that precedes the TPDU in `+CMGR`/`+CMT` PDUs (TS 24.011 8.2.5.1 RP address:
 * the length counts octets including the type octet). Length 0 means "none" (`null`); gammu's
 * `01 81` (type only) yields an empty address.
 */
export function readSmsc(reader: ByteReader): SmsAddress | null {
  const length = reader.u8("SMSC length");
  if (length === 0) return null;
  if (length > 11) throw new PduDecodeError(`SMSC length ${length} exceeds 11 octets`);
  const toa = reader.u8("SMSC type");
  const octets = reader.take(length - 1, "SMSC address");
  let count = octets.length * 2;
  // Why: the last semi-octet is an F filler when the number of digits is odd.
  if (count > 0 && ((octets[octets.length - 1] ?? 0) >> 4) === 0x0f) count--;
  return describe(toa, semiOctetsToDigits(octets, count, "SMSC address"));
}
