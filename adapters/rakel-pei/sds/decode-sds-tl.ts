/**
 * SDS-TL decoding (EN 300 392-2 clause 29.4): SDS-TRANSFER with text (0x82/0x89) or a user data header
 * (0x8A), SDS-REPORT and SDS-ACK. Field errors throw {@link BitUnderflowError}; `decodeSds` turns them into
 * `{ ok: false }`.
 */
import { BitUnderflowError } from "./bits.js";
import type { BitReader } from "./bits.js";
import { DELIVERY_REPORT_CODES, PID, SDS_TL_MESSAGE_TYPE } from "./constants.js";
import type { DeliveryReportRequest } from "./constants.js";
import { deliveryStatusName } from "./delivery-status.js";
import { bytesToHex } from "./hex.js";
import { TEXT_CODING, decodeText } from "./text-coding.js";
import type { AckSds, ConcatenatedPartSds, DecodedSds, ReportSds, SdsTimestamp, StorageForwardControl, TextSds } from "./types.js";

/** Validity period code (5 bits) to seconds, table 29.25 as listed in docs/pei.md §5.2; `null` = infinite. */
export function validityPeriodSeconds(code: number): number | null {
  const min = 60;
  const hour = 3600;
  if (code === 0) return 0;
  if (code <= 6) return code * 10;
  if (code <= 10) return (code - 5) * min;
  if (code <= 16) return (code - 10) * 10 * min;
  if (code <= 21) return (code - 15) * hour;
  if (code <= 24) return (code - 20) * 6 * hour;
  if (code <= 30) return (code - 24) * 48 * hour;
  return null;
}

/**
 * Storage/forward control (clause 29.4.2.4): validity period 5 bits, forward address type 3 bits, then the
 * address: SNA 8 bits, SSI 24, TSI = SSI 24 + extension 24, external number = digit count 8 + 4 bits per
 * digit. The external number is padded to an octet boundary, so the user data stays octet-aligned (docs/pei.md
 * 5.2 says "padded"; ftl-pei masks the 3-bit type with 0x03 and reads TSIs short, both bugs not copied).
 */
export function readStorageForward(r: BitReader): StorageForwardControl {
  const validityPeriod = r.read(5, "validity period");
  const forwardAddressType = r.read(3, "forward address type");
  const sfc: StorageForwardControl = { validityPeriod, validitySeconds: validityPeriodSeconds(validityPeriod), forwardAddressType };
  switch (forwardAddressType) {
    case 0:
      sfc.forwardAddress = String(r.read(8, "forward SNA"));
      break;
    case 1:
      sfc.forwardAddress = String(r.read(24, "forward SSI"));
      break;
    case 2: {
      const ssi = r.read(24, "forward SSI");
      sfc.forwardAddress = `${ssi}:${r.read(24, "forward address extension")}`;
      break;
    }
    case 3: {
      const count = r.read(8, "external number digit count");
      let digits = "";
      for (let i = 0; i < count; i++) digits += "0123456789*#+???"[r.read(4, "external number digit")] ?? "?";
      if (count % 2 === 1) r.skip(4, "external number padding");
      sfc.forwardAddress = digits;
      break;
    }
    case 7:
      break;
    default:
      throw new BitUnderflowError(`reserved forward address type ${forwardAddressType} in storage/forward control`);
  }
  return sfc;
}

/** 24-bit timestamp (clause 29.5.4.4; docs/pei.md §5.8): timeframe 2, reserved 2, month 4, day 5, hour 5, minute 6. */
export function readTimestamp(r: BitReader): SdsTimestamp {
  const tf = r.read(2, "timeframe type");
  r.skip(2, "timestamp reserved bits");
  const month = r.read(4, "month");
  const day = r.read(5, "day");
  const hour = r.read(5, "hour");
  const minute = r.read(6, "minute");
  return { timeframe: tf === 0 ? "local" : tf === 1 ? "utc" : "reserved", month, day, hour, minute };
}

interface TransferHeader {
  protocolId: number;
  deliveryReportRequest: DeliveryReportRequest;
  serviceSelection: 0 | 1;
  messageReference: number;
  storageForward?: StorageForwardControl;
}

function readTransferHeader(r: BitReader, pid: number, control: number): TransferHeader {
  const h: TransferHeader = {
    protocolId: pid,
    deliveryReportRequest: DELIVERY_REPORT_CODES[(control >> 2) & 0x03] ?? "none",
    serviceSelection: (control >> 1) & 1 ? 1 : 0,
    messageReference: r.read(8, "message reference"),
  };
  if (control & 0x01) h.storageForward = readStorageForward(r);
  return h;
}

/** The 8-bit or 16-bit concatenation element of a UDH (TS 23.040 IE 0x00 / 0x08), if valid. */
interface Concatenation {
  reference: number;
  total: number;
  part: number;
  referenceBits: 8 | 16;
}

