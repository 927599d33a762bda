/**
 * Public shapes of the SDS codec. The decoded `kind`s and their field names are a public interface
 * (shared docs, docs/mqtt-interface.md "JSON shapes of decoded SDS"): add fields freely, never rename.
 */
import type { DeliveryReportRequest, ShortReportType } from "./constants.js";

/** One PDU ready for `AT+CMGS=<dest>,<bits>` after `AT+CTSDS=<aiService>,…` (docs/pei.md §1.5, §3.1). */
export interface EncodedSds {
  aiService: 12 | 13;
  /** Uppercase hex of the PDU. */
  hex: string;
  /** The `<length>` argument of `AT+CMGS`, in bits. */
  bits: number;
}

/** One part of a possibly concatenated text. */
export interface EncodedPart {
  hex: string;
  bits: number;
}

/** Result of the concatenating text encoder (shape printed by `rakelgw sds encode`). */
export interface EncodedParts {
  aiService: 12;
  parts: EncodedPart[];
}

/** 24-bit SDS-TL timestamp (clause 29.5.4.4): no year, no seconds (docs/pei.md §5.8). */
export interface SdsTimestamp {
  /** Timeframe type: 0 local, 1 UTC, 2–3 reserved. */
  timeframe: "local" | "utc" | "reserved";
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Optional storage/forward control of SDS-TRANSFER and SDS-REPORT (clause 29.4.3.13–16, docs/pei.md §5.2). */
export interface StorageForwardControl {
  /** 5-bit validity period code (table 29.25). */
  validityPeriod: number;
  /** Validity in seconds; 0 = none, `null` = infinite (code 31). */
  validitySeconds: number | null;
  /** Forward address type: 0 SNA, 1 SSI, 2 TSI, 3 external subscriber number, 7 none. */
  forwardAddressType: number;
  /** Forward address as decimal digits (SSI/SNA) or `ssi:extension` for TSI, digits for external numbers. */
  forwardAddress?: string;
}

interface DecodedBase {
  /** The PDU as received, canonical hex trimmed to the declared bit length. */
  hex: string;
}

/** A text SDS: SDS-TL 0x82/0x89 or simple text 0x02/0x09 (and 0x8A without a concatenation element). */
export interface TextSds extends DecodedBase {
  kind: "text";
  text: string;
  /** Text coding scheme number (table 29.29), e.g. 1 Latin-1, 26 UCS-2. */
  codingScheme: number;
  protocolId: number;
  /** SDS-TL message reference; `null` for simple text, which has no SDS-TL header. */
  messageReference: number | null;
  deliveryReportRequest: DeliveryReportRequest;
  /** PID 0x09 or 0x89: display at once. */
  immediate: boolean;
  /** True for simple text (0x02/0x09). */
  simple: boolean;
  /** Service selection / short form report bit (SDS-TL only): 0 individual, short report OK; 1 group/standard report. */
  serviceSelection?: 0 | 1;
  timestamp?: SdsTimestamp;
  storageForward?: StorageForwardControl;
  /** Present and true when the coding scheme was unknown and the text is shown as Latin-1. */
  lenientCoding?: boolean;
}

/** One part of a text concatenated with a user data header (PID 0x8A, docs/pei.md §5.10). */
export interface ConcatenatedPartSds extends Omit<TextSds, "kind"> {
  kind: "concatenated-part";
  /** Concatenation reference from the UDH (8 or 16 bits), shared by all parts. */
  reference: number;
  /** 1-based part number. */
  part: number;
  total: number;
  /** Size of the UDH reference: IE 0x00 (8) or 0x08 (16). */
  referenceBits: 8 | 16;
}

/** Pre-coded status (AI service 13), 0x0001–0x7BFF and 0x8000–0xFFFF. */
export interface StatusSds extends DecodedBase {
  kind: "status";
  value: number;
}

/** Status 0: emergency (clause 14.8.34, docs/pei.md §6). */
export interface EmergencySds extends DecodedBase {
  kind: "emergency";
  value: 0;
}

/** SDS-SHORT-REPORT carried as status 0x7C00–0x7FFF (docs/pei.md §5.7). */
export interface ShortReportSds extends DecodedBase {
  kind: "short-report";
  reportType: ShortReportType;
  messageReference: number;
  /** The 16-bit status value it arrived as. */
  value: number;
}

/** SDS-REPORT (docs/pei.md §5.5). */
export interface ReportSds extends DecodedBase {
  kind: "report";
  deliveryStatus: number;
  deliveryStatusName: string;
  messageReference: number;
  ackRequired: boolean;
  protocolId: number;
  storageForward?: StorageForwardControl;
  /** Any user data after the fixed fields, as hex. */
  userDataHex?: string;
}

/** SDS-ACK (docs/pei.md §5.6). */
export interface AckSds extends DecodedBase {
  kind: "ack";
  deliveryStatus: number;
  deliveryStatusName: string;
  messageReference: number;
  protocolId: number;
}

/** LIP short location report (PID 0x0A, TS 100 392-18-1; docs/pei.md §9). */
export interface PositionSds extends DecodedBase {
  kind: "position";
  protocolId: number;
  /** WGS 84 degrees, north positive. */
  latitude: number;
  /** WGS 84 degrees, east positive. */
  longitude: number;
  /** 3-bit position error code: 0 <2 m, 1 <20 m, 2 <200 m, 3 <2 km, 4 <20 km, 5 ≤200 km, 6 >200 km, 7 unknown. */
  positionError: number;
  /** Upper bound of the position error in metres; `null` for codes 6 and 7. */
  positionErrorMeters: number | null;
  /** Horizontal velocity, `null` when unknown (code 127). */
  velocityKmh: number | null;
  /** Direction of travel, 22.5° steps, 0 = north. */
  directionDeg: number;
  /** Reason for sending (additional data type 0), else `null`. */
  reason: number | null;
  /** User-defined additional data (additional data type 1), else absent. */
  userDefinedData?: number;
  /** Time elapsed code: 0 <5 s, 1 <5 min, 2 <30 min, 3 unknown. */
  timeElapsed: number;
}

/** Anything else: other PIDs, other SDS-TL message types, and SDS types 1–3 (raw 16/32/64 bits). */
export interface UnknownSds extends DecodedBase {
  kind: "unknown";
  /** PID (first octet) for SDS type 4; `null` for AI services 9–11, which have no PID. */
  protocolId: number | null;
  aiService: number;
  /** SDS-TL message type when the PID has the SDS-TL header. */
  messageType?: number;
  /** SDS-TL message reference of an SDS-TRANSFER, so a caller can still send a report. */
  messageReference?: number;
  deliveryReportRequest?: DeliveryReportRequest;
}

/** Every decoded SDS, discriminated by `kind`. */
export type DecodedSds =
  | TextSds
  | ConcatenatedPartSds
  | StatusSds
  | EmergencySds
  | ShortReportSds
  | ReportSds
  | AckSds
  | PositionSds
  | UnknownSds;
