/**
 * SMS PDU codec (TS 23.040 TPDUs, TS 23.038 alphabets): pure functions, no I/O.
 *
 * - `encodeSubmit` → `{ pdus: [{ hex, length }], coding, parts }` for `AT+CMGS=<length>`.
 * - `decodePdu` / `decodeTpdu` → `ParseResult<DecodedSms>` (deliver | submit | status-report).
 * - `SmsReassembler`, `ConcatReferenceCounter` for concatenated messages.
 */
export {
  encodeAddress,
  encodeAlphanumericAddress,
  normalizeRecipient,
  parseRecipient,
  TOA_ALPHANUMERIC,
  TOA_INTERNATIONAL,
  TOA_UNKNOWN,
  type AddressType,
  type Recipient,
  type SmsAddress,
} from "./address.js";
export { ConcatReferenceCounter, type ConcatReferenceCounterOptions } from "./concat-reference.js";
export { decodeDcs, encodeDcs, type DataCodingInfo, type UserDataCoding } from "./dcs.js";
export { decodePdu, decodeTpdu } from "./decoder.js";
export { gsm7Length, gsm7ToText, isGsm7Text, textToGsm7 } from "../../../src/shared/gsm7/gsm7-alphabet.js";
export { assertSafeHex, bytesToHex, hexToBytes, isSafeHex } from "./hex.js";
export {
  encodeDeliver,
  encodeStatusReport,
  type DeliverOptions,
  type StatusReportOptions,
} from "./network-encoders.js";
export {
  partFromDeliver,
  SmsReassembler,
  type IncompleteMessage,
  type ReassembledMessage,
  type ReassemblyPart,
  type ReassemblyResult,
  type SmsReassemblerOptions,
} from "./reassembler.js";
export { packSeptets, unpackSeptets } from "../../../src/shared/gsm7/septets.js";
export {
  gsm7PartCapacity,
  SINGLE_PART_SEPTETS,
  SINGLE_PART_UCS2_UNITS,
  splitText,
  ucs2PartCapacity,
  type SplitText,
} from "./split.js";
export { classifyStatus, type DeliveryClass, type DeliveryStatus } from "./status.js";
export { DEFAULT_MAX_PARTS, encodeSubmit, type SubmitOptions } from "./submit-encoder.js";
export { decodeTimestamp, encodeTimestamp, type SmsTimestamp } from "./timestamp.js";
export type {
  DecodedDeliver,
  DecodedSms,
  DecodedStatusReport,
  DecodedSubmit,
  DecodedUserData,
  EncodedPdu,
  SmsEncodeResult,
} from "./types.js";
export type { ConcatInfo, InformationElement, UserDataHeader } from "./udh.js";
export {
  DEFAULT_VALIDITY,
  relativeValidityMinutes,
  relativeValidityOctet,
  type ValidityPeriod,
} from "./validity.js";
