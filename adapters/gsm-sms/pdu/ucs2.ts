/**
 * UCS-2 user data (TS 23.038 clause 7: 16-bit characters, big-endian). Like every current handset we
 * treat it as UTF-16BE: characters outside the BMP (emoji) travel as surrogate pairs.
 */

/** UTF-16BE octets of `text`, one pair of octets per UTF-16 code unit. */
export function textToUcs2(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

/**
 * Text of UTF-16BE octets. Code units are kept as they are, so a surrogate pair that another sender
 * split across two parts joins up again when the parts' texts are concatenated. Returns `null` for
 * an odd number of octets.
 */
export function ucs2ToText(octets: Uint8Array): string | null {
  if (octets.length % 2 !== 0) return null;
  const units: number[] = new Array<number>(octets.length / 2);
  for (let i = 0; i < units.length; i++) units[i] = ((octets[2 * i] ?? 0) << 8) | (octets[2 * i + 1] ?? 0);
  // Why chunks: String.fromCharCode with a huge spread could exceed the argument limit.
  let out = "";
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}

/** Index of the first unpaired UTF-16 surrogate in `text`, or -1 when the text is well formed. */
export function findLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (u >= 0xdc00 && u <= 0xdfff) return i;
  }
  return -1;
}
