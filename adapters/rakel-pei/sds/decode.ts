/**
 * Entry points for received SDS: classify by AI service and protocol identifier (docs/pei.md §4.3) and decode.
 * Decoders return `ParseResult` and never throw, whatever the radio sends.
 */
import { fail, ok } from "../../../src/shared/errors.js";
import type { ParseResult } from "../../../src/shared/errors.js";
import { BitReader, BitUnderflowError } from "./bits.js";
import { AI_SERVICE, PID, SHORT_REPORT_TYPES, isSdsTlPid, isShortReportValue } from "./constants.js";
import { parseCtsdsrHeader } from "./ctsdsr-header.js";
import type { CtsdsrHeader } from "./ctsdsr-header.js";
import { decodeLip } from "./decode-lip.js";
import { decodeSdsTl } from "./decode-sds-tl.js";
import { parseHex } from "./hex.js";
import { decodeText } from "./text-coding.js";
import type { DecodedSds, TextSds } from "./types.js";

/** AI service 13: 16-bit value = short report (0x7C00–0x7FFF), emergency (0) or status (docs/pei.md §4.3, §6). */
function decodeStatusService(r: BitReader, hex: string, bits: number): ParseResult<DecodedSds> {
  if (bits !== 16) return fail(`a status PDU (AI service 13) is 16 bits, got ${bits}`);
  const value = r.read(16, "status");
  if (isShortReportValue(value)) {
    // 011111 | type (2) | reference (8), clause 29.4.2.3
    return ok({ kind: "short-report", reportType: SHORT_REPORT_TYPES[(value >> 8) & 0x03]!, messageReference: value & 0xff, value, hex });
  }
  if (value === 0) return ok({ kind: "emergency", value: 0, hex });
  return ok({ kind: "status", value, hex });
}

/** Simple text 0x02/0x09 (clause 29.5.2): fill bit, 7-bit coding scheme, text; no SDS-TL header. */
function decodeSimpleText(r: BitReader, pid: number, hex: string): TextSds {
  const codingScheme = r.read(8, "text coding octet") & 0x7f;
  const { bytes, bits } = r.rest();
  const decoded = decodeText(codingScheme, codingScheme === 0 ? bytes : bytes.subarray(0, Math.floor(bits / 8)), { textBits: bits });
  const text: TextSds = {
    kind: "text",
    text: decoded.text,
    codingScheme,
    protocolId: pid,
    messageReference: null,
    deliveryReportRequest: "none",
    immediate: pid === PID.SIMPLE_IMMEDIATE_TEXT,
    simple: true,
    hex,
  };
  if (decoded.lenient) text.lenientCoding = true;
  return text;
}

/** AI service 12 (SDS type 4): dispatch on the protocol identifier in the first octet. */
function decodeType4(r: BitReader, hex: string, bits: number): ParseResult<DecodedSds> {
  if (bits < 8) return fail(`an SDS type-4 PDU needs at least a protocol identifier (8 bits), got ${bits}`);
  const pid = r.read(8, "protocol identifier");
  if (pid === PID.SIMPLE_TEXT || pid === PID.SIMPLE_IMMEDIATE_TEXT) return ok(decodeSimpleText(r, pid, hex));
  if (pid === PID.LIP) return ok(decodeLip(r, hex, AI_SERVICE.SDS_TYPE4));
  if (isSdsTlPid(pid)) {
    const known = pid === PID.TEXT || pid === PID.IMMEDIATE_TEXT || pid === PID.USER_DATA_HEADER;
    if (known) return ok(decodeSdsTl(r, pid, hex, AI_SERVICE.SDS_TYPE4));
    try {
      return ok(decodeSdsTl(r, pid, hex, AI_SERVICE.SDS_TYPE4));
    } catch (e) {
      // A PID we do not parse whose header does not fit SDS-TL (vendor layouts differ, docs/pei.md §5.1):
      // deliver it raw rather than fail.
      if (!(e instanceof BitUnderflowError)) throw e;
    }
  }
  return ok({ kind: "unknown", protocolId: pid, aiService: AI_SERVICE.SDS_TYPE4, hex });
}

/**
 * Decode one received SDS PDU.
 *
 * @param aiService PEI AI service from the `+CTSDSR` header: 9–11 (raw SDS types 1–3), 12 (type 4), 13 (status)
 * @param hex the data line (any case, whitespace ignored, odd digit count padded, docs/pei.md §4.2)
 * @param bits declared length; defaults to digit count × 4. Bits beyond it are ignored.
 */
export function decodeSds(aiService: number, hex: string, bits?: number): ParseResult<DecodedSds> {
  const parsed = parseHex(hex, bits);
  if (!parsed.ok) return parsed;
  const { bits: n, hex: canonical } = parsed.value;
  if (n === 0) return fail("empty SDS PDU (0 bits)");
  // The reader gets the octets unmasked: GSM 7-bit text is packed least significant bit first (TS 23.038),
  // so its last septet lies in low bits that the MSB-first mask of parseHex clears. The reader itself never
  // reads an MSB-first field past the declared length.
  const unmasked = parseHex(hex);
  const bytes = (unmasked.ok ? unmasked.value.bytes : parsed.value.bytes).subarray(0, parsed.value.bytes.length);
  const r = new BitReader(bytes, n);
  try {
    switch (aiService) {
      case AI_SERVICE.STATUS:
        return decodeStatusService(r, canonical, n);
      case AI_SERVICE.SDS_TYPE4:
        return decodeType4(r, canonical, n);
      case AI_SERVICE.SDS_TYPE1:
      case AI_SERVICE.SDS_TYPE2:
      case AI_SERVICE.SDS_TYPE3:
        // User-defined 16/32/64-bit data without a PID: nothing to interpret (docs/pei.md §4.3).
        return ok({ kind: "unknown", protocolId: null, aiService, hex: canonical });
      default:
        return fail(`AI service ${aiService} does not carry SDS (expected 9–13)`);
    }
  } catch (e) {
    if (e instanceof BitUnderflowError) return fail(e.message);
    return fail(`cannot decode SDS: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A received SDS: its header and the decoded PDU. */
export interface ReceivedSds {
  header: CtsdsrHeader;
  sds: DecodedSds;
}

/** Parse a `+CTSDSR:` header line and decode the hex data line that follows it. Never throws. */
export function decodeCtsdsr(headerLine: string, dataLine: string): ParseResult<ReceivedSds> {
  const header = parseCtsdsrHeader(headerLine);
  if (!header.ok) return header;
  const sds = decodeSds(header.value.aiService, dataLine, header.value.bits);
  if (!sds.ok) return sds;
  return ok({ header: header.value, sds: sds.value });
}
