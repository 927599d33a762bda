/**
 * User data header (TS 23.040 9.2.3.24): UDHL, then information elements (IEI, IEDL, data).
 * Concatenation IEs: 0x00 with an 8-bit reference (9.2.3.24.1), 0x08 with a 16-bit one (9.2.3.24.8).
 */
import { bytesToHex } from "./hex.js";

/** Concatenation information of one part. */
export interface ConcatInfo {
  reference: number;
  /** Number of parts in the whole message (1–255). */
  total: number;
  /** This part's number, 1-based. */
  sequence: number;
  referenceBits: 8 | 16;
}

/** One information element, raw. */
export interface InformationElement {
  iei: number;
  hex: string;
}

/** A decoded user data header. */
export interface UserDataHeader {
  elements: InformationElement[];
  /** The concatenation IE when present and valid, else `null`. */
  concat: ConcatInfo | null;
}

/** IEI of concatenated short messages with an 8-bit reference. */
export const IEI_CONCAT_8 = 0x00;
/** IEI of concatenated short messages with a 16-bit reference. */
export const IEI_CONCAT_16 = 0x08;

/** Octets of a concatenation UDH, UDHL included: 6 octets (8-bit reference) or 7 (16-bit). */
export function concatHeaderLength(referenceBits: 8 | 16): number {
  return referenceBits === 16 ? 7 : 6;
}

/** Encodes a UDH holding just the concatenation IE, UDHL octet first. */
export function encodeConcatHeader(info: ConcatInfo): number[] {
  if (info.referenceBits === 16) {
    return [0x06, IEI_CONCAT_16, 0x04, (info.reference >> 8) & 0xff, info.reference & 0xff, info.total, info.sequence];
  }
  return [0x05, IEI_CONCAT_8, 0x03, info.reference & 0xff, info.total, info.sequence];
}

function concatFrom(iei: number, data: Uint8Array): ConcatInfo | null {
  const wide = iei === IEI_CONCAT_16;
  if (data.length !== (wide ? 4 : 3)) return null;
  const reference = wide ? ((data[0] ?? 0) << 8) | (data[1] ?? 0) : (data[0] ?? 0);
  const total = data[wide ? 2 : 1] ?? 0;
  const sequence = data[wide ? 3 : 2] ?? 0;
  // Why: TS 23.040 9.2.3.24.1 says to ignore the whole IE when the maximum is 0 or the sequence
  // number is 0 or greater than the maximum.
  if (total === 0 || sequence === 0 || sequence > total) return null;
  return { reference, total, sequence, referenceBits: wide ? 16 : 8 };
}

/**
 * Decodes a UDH from the start of the user data. Returns the header and its size in octets
 * (UDHL included), or a reason string when the header overruns the data.
 */
export function decodeHeader(ud: Uint8Array): { header: UserDataHeader; octets: number } | string {
  const udhl = ud[0];
  if (udhl === undefined) return "user data header indicated but user data is empty";
  if (udhl + 1 > ud.length) return `user data header length ${udhl} exceeds the user data`;
  const elements: InformationElement[] = [];
  let concat: ConcatInfo | null = null;
  let i = 1;
  while (i < udhl + 1) {
    const iei = ud[i];
    const len = ud[i + 1];
    if (iei === undefined || len === undefined || i + 2 + len > udhl + 1) {
      return `information element at header offset ${i} overruns the user data header`;
    }
    const data = ud.subarray(i + 2, i + 2 + len);
    elements.push({ iei, hex: bytesToHex(data) });
    if (concat === null && (iei === IEI_CONCAT_8 || iei === IEI_CONCAT_16)) concat = concatFrom(iei, data);
    i += 2 + len;
  }
  return { header: { elements, concat }, octets: udhl + 1 };
}
