/**
 * Single-byte and 16-bit character sets of the SDS text coding schemes (EN 300 392-2 clause 29.5.4.1,
 * table 29.29; docs/pei.md §5.8). Pure lookup code: no I/O, no ICU dependency for the schemes the gateway must
 * always understand (Latin-1, ISO 8859-5, ISO 8859-15, UCS-2).
 */

/**
 * Latin-1 to string. Done by hand on purpose: the WHATWG `TextDecoder('latin1')` is really windows-1252
 * and would turn 0x80–0x9F into typographic characters that ISO 8859-1 does not have.
 */
export function decodeLatin1(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** Index of the first UTF-16 code unit above 0xFF, or -1 when the text fits ISO 8859-1. */
export function firstNonLatin1(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return i;
  return -1;
}

/** Index of the first unpaired surrogate, or -1 when the string is well-formed UTF-16. */
export function firstLoneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return i;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Replace unpaired surrogates with U+FFFD so the text is valid UTF-16 (and valid UTF-8 in JSON). */
export function replaceLoneSurrogates(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
      } else out += "\uFFFD";
    } else if (c >= 0xdc00 && c <= 0xdfff) out += "\uFFFD";
    else out += text[i]!;
  }
  return out;
}

/**
 * Big-endian 16-bit code units to a string. Code units are kept as they are, so a surrogate pair that a
 * sender split across two concatenated parts rejoins when the parts are joined; callers that show a single
 * message run {@link replaceLoneSurrogates}. A trailing odd octet is ignored.
 */
export function decodeUtf16be(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}

/** String (well-formed UTF-16) to big-endian 16-bit code units; non-BMP characters become surrogate pairs. */
export function encodeUtf16be(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

/**
 * ISO 8859-5 (Cyrillic) fallback mapping for runtimes without ICU: 0x00–0xA0 and 0xAD equal Latin-1,
 * 0xF0 is № and 0xFD is §, everything else in 0xA1–0xFF maps linearly onto U+0401–U+045F.
 */
function iso8859_5(b: number): number {
  if (b <= 0xa0 || b === 0xad) return b;
  if (b === 0xf0) return 0x2116;
  if (b === 0xfd) return 0x00a7;
  return 0x0401 + (b - 0xa1);
}

/** ISO 8859-15 differs from Latin-1 in eight positions only (€ at 0xA4 among them). */
const ISO8859_15_DIFF: ReadonlyMap<number, number> = new Map([
  [0xa4, 0x20ac],
  [0xa6, 0x0160],
  [0xa8, 0x0161],
  [0xb4, 0x017d],
  [0xb8, 0x017e],
  [0xbc, 0x0152],
  [0xbd, 0x0153],
  [0xbe, 0x0178],
]);

const FALLBACK_MAPPERS: ReadonlyMap<string, (b: number) => number> = new Map([
  ["iso-8859-5", iso8859_5],
  ["iso-8859-15", (b: number) => ISO8859_15_DIFF.get(b) ?? b],
]);

/** What we use of the platform `TextDecoder` (typed structurally: the project's lib has no DOM types). */
interface ByteDecoder {
  decode(input: Uint8Array): string;
}

const decoderCache = new Map<string, ByteDecoder | null>();

function platformDecoder(label: string): ByteDecoder | null {
  if (!decoderCache.has(label)) {
    let d: ByteDecoder | null = null;
    try {
      d = new TextDecoder(label);
    } catch {
      d = null; // runtime built without the ICU data for this label
    }
    decoderCache.set(label, d);
  }
  return decoderCache.get(label) ?? null;
}

/**
 * Decode a single-byte ISO/IBM character set by WHATWG label. Uses the platform `TextDecoder` when it knows
 * the label and falls back to the built-in mapping for ISO 8859-5 and 8859-15. Returns `null` when neither
 * is available, so the caller can fall back to Latin-1 and say so.
 */
export function decodeSingleByte(label: string, bytes: Uint8Array): string | null {
  const d = platformDecoder(label);
  return d ? d.decode(bytes) : decodeSingleByteFallback(label, bytes);
}

/** Testing hook: decode with the built-in fallback mapping only (no `TextDecoder`). */
export function decodeSingleByteFallback(label: string, bytes: Uint8Array): string | null {
  const map = FALLBACK_MAPPERS.get(label);
  if (!map) return null;
  let out = "";
  for (const b of bytes) out += String.fromCharCode(map(b));
  return out;
}
