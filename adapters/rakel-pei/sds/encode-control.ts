/**
 * Encoders for the non-text PDUs: pre-coded status and SDS-SHORT-REPORT (AI service 13, 16 bits),
 * SDS-REPORT and SDS-ACK (AI service 12). All throw `GatewayError` `SDS_INVALID` on bad input.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import { SDS_TL_MESSAGE_TYPE, SHORT_REPORT_TYPES, isSdsTlPid, isShortReportValue } from "./constants.js";
import type { ShortReportType } from "./constants.js";
import { assertIntInRange } from "./encode-text.js";
import { bytesToHex } from "./hex.js";
import type { EncodedSds } from "./types.js";

/** Options of {@link encodeStatus}. */
export interface StatusOptions {
  /** Allow status 0 (emergency). Never set this automatically (docs/pei.md §6). */
  allowEmergency?: boolean;
}

function status16(value: number): EncodedSds {
  return { aiService: 13, hex: bytesToHex(Uint8Array.from([value >> 8, value & 0xff])), bits: 16 };
}

/**
 * Encode a 16-bit pre-coded status (clause 14.8.34, docs/pei.md §6). Rejects 0x7C00–0x7FFF, which receivers read
 * as SDS-SHORT-REPORTs, and 0 (emergency) unless `allowEmergency` is set.
 */
export function encodeStatus(value: number, options: StatusOptions = {}): EncodedSds {
  assertIntInRange(value, 0, 0xffff, "status");
  if (isShortReportValue(value)) {
    throw new GatewayError(
      "SDS_INVALID",
      `status ${value} (0x${value.toString(16).toUpperCase()}) is in 0x7C00–0x7FFF, the range of SDS-SHORT-REPORTs; receivers would read it as a delivery report. Use encodeShortReport for reports, or a status outside that range`,
      { context: { status: value } },
    );
  }
  if (value === 0 && options.allowEmergency !== true) {
    throw new GatewayError("SDS_INVALID", "status 0 is the emergency status; the gateway never sends it (only terminals raise an emergency)", {
      context: { status: value },
    });
  }
  return status16(value);
}

/**
 * Encode an SDS-SHORT-REPORT: 011111 | type (2 bits) | message reference (8 bits), sent as a status with
 * AI service 13 (clause 29.4.2.3, docs/pei.md §5.7). `reportType` is a name or its code 0–3.
 */
export function encodeShortReport(reportType: ShortReportType | 0 | 1 | 2 | 3, messageReference: number): EncodedSds {
  const code = typeof reportType === "number" ? reportType : SHORT_REPORT_TYPES.indexOf(reportType);
  if (!Number.isInteger(code) || code < 0 || code > 3) {
    throw new GatewayError("SDS_INVALID", `short report type must be 0–3 or one of ${SHORT_REPORT_TYPES.join(", ")}, got ${JSON.stringify(reportType)}`);
  }
  assertIntInRange(messageReference, 0, 255, "messageReference");
  return status16(0x7c00 | (code << 8) | messageReference);
}

/** Input of {@link encodeSdsReport}. */
export interface SdsReportInput {
  /** PID of the transfer being reported (0x80–0xFF). */
  protocolId: number;
  /** Ask the receiver of the report for an SDS-ACK. */
  ackRequired: boolean;
  /** Delivery status, 0–255 (table 29.16). */
  deliveryStatus: number;
  /** Message reference of the reported transfer. */
  messageReference: number;
}

function assertSdsTlPid(pid: number): void {
  assertIntInRange(pid, 0, 255, "protocolId");
  if (!isSdsTlPid(pid)) {
    throw new GatewayError("SDS_INVALID", `protocolId 0x${pid.toString(16).toUpperCase()} has no SDS-TL header; reports and acks exist only for PIDs 0x80–0xFF`);
  }
}

/**
 * Encode an SDS-REPORT: PID | 0001 | ack required | 2 reserved | storage 0 | delivery status | reference
 * (clause 29.4.2.2, docs/pei.md §5.5), e.g. `82100001` for "received, ref 1".
 */
export function encodeSdsReport(input: SdsReportInput): EncodedSds {
  assertSdsTlPid(input.protocolId);
  if (typeof input.ackRequired !== "boolean") throw new GatewayError("SDS_INVALID", "ackRequired must be a boolean");
  assertIntInRange(input.deliveryStatus, 0, 255, "deliveryStatus");
  assertIntInRange(input.messageReference, 0, 255, "messageReference");
  const control = (SDS_TL_MESSAGE_TYPE.REPORT << 4) | (input.ackRequired ? 0x08 : 0);
  const bytes = Uint8Array.from([input.protocolId, control, input.deliveryStatus, input.messageReference]);
  return { aiService: 12, hex: bytesToHex(bytes), bits: 32 };
}

/** Input of {@link encodeSdsAck}. */
export interface SdsAckInput {
  protocolId: number;
  deliveryStatus: number;
  messageReference: number;
}

/** Encode an SDS-ACK: PID | 0010 | 4 reserved | delivery status | reference (clause 29.4.2.1, docs/pei.md §5.6). */
export function encodeSdsAck(input: SdsAckInput): EncodedSds {
  assertSdsTlPid(input.protocolId);
  assertIntInRange(input.deliveryStatus, 0, 255, "deliveryStatus");
  assertIntInRange(input.messageReference, 0, 255, "messageReference");
  const bytes = Uint8Array.from([input.protocolId, SDS_TL_MESSAGE_TYPE.ACK << 4, input.deliveryStatus, input.messageReference]);
  return { aiService: 12, hex: bytesToHex(bytes), bits: 32 };
}
