/**
 * GSM 7-bit default alphabet, packed (SDS text coding scheme 0x00, EN 300 392-2 table 29.29, which refers to
 * the GSM 03.38 / 3GPP TS 23.038 alphabet and packing). Septets are packed least significant bit first into
 * octets, as in GSM SMS. Decoding only is needed for reception; the packer exists for round-trip tests.
 */

/** The 128 basic characters; index = septet value. 0x1B is the escape to the extension table. */
const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** Extension table (after 0x1B). Unlisted codes fall back to the basic character, per TS 23.038. */
const EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, "\f"],
  [0x14, "^"],
  [0x28, "{"],
  [0x29, "}"],
  [0x2f, "\\"],
  [0x3c, "["],
  [0x3d, "~"],
  [0x3e, "]"],
  [0x40, "|"],
  [0x65, "€"],
]);

const ESC = 0x1b;

/** Number of characters in the basic table (exported so a test can guard the literal above). */
export const GSM7_BASIC_SIZE = BASIC.length;

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

/** Septets to text, honouring the escape to the extension table. */
export function septetsToText(septets: readonly number[]): string {
  let out = "";
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]!;
    if (s === ESC && i + 1 < septets.length) {
      const e = septets[++i]!;
      out += EXTENSION.get(e) ?? BASIC[e]!;
    } else if (s === ESC) {
      out += " "; // a dangling escape at the very end: TS 23.038 says display a space
    } else {
      out += BASIC[s]!;
    }
  }
  return out;
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
  const septets: number[] = [];
  for (const ch of text) {
    const basic = BASIC.indexOf(ch);
    if (basic >= 0 && basic !== ESC) {
      septets.push(basic);
      continue;
    }
    let ext = -1;
    for (const [code, c] of EXTENSION) if (c === ch) ext = code;
    if (ext < 0) return null;
    septets.push(ESC, ext);
  }
  const bits = septets.length * 7;
  const bytes = new Uint8Array(Math.ceil(bits / 8));
  septets.forEach((s, i) => {
    const bit = 7 * i;
    const idx = bit >> 3;
    const shift = bit & 7;
    bytes[idx] = bytes[idx]! | ((s << shift) & 0xff);
    if (shift > 1) bytes[idx + 1] = bytes[idx + 1]! | (s >> (8 - shift));
  });
  return { bytes, bits };
}
