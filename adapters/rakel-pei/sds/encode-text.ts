/**
 * Text encoders: SDS-TL text messaging (PID 0x82, immediate 0x89; EN 300 392-2 clause 29.4.2.4 and
 * 29.5.3) and simple text messaging (PID 0x02, immediate 0x09; clause 29.5.2). All throw `GatewayError`
 * with code `SDS_INVALID` on bad input.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import {
  DELIVERY_REPORT_CODES,
  MAX_TYPE4_BITS,
  PID,
  SDS_TL_MESSAGE_TYPE,
  deliveryReportCode,
} from "./constants.js";
import type { DeliveryReportRequest } from "./constants.js";
import { bytesToHex } from "./hex.js";
import { encodeText, resolveTextCoding } from "./text-coding.js";
import type { OutgoingCodingScheme, TextCodingChoice } from "./text-coding.js";
import type { EncodedSds } from "./types.js";

/** Options of an SDS-TL text (also the per-part options of concatenated texts). */
export interface SdsTlTextOptions {
  /** SDS-TL message reference, 0–255; reports echo it (docs/pei.md §5.4). */
  messageReference: number;
  /** True when the destination is a group (GSSI). Drives the service-selection bit (docs/pei.md §5.3). */
  group: boolean;
  /** Delivery report to request; default `none`. Must be `none` toward a group. */
  deliveryReport?: DeliveryReportRequest;
  /** PID 0x89 instead of 0x82: the terminal shows the message at once. */
  immediate?: boolean;
  /** Text coding; default `auto` (Latin-1 when possible, else UCS-2). */
  coding?: TextCodingChoice;
  /**
   * Expert override of the service selection / short form report bit. Default: 1 for groups, 0 for
   * individuals. 1 toward an individual asks for a standard SDS-REPORT instead of a short report
   * (ftl-pei's default, used by the golden vectors). 0 toward a group is rejected (status 0x47).
   */
  serviceSelectionBit?: 0 | 1;
}

/** Options of a simple text (0x02/0x09): no reference, no reports, no timestamp. */
export interface SimpleTextOptions {
  immediate?: boolean;
  coding?: TextCodingChoice;
}

function invalid(message: string, context: Record<string, unknown> = {}): GatewayError {
  return new GatewayError("SDS_INVALID", message, { context });
}

/** Throw `SDS_INVALID` unless `n` is an integer in [min, max]. */
export function assertIntInRange(n: unknown, min: number, max: number, what: string): asserts n is number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(`${what} must be an integer ${min}–${max}, got ${String(n)}`, { [what]: n });
  }
}

/** Throw `SDS_INVALID` unless `text` is a non-empty string. */
export function assertText(text: unknown): asserts text is string {
  if (typeof text !== "string") throw invalid(`text must be a string, got ${typeof text}`);
  if (text.length === 0) throw invalid("text is empty; an SDS text needs at least one character");
}

/**
 * Validate SDS-TL text options and compute the second octet: message type 0000 (SDS-TRANSFER), delivery
 * report request (2 bits), service selection (1 bit), storage/forward control 0 (clause 29.4.2.4,
 * docs/pei.md §5.2). Throws `SDS_INVALID`.
 */
export function transferControlOctet(options: SdsTlTextOptions): number {
  if (typeof options !== "object" || options === null) throw invalid("options are required");
  if (typeof options.group !== "boolean") throw invalid("options.group must be true (group address) or false (individual address)");
  assertIntInRange(options.messageReference, 0, 255, "messageReference");
  const report = options.deliveryReport ?? "none";
  if (!DELIVERY_REPORT_CODES.includes(report)) {
    throw invalid(`deliveryReport must be one of ${DELIVERY_REPORT_CODES.join(", ")}, got ${JSON.stringify(report)}`);
  }
  if (options.group && report !== "none") {
    // Reports from every member of a group are not allowed; the SwMI answers 0x05 at best (docs/pei.md §3.3).
    throw invalid(`delivery reports cannot be requested toward a group (got "${report}"); use deliveryReport "none" for group messages`);
  }
  const ssb = options.serviceSelectionBit ?? (options.group ? 1 : 0);
  if (ssb !== 0 && ssb !== 1) throw invalid(`serviceSelectionBit must be 0 or 1, got ${String(ssb)}`);
  if (options.group && ssb === 0) {
    throw invalid("a group address needs service-selection bit 1; 0 means individual service and the SwMI rejects it (delivery status 0x47)");
  }
  return (SDS_TL_MESSAGE_TYPE.TRANSFER << 4) | (deliveryReportCode(report) << 2) | (ssb << 1) | 0;
}

/** Text header octet of 0x82/0x89/0x8A: timestamp-used bit 0, then the 7-bit coding scheme (clause 29.5.3.3). */
export function textHeaderOctet(scheme: OutgoingCodingScheme): number {
  return scheme & 0x7f;
}

function checkType4Size(bits: number, hint: string): void {
  if (bits > MAX_TYPE4_BITS) {
    throw invalid(`PDU would be ${bits} bits; SDS type-4 user data is at most ${MAX_TYPE4_BITS} bits (docs/pei.md §5.11). ${hint}`, { bits });
  }
}

/** Encode one SDS-TL text SDS-TRANSFER (PID 0x82, or 0x89 with `immediate`), no timestamp, storage flag 0. */
export function encodeSdsTlText(text: string, options: SdsTlTextOptions): EncodedSds {
  assertText(text);
  const control = transferControlOctet(options);
  const scheme = resolveTextCoding(text, options.coding ?? "auto");
  const body = encodeText(text, scheme);
  const pid = options.immediate === true ? PID.IMMEDIATE_TEXT : PID.TEXT;
  const bytes = Uint8Array.from([pid, control, options.messageReference, textHeaderOctet(scheme), ...body]);
  checkType4Size(bytes.length * 8, "Use encodeTextParts to split it.");
  return { aiService: 12, hex: bytesToHex(bytes), bits: bytes.length * 8 };
}

/** Encode a simple text message (PID 0x02, or 0x09 with `immediate`): fill bit 0, coding scheme, text. */
export function encodeSimpleText(text: string, options: SimpleTextOptions = {}): EncodedSds {
  assertText(text);
  const scheme = resolveTextCoding(text, options.coding ?? "auto");
  const body = encodeText(text, scheme);
  const pid = options.immediate === true ? PID.SIMPLE_IMMEDIATE_TEXT : PID.SIMPLE_TEXT;
  // The top bit of the coding octet is a fill bit in simple text, never a timestamp flag (docs/pei.md §5.8).
  const bytes = Uint8Array.from([pid, scheme & 0x7f, ...body]);
  checkType4Size(bytes.length * 8, "Simple text cannot be concatenated; shorten it or use SDS-TL text.");
  return { aiService: 12, hex: bytesToHex(bytes), bits: bytes.length * 8 };
}
