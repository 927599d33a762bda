/**
 * GSM 7-bit default alphabet, packed (SDS text coding scheme 0x00, EN 300 392-2 table 29.29, which refers to
 * the GSM 03.38 / 3GPP TS 23.038 alphabet and packing). Septets are packed least significant bit first into
 * octets, as in GSM SMS. Decoding only is needed for reception; the packer exists for round-trip tests.
 * The alphabet tables and the packer are the SMS codec's: TETRA refers to the very same TS 23.038
 * alphabet, so there is one copy of it. Unpacking stays here because SDS lengths count bits, not septets.
 */
import { gsm7ToText, textToGsm7 } from "../../../src/shared/gsm7/gsm7-alphabet.js";
import { packSeptets } from "../../../src/shared/gsm7/septets.js";

/**
 * Unpack septets from `bytes`.
 *
 * @param bytes octets holding the packed text
 * @param textBits meaningful bits (defaults to all octets); the septet count is `floor((textBits - fillBits) / 7)`
 * @param fillBits bits to skip first (septet alignment after a user data header)
 * @returns the septet values
 */
export function unpackSeptets(bytes: Uint8Array, textBits = bytes.length * 8, fillBits = 0): number[] {
  const count = Math.max(0, Math.floor((textBits - fillBits) / 7));
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = fillBits + 7 * i;
    const idx = bit >> 3;
    const shift = bit & 7;
    const lo = bytes[idx] ?? 0;
    const hi = bytes[idx + 1] ?? 0;
    out.push(((lo >> shift) | (hi << (8 - shift))) & 0x7f);
  }
  // When the length is only known in octets, 7 zero padding bits at the end look like one '@' (septet 0).
  // TS 23.038 has senders pad with CR in that case; we also drop a final 0 that lies wholly in the padding.
  const octets = Math.ceil(textBits / 8);
  if (textBits % 8 === 0 && count > 0 && out[count - 1] === 0 && Math.ceil((fillBits + 7 * (count - 1)) / 8) === octets) {
    out.pop();
  }
  return out;
}

/** Septets to text, honouring the escape to the extension table (a dangling escape shows as a space). */
export function septetsToText(septets: readonly number[]): string {
  return gsm7ToText(septets);
}

/** Decode packed GSM 7-bit text. See {@link unpackSeptets} for the parameters. */
export function decodeGsm7(bytes: Uint8Array, textBits?: number, fillBits = 0): string {
  return septetsToText(unpackSeptets(bytes, textBits, fillBits));
}

/**
 * Pack text into GSM 7-bit septets (basic and extension tables). Returns `null` when a character is not in
 * the GSM alphabet. Used by tests; the gateway itself sends Latin-1 or UCS-2.
 */
export function encodeGsm7(text: string): { bytes: Uint8Array; bits: number } | null {
  const septets = textToGsm7(text);
  return septets === null ? null : { bytes: packSeptets(septets), bits: septets.length * 7 };
}
