/**
 * Numbers of the SDS protocol: AI services (EN 300 392-5 clause 6.17.3, docs/pei.md §3.1), protocol identifiers
 * (EN 300 392-2 table 29.21, docs/pei.md §5.1), SDS-TL message types (table 29.20), delivery report request
 * (table 29.17) and short report types (table 29.22).
 */

/** PEI `<AI service>` values that carry SDS. */
export const AI_SERVICE = {
  SDS_TYPE1: 9,
  SDS_TYPE2: 10,
  SDS_TYPE3: 11,
  SDS_TYPE4: 12,
  STATUS: 13,
} as const;

/** Protocol identifiers used by this codec. */
export const PID = {
  SIMPLE_TEXT: 0x02,
  SIMPLE_IMMEDIATE_TEXT: 0x09,
  LIP: 0x0a,
  TEXT: 0x82,
  IMMEDIATE_TEXT: 0x89,
  USER_DATA_HEADER: 0x8a,
} as const;

/** SDS-TL message type (upper nibble of the second octet, table 29.20). */
export const SDS_TL_MESSAGE_TYPE = {
  TRANSFER: 0,
  REPORT: 1,
  ACK: 2,
} as const;

/** True for PIDs that carry the SDS-TL header: the top bit of the PID (clause 29.4.3.9, docs/pei.md §5.1). */
export function isSdsTlPid(pid: number): boolean {
  return pid >= 0x80 && pid <= 0xff;
}

/** Delivery report request of an SDS-TRANSFER (public JSON names, docs/mqtt-interface.md). */
export type DeliveryReportRequest = "none" | "received" | "consumed" | "both";

/** Two-bit codes of table 29.17: 00 none, 01 received, 10 consumed, 11 both. */
export const DELIVERY_REPORT_CODES: readonly DeliveryReportRequest[] = ["none", "received", "consumed", "both"];

/** Two-bit code of a delivery report request. */
export function deliveryReportCode(r: DeliveryReportRequest): number {
  return DELIVERY_REPORT_CODES.indexOf(r);
}

/** Short report type of an SDS-SHORT-REPORT (public JSON names, docs/mqtt-interface.md). */
export type ShortReportType = "not-supported" | "memory-full" | "received" | "consumed";

/**
 * Two-bit codes of table 29.22: 0 protocol or encoding not supported, 1 destination memory full,
 * 2 message received, 3 message consumed (docs/pei.md §5.7).
 */
export const SHORT_REPORT_TYPES: readonly ShortReportType[] = ["not-supported", "memory-full", "received", "consumed"];

/**
 * Pre-coded status values 0x7C00–0x7FFF are SDS-SHORT-REPORTs: 6-bit identifier 011111, 2-bit type, 8-bit
 * reference (EN 300 392-2 clause 14.8.34 and 29.4.2.3; docs/pei.md §4.3, §6). Exact mask, not ftl-pei's loose
 * `0x7A` test, which misreads status 0xFEFD (docs/pei.md §4.3).
 */
export function isShortReportValue(value: number): boolean {
  return value >= 0x7c00 && value <= 0x7fff;
}

/** Maximum type-4 user data (the whole PDU including the PID): 11-bit length on the air (docs/pei.md §5.11). */
export const MAX_TYPE4_BITS = 2047;

/** Default per-PDU budget that works on real terminals (ftl-cli, docs/pei.md §3.2 and §5.11). */
export const DEFAULT_MAX_BITS = 668;
