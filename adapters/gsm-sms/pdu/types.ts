/**
 * Result shapes of the PDU codec. Decoded messages form a union discriminated by `type`.
 */
import type { SmsAddress } from "./address.js";
import type { DataCodingInfo, UserDataCoding } from "./dcs.js";
import type { DeliveryStatus } from "./status.js";
import type { SmsTimestamp } from "./timestamp.js";
import type { ConcatInfo, UserDataHeader } from "./udh.js";
import type { ValidityPeriod } from "./validity.js";

/** One PDU ready for `AT+CMGS=<length>`: `hex` starts with the SMSC field `00`. */
export interface EncodedPdu {
  hex: string;
  /** TPDU octets, i.e. without the SMSC field: the number that goes into `AT+CMGS=`. */
  length: number;
}

/** Output of `encodeSubmit`, the `sms encode` JSON shape (docs/mqtt-interface.md). */
export interface SmsEncodeResult {
  pdus: EncodedPdu[];
  coding: "gsm7" | "ucs2";
  parts: number;
}

/** Decoded TP-UD. */
export interface DecodedUserData {
  coding: UserDataCoding;
  /** The text; `null` for 8-bit data and compressed text, which are given as `dataHex` instead. */
  text: string | null;
  /** Hex of the user data after the header when it is not text, else `null`. */
  dataHex: string | null;
  udh: UserDataHeader | null;
  /** Shortcut to `udh.concat`. */
  concat: ConcatInfo | null;
}

/** SMS-DELIVER (TS 23.040 9.2.2.1): a message received from the network. */
export interface DecodedDeliver extends DecodedUserData {
  type: "deliver";
  smsc: SmsAddress | null;
  originator: SmsAddress;
  protocolId: number;
  dcs: DataCodingInfo;
  timestamp: SmsTimestamp;
  /** TP-MMS = 0: the SC has more messages waiting. */
  moreMessagesToSend: boolean;
  /** TP-SRI: the sender asked for a status report. */
  statusReportIndication: boolean;
  replyPath: boolean;
}

/** SMS-SUBMIT (TS 23.040 9.2.2.2): a message as we (or a stored draft) would send it. */
export interface DecodedSubmit extends DecodedUserData {
  type: "submit";
  smsc: SmsAddress | null;
  messageReference: number;
  destination: SmsAddress;
  protocolId: number;
  dcs: DataCodingInfo;
  validity: ValidityPeriod;
  statusReportRequest: boolean;
  rejectDuplicates: boolean;
  replyPath: boolean;
}

/** SMS-STATUS-REPORT (TS 23.040 9.2.2.3): the fate of a message we submitted with TP-SRR. */
export interface DecodedStatusReport {
  type: "status-report";
  smsc: SmsAddress | null;
  /** TP-MR of the submitted message (the number `+CMGS:` returned). */
  messageReference: number;
  recipient: SmsAddress;
  /** When the SC received the submitted message. */
  timestamp: SmsTimestamp;
  /** When the SC delivered it, last tried, or gave up (TS 23.040 9.2.3.13). */
  dischargeTime: SmsTimestamp;
  status: DeliveryStatus;
  /** TP-SRQ: whether this reports on an SMS-SUBMIT or an SMS-COMMAND. */
  qualifier: "submit" | "command";
  moreMessagesToSend: boolean;
  protocolId: number | null;
  dcs: DataCodingInfo | null;
  userData: DecodedUserData | null;
  /** Why trailing optional parameters (TP-PI onwards) were ignored, or `null`. */
  ignored: string | null;
}

/** Any decoded PDU. */
export type DecodedSms = DecodedDeliver | DecodedSubmit | DecodedStatusReport;
