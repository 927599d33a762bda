/**
 * Long texts: one plain SDS-TL text when it fits the per-PDU budget, otherwise several SDS-TRANSFERs with
 * PID 0x8A and a user data header carrying a concatenation element (EN 300 392-2 clause 29.5.9 / 29.5.10,
 * UDH from 3GPP TS 23.040; docs/pei.md §5.10).
 */
import { GatewayError } from "../../../src/shared/errors.js";
import { DEFAULT_MAX_BITS, MAX_TYPE4_BITS, PID } from "./constants.js";
import { assertIntInRange, assertText, encodeSdsTlText, encodeSimpleText, textHeaderOctet, transferControlOctet } from "./encode-text.js";
import type { SdsTlTextOptions, SimpleTextOptions } from "./encode-text.js";
import { bytesToHex } from "./hex.js";
import { encodeText, encodedLength, resolveTextCoding, splitCharacters } from "./text-coding.js";
import type { OutgoingCodingScheme } from "./text-coding.js";
import type { EncodedPart, EncodedParts } from "./types.js";

/** Limits shared by both flavours of {@link encodeTextParts}. */
export interface PartLimits {
  /** Per-PDU budget in bits, default 668 (what works on real terminals, docs/pei.md §3.2); at most 2047. */
  maxBits?: number;
  /** Maximum number of parts, default 8 (1–255; the UDH counts parts in one octet). */
  maxParts?: number;
}

/** SDS-TL text that may be split into 0x8A parts. */
export type SdsTlPartsOptions = SdsTlTextOptions & PartLimits & { simple?: false };

/** Simple text (0x02/0x09): there is no concatenation for it here, so it must fit one PDU. */
export type SimplePartsOptions = SimpleTextOptions & PartLimits & { simple: true };

/** Options of {@link encodeTextParts}. */
export type TextPartsOptions = SdsTlPartsOptions | SimplePartsOptions;

/** Default cap on parts: 8 × 73 Latin-1 characters is already a long read on a terminal display. */
export const DEFAULT_MAX_PARTS = 8;

/** Octets before the text of a plain 0x82/0x89 PDU: PID, control, reference, text header. */
const PLAIN_OVERHEAD = 4;
/** Octets before the text of a 0x8A part: the four above plus UDH length, IE id, IE length, ref, total, part. */
const UDH_OVERHEAD = 10;
/** Smallest budget accepted at all: a simple text of one Latin-1 character (PID, coding, character). */
const MIN_MAX_BITS = 24;

function invalid(message: string, context: Record<string, unknown> = {}): GatewayError {
  return new GatewayError("SDS_INVALID", message, { context });
}

/** Greedy split into chunks of at most `capacity` octets, by characters of the target coding. */
function splitByOctets(chars: readonly string[], scheme: OutgoingCodingScheme, capacity: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const ch of chars) {
    const size = encodedLength([ch], scheme);
    if (used + size > capacity) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(ch);
    used += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Encode a text as one or more SDS PDUs within `maxBits` per PDU.
 *
 * - Fits: one plain PDU, identical to {@link encodeSdsTlText} (or {@link encodeSimpleText} with `simple`).
 * - Too long (SDS-TL only): PID 0x8A parts, each with UDH `05 00 03 <ref> <total> <part>`; the UDH
 *   reference is `messageReference` and each part's SDS-TL message reference is `messageReference + i`
 *   (mod 256), as terminals do it (docs/pei.md §5.4). Every part requests the same delivery report, so each part
 *   gets its own report (delivery status 0x06 "concatenation part received").
 * - The whole text uses one coding (Latin-1 if every character fits, else UCS-2) and is split by
 *   characters of that coding; a surrogate pair is never split (docs/pei.md §5.10).
 * - `immediate` cannot survive concatenation: there is no immediate variant of PID 0x8A, so long immediate
 *   texts arrive as normal texts.
 *
 * Throws `SDS_INVALID` when the text needs more than `maxParts` parts or the options are invalid.
 */
export function encodeTextParts(text: string, options: TextPartsOptions): EncodedParts {
  assertText(text);
  const maxBits = options.maxBits ?? DEFAULT_MAX_BITS;
  const maxParts = options.maxParts ?? DEFAULT_MAX_PARTS;
  assertIntInRange(maxBits, MIN_MAX_BITS, MAX_TYPE4_BITS, "maxBits");
  assertIntInRange(maxParts, 1, 255, "maxParts");

  if (options.simple === true) {
    const single = encodeSimpleText(text, options);
    if (single.bits > maxBits) {
      throw invalid(`simple text needs ${single.bits} bits but maxBits is ${maxBits}; simple text cannot be concatenated, shorten it or use SDS-TL text`, {
        bits: single.bits,
        maxBits,
      });
    }
    return { aiService: 12, parts: [{ hex: single.hex, bits: single.bits }] };
  }

  const control = transferControlOctet(options);
  const scheme = resolveTextCoding(text, options.coding ?? "auto");
  const chars = splitCharacters(text);
  const textOctets = encodedLength(chars, scheme);
  const budget = Math.floor(maxBits / 8);

  if (PLAIN_OVERHEAD + textOctets <= budget) {
    const single = encodeSdsTlText(text, options);
    return { aiService: 12, parts: [{ hex: single.hex, bits: single.bits }] };
  }

  const capacity = budget - UDH_OVERHEAD;
  const widest = chars.reduce((w, c) => Math.max(w, encodedLength([c], scheme)), 0);
  if (capacity < widest) {
    throw invalid(`maxBits ${maxBits} leaves ${Math.max(0, capacity)} octets of text per concatenated part, too few for one character; raise maxBits`, {
      maxBits,
    });
  }
  const chunks = splitByOctets(chars, scheme, capacity);
  if (chunks.length > maxParts) {
    const unit = scheme === 0x01 ? "Latin-1 characters" : "UCS-2 code units";
    const perPart = scheme === 0x01 ? capacity : Math.floor(capacity / 2);
    throw invalid(
      `text of ${chars.length} characters needs ${chunks.length} parts at maxBits ${maxBits} but at most ${maxParts} are allowed ` +
        `(${perPart} ${unit} per part); shorten the text or raise maxParts`,
      { parts: chunks.length, maxParts, maxBits },
    );
  }

  const base = options.messageReference;
  const total = chunks.length;
  const parts: EncodedPart[] = chunks.map((chunk, i) => {
    const body = encodeText(chunk.join(""), scheme);
    const udh = [0x05, 0x00, 0x03, base, total, i + 1]; // IE 0x00: 8-bit reference, total, 1-based part
    const bytes = Uint8Array.from([PID.USER_DATA_HEADER, control, (base + i) % 256, textHeaderOctet(scheme), ...udh, ...body]);
    return { hex: bytesToHex(bytes), bits: bytes.length * 8 };
  });
  return { aiService: 12, parts };
}
