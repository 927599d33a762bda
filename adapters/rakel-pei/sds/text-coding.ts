/**
 * Text coding schemes for SDS text (EN 300 392-2 clause 29.5.4.1, table 29.29; docs/pei.md §5.8).
 *
 * Sending: ISO 8859-1 (0x01) whenever every character fits, because Swedish å ä ö Å Ä Ö é do and every
 * terminal understands it; UCS-2 (0x1A) as soon as one character is outside Latin-1. Never UTF-8 bytes
 * under a Latin-1 label (the ftl-pei bug of docs/pei.md §10.10).
 *
 * Receiving: 0x00, 0x01, 0x1A always; ISO 8859-x and the IBM code pages through the platform decoder when
 * it has them (0x05 and 0x0D also without ICU); anything else leniently as Latin-1, flagged as such.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import {
  decodeLatin1,
  decodeSingleByte,
  decodeUtf16be,
  encodeUtf16be,
  firstLoneSurrogate,
  firstNonLatin1,
  replaceLoneSurrogates,
} from "./charsets.js";
import { decodeGsm7 } from "./gsm7.js";

/** Text coding scheme numbers used by this codec (table 29.29). */
export const TEXT_CODING = {
  GSM7: 0x00,
  LATIN1: 0x01,
  ISO8859_5: 0x05,
  ISO8859_15: 0x0d,
  UCS2: 0x1a,
} as const;

/** Coding schemes the encoder can emit. */
export type OutgoingCodingScheme = typeof TEXT_CODING.LATIN1 | typeof TEXT_CODING.UCS2;

/** Caller's choice of coding: `auto` picks Latin-1 when possible, UCS-2 otherwise. */
export type TextCodingChoice = "auto" | "latin1" | "ucs2";

/**
 * WHATWG labels of the table 29.29 single-byte schemes whose WHATWG decoder is exactly the ISO/IBM table.
 * 0x01 (WHATWG maps it to windows-1252), 0x09 (windows-1254) and the code pages without a WHATWG decoder
 * are deliberately absent.
 */
const SINGLE_BYTE_LABELS: ReadonlyMap<number, string> = new Map([
  [0x02, "iso-8859-2"],
  [0x03, "iso-8859-3"],
  [0x04, "iso-8859-4"],
  [0x05, "iso-8859-5"],
  [0x06, "iso-8859-6"],
  [0x07, "iso-8859-7"],
  [0x08, "iso-8859-8"],
  [0x0a, "iso-8859-10"],
  [0x0b, "iso-8859-13"],
  [0x0c, "iso-8859-14"],
  [0x0d, "iso-8859-15"],
  [0x18, "ibm866"],
]);

/**
 * `auto` coding for `text`: 0x01 when every character is in ISO 8859-1, else 0x1A.
 *
 * Table 29.29 names 0x1A 16-bit UCS-2 (the Basic Multilingual Plane), while docs/pei.md §5.8 calls it UCS-2
 * (UTF-16BE). We send characters beyond the BMP (emoji) as UTF-16 surrogate pairs because there is no other
 * way to carry them; a strictly UCS-2 terminal will show such a pair as two unknown characters.
 */
export function chooseTextCoding(text: string): OutgoingCodingScheme {
  return firstNonLatin1(text) < 0 ? TEXT_CODING.LATIN1 : TEXT_CODING.UCS2;
}

/** Resolve a caller's {@link TextCodingChoice} for `text` (throws `SDS_INVALID` if impossible). */
export function resolveTextCoding(text: string, choice: TextCodingChoice = "auto"): OutgoingCodingScheme {
  assertWellFormed(text);
  if (choice === "ucs2") return TEXT_CODING.UCS2;
  if (choice === "latin1") {
    const i = firstNonLatin1(text);
    if (i >= 0) {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? 0);
      throw new GatewayError("SDS_INVALID", `character ${JSON.stringify(ch)} at index ${i} is not in ISO 8859-1; use coding "auto" or "ucs2"`, {
        context: { index: i },
      });
    }
    return TEXT_CODING.LATIN1;
  }
  return chooseTextCoding(text);
}

function assertWellFormed(text: string): void {
  const i = firstLoneSurrogate(text);
  if (i >= 0) {
    throw new GatewayError("SDS_INVALID", `text has an unpaired UTF-16 surrogate at index ${i}; it cannot be encoded`, { context: { index: i } });
  }
}

/**
 * Encode text in an outgoing scheme. Throws `SDS_INVALID` for characters the scheme cannot carry or for
 * malformed UTF-16; never substitutes.
 */
export function encodeText(text: string, scheme: OutgoingCodingScheme): Uint8Array {
  assertWellFormed(text);
  if (scheme === TEXT_CODING.UCS2) return encodeUtf16be(text);
  resolveTextCoding(text, "latin1");
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Octets per unit of {@link splitCharacters}: Latin-1 1 per character, UCS-2 2 per BMP character, 4 per pair. */
export function encodedLength(chars: readonly string[], scheme: OutgoingCodingScheme): number {
  let n = 0;
  for (const c of chars) n += scheme === TEXT_CODING.UCS2 ? 2 * c.length : 1;
  return n;
}

/**
 * The text as indivisible characters of the target coding: Unicode code points, so a surrogate pair is one
 * unit and is never split across concatenated parts (docs/pei.md §5.10).
 */
export function splitCharacters(text: string): string[] {
  return Array.from(text);
}

/** Result of {@link decodeText}. */
export interface DecodedText {
  text: string;
  /** True when the scheme was not understood and the octets were shown as Latin-1. */
  lenient: boolean;
}

/** Options for {@link decodeText}. */
export interface DecodeTextOptions {
  /** Meaningful bits in `bytes` (GSM 7-bit needs it to count septets); defaults to all octets. */
  textBits?: number;
  /** GSM 7-bit only: fill bits before the first septet (after a user data header). */
  fillBits?: number;
  /** UCS-2 only: keep unpaired surrogates (for parts that are joined later). Default false. */
  keepLoneSurrogates?: boolean;
}

/** Decode received text in any table 29.29 scheme. Never throws. */
export function decodeText(scheme: number, bytes: Uint8Array, options: DecodeTextOptions = {}): DecodedText {
  if (scheme === TEXT_CODING.LATIN1) return { text: decodeLatin1(bytes), lenient: false };
  if (scheme === TEXT_CODING.UCS2) {
    const raw = decodeUtf16be(bytes);
    return { text: options.keepLoneSurrogates ? raw : replaceLoneSurrogates(raw), lenient: false };
  }
  if (scheme === TEXT_CODING.GSM7) return { text: decodeGsm7(bytes, options.textBits, options.fillBits ?? 0), lenient: false };
  const label = SINGLE_BYTE_LABELS.get(scheme);
  const decoded = label === undefined ? null : decodeSingleByte(label, bytes);
  if (decoded !== null) return { text: decoded, lenient: false };
  // Unknown or unsupported scheme: be lenient like ftl-pei (docs/pei.md §5.8) and show Latin-1, flagged.
  return { text: decodeLatin1(bytes), lenient: true };
}
