/**
 * How many parts a text needs on each channel, so templates can keep an alert to one part where the text
 * allows. Follows the encoders' rules; the GSM-7 alphabet is the one kit in src/shared/gsm7/ that the SMS PDU
 * and SDS codecs use too (the domain never imports adapters):
 *
 * - SDS-TL text (EN 300 392-2 clause 29.5.3): Latin-1 (coding 0x01) one octet per character, else UCS-2 (two);
 *   4 octets of header in a single PDU, 10 with the concatenation UDH (see adapters/rakel-pei/sds/concatenate.ts).
 * - SMS (3GPP TS 23.038 / 23.040): GSM-7 160 septets (extension characters take two), 153 per part when
 *   concatenated; otherwise UCS-2 70 / 67.
 */
import { gsm7Length } from "../shared/gsm7/gsm7-alphabet.js";

function isLatin1(text: string): boolean {
  for (const ch of text) if ((ch.codePointAt(0) ?? 0) > 0xff) return false;
  return true;
}

/** Number of SMS parts `text` needs. */
export function smsParts(text: string): number {
  const septets = gsm7Length(text);
  if (septets !== null) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UTF-16 code units = UCS-2/UTF-16 characters on the air
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** Number of SDS-TL parts `text` needs with `maxBits` per PDU. */
export function sdsParts(text: string, maxBits: number): number {
  const octets = Math.floor(maxBits / 8);
  const perChar = isLatin1(text) ? 1 : 2;
  const len = [...text].length * perChar;
  if (len + 4 <= octets) return 1;
  return Math.ceil(len / ((octets - 10) - ((octets - 10) % perChar)));
}
