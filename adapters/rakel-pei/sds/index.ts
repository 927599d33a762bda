/**
 * Pure SDS codec for TETRA PEI (EN 300 392-2 clause 29, EN 300 392-5): encoders for text, status and
 * reports, decoders for `+CTSDSR` headers and PDUs, concatenation and reassembly. No I/O.
 */
export { bytesToHex, hexByte, normalizeHex, parseHex } from "./hex.js";
export type { HexBytes } from "./hex.js";
export { BitReader, BitUnderflowError, BitWriter } from "./bits.js";
export {
  AI_SERVICE,
  DEFAULT_MAX_BITS,
  DELIVERY_REPORT_CODES,
  MAX_TYPE4_BITS,
  PID,
  SDS_TL_MESSAGE_TYPE,
  SHORT_REPORT_TYPES,
  isSdsTlPid,
  isShortReportValue,
} from "./constants.js";
export type { DeliveryReportRequest, ShortReportType } from "./constants.js";
export { TEXT_CODING, chooseTextCoding, decodeText, encodeText, resolveTextCoding } from "./text-coding.js";
export type { DecodedText, DecodeTextOptions, OutgoingCodingScheme, TextCodingChoice } from "./text-coding.js";
export { decodeGsm7, encodeGsm7 } from "./gsm7.js";
export {
  deliveryStatusClass,
  deliveryStatusName,
  isDeliveryFailure,
  isDeliverySuccess,
  isDeliveryTemporary,
} from "./delivery-status.js";
export type { DeliveryStatusClass } from "./delivery-status.js";
export { encodeSdsTlText, encodeSimpleText } from "./encode-text.js";
export type { SdsTlTextOptions, SimpleTextOptions } from "./encode-text.js";
export { encodeSdsAck, encodeSdsReport, encodeShortReport, encodeStatus } from "./encode-control.js";
export type { SdsAckInput, SdsReportInput, StatusOptions } from "./encode-control.js";
export { DEFAULT_MAX_PARTS, encodeTextParts } from "./concatenate.js";
export type { PartLimits, SdsTlPartsOptions, SimplePartsOptions, TextPartsOptions } from "./concatenate.js";
export { parseCtsdsrHeader } from "./ctsdsr-header.js";
export type { CtsdsrHeader } from "./ctsdsr-header.js";
export { decodeCtsdsr, decodeSds } from "./decode.js";
export type { ReceivedSds } from "./decode.js";
export { lipVelocityKmh } from "./decode-lip.js";
export { validityPeriodSeconds } from "./decode-sds-tl.js";
export { SdsReassembler } from "./reassembler.js";
export type { AddResult, DroppedSet, ReassembledText, ReassemblerOptions } from "./reassembler.js";
export type {
  AckSds,
  ConcatenatedPartSds,
  DecodedSds,
  EmergencySds,
  EncodedPart,
  EncodedParts,
  EncodedSds,
  PositionSds,
  ReportSds,
  SdsTimestamp,
  ShortReportSds,
  StatusSds,
  StorageForwardControl,
  TextSds,
  UnknownSds,
} from "./types.js";