function findConcatenation(udh: Uint8Array): Concatenation | undefined {
  let found: Concatenation | undefined;
  for (let i = 0; i + 1 < udh.length; ) {
    const id = udh[i]!;
    const len = udh[i + 1]!;
    const d = udh.subarray(i + 2, i + 2 + len);
    if (d.length === len && id === 0x00 && len === 3) found = { reference: d[0]!, total: d[1]!, part: d[2]!, referenceBits: 8 };
    // 16-bit reference is big-endian per TS 23.040 9.2.3.24.8; ftl-pei reads it little-endian (not copied).
    if (d.length === len && id === 0x08 && len === 4) found = { reference: (d[0]! << 8) | d[1]!, total: d[2]!, part: d[3]!, referenceBits: 16 };
    i += 2 + len;
  }
  // TS 23.040: a total or sequence of 0, or a sequence beyond the total, means "ignore this element".
  if (found && (found.total === 0 || found.part === 0 || found.part > found.total)) return undefined;
  return found;
}

function decodeTransfer(r: BitReader, pid: number, control: number, hex: string, aiService: number): DecodedSds {
  const isText = pid === PID.TEXT || pid === PID.IMMEDIATE_TEXT || pid === PID.USER_DATA_HEADER;
  if (!isText) {
    // Only the reference is read (so a caller can still report); storage/forward and user data of other
    // PIDs stay in the raw hex, and a vendor PID that bends the layout cannot make the decode fail.
    return {
      kind: "unknown",
      protocolId: pid,
      aiService,
      hex,
      messageType: SDS_TL_MESSAGE_TYPE.TRANSFER,
      messageReference: r.read(8, "message reference"),
      deliveryReportRequest: DELIVERY_REPORT_CODES[(control >> 2) & 0x03] ?? "none",
    };
  }
  const h = readTransferHeader(r, pid, control);
  const header = r.read(8, "text header");
  const codingScheme = header & 0x7f;
  const timestamp = header & 0x80 ? readTimestamp(r) : undefined;
  const { bytes, bits } = r.rest();

  let concat: Concatenation | undefined;
  let textBytes = bytes;
  let textBits = bits;
  let fillBits = 0;
  if (pid === PID.USER_DATA_HEADER) {
    const udhLength = bytes[0];
    if (udhLength === undefined || 1 + udhLength > Math.floor(bits / 8)) {
      throw new BitUnderflowError(`user data header of ${udhLength ?? "?"} octets does not fit the ${Math.floor(bits / 8)} octets of user data`);
    }
    concat = findConcatenation(bytes.subarray(1, 1 + udhLength));
    const udhBits = (1 + udhLength) * 8;
    if (codingScheme === TEXT_CODING.GSM7) {
      fillBits = udhBits + ((7 - (udhBits % 7)) % 7); // septet alignment after the UDH, as in TS 23.040
    } else {
      textBytes = bytes.subarray(1 + udhLength);
      textBits = bits - udhBits;
    }
  }
  const byteText = codingScheme === TEXT_CODING.GSM7 ? textBytes : textBytes.subarray(0, Math.floor(textBits / 8));
  const decoded = decodeText(codingScheme, byteText, { textBits, fillBits, keepLoneSurrogates: concat !== undefined });

  const text: Omit<TextSds, "kind"> = {
    text: decoded.text,
    codingScheme,
    protocolId: pid,
    messageReference: h.messageReference,
    deliveryReportRequest: h.deliveryReportRequest,
    immediate: pid === PID.IMMEDIATE_TEXT,
    simple: false,
    serviceSelection: h.serviceSelection,
    hex,
  };
  if (timestamp) text.timestamp = timestamp;
  if (h.storageForward) text.storageForward = h.storageForward;
  if (decoded.lenient) text.lenientCoding = true;
  if (concat) {
    const part: ConcatenatedPartSds = { kind: "concatenated-part", ...text, ...concat };
    return part;
  }
  return { kind: "text", ...text };
}

function decodeReport(r: BitReader, pid: number, control: number, hex: string): ReportSds {
  const deliveryStatus = r.read(8, "delivery status");
  const report: ReportSds = {
    kind: "report",
    deliveryStatus,
    deliveryStatusName: deliveryStatusName(deliveryStatus),
    messageReference: r.read(8, "message reference"),
    ackRequired: (control & 0x08) !== 0,
    protocolId: pid,
    hex,
  };
  if (control & 0x01) report.storageForward = readStorageForward(r);
  if (r.remaining >= 8 && r.position % 8 === 0) report.userDataHex = bytesToHex(r.rest().bytes);
  return report;
}

function decodeAck(r: BitReader, pid: number, hex: string): AckSds {
  const deliveryStatus = r.read(8, "delivery status");
  return { kind: "ack", deliveryStatus, deliveryStatusName: deliveryStatusName(deliveryStatus), messageReference: r.read(8, "message reference"), protocolId: pid, hex };
}

/**
 * Decode an SDS-TL PDU whose PID (0x80–0xFF) has already been read from `r`. The message type is the upper
 * nibble of the second octet (table 29.20): 0 transfer, 1 report, 2 ack, others reserved/application.
 */
export function decodeSdsTl(r: BitReader, pid: number, hex: string, aiService: number): DecodedSds {
  const control = r.read(8, "SDS-TL message type octet");
  const messageType = control >> 4;
  switch (messageType) {
    case SDS_TL_MESSAGE_TYPE.TRANSFER:
      return decodeTransfer(r, pid, control, hex, aiService);
    case SDS_TL_MESSAGE_TYPE.REPORT:
      return decodeReport(r, pid, control, hex);
    case SDS_TL_MESSAGE_TYPE.ACK:
      return decodeAck(r, pid, hex);
    default:
      return { kind: "unknown", protocolId: pid, aiService, hex, messageType };
  }
}
