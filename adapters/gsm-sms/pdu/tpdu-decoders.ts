/**
 * Decoders of the three TPDU types a modem hands us (TS 23.040 9.2.2). Each reads from a
 * `ByteReader` and throws `PduDecodeError`; the public entry points in `decoder.ts` catch it.
 */
import { readAddress, type SmsAddress } from "./address.js";
import { decodeDcs } from "./dcs.js";
import { bytesToHex } from "./hex.js";
import { PduDecodeError, type ByteReader } from "./reader.js";
import { classifyStatus } from "./status.js";
import { decodeTimestamp, type SmsTimestamp } from "./timestamp.js";
import type { DecodedDeliver, DecodedStatusReport, DecodedSubmit, DecodedUserData } from "./types.js";
import { readUserData } from "./user-data.js";
import { relativeValidityMinutes, type ValidityPeriod } from "./validity.js";

// First-octet bits shared by the TPDU types (TS 23.040 9.2.3.1–9.2.3.26).
const UDHI = 0x40;
const RP = 0x80;

function readTimestamp(reader: ByteReader, what: string): SmsTimestamp {
  const ts = decodeTimestamp(reader.take(7, what), what);
  if (typeof ts === "string") throw new PduDecodeError(ts);
  return ts;
}

function expectEnd(reader: ByteReader): void {
  if (reader.remaining > 0) throw new PduDecodeError(`${reader.remaining} unexpected octets after TP-UD`);
}

/** SMS-DELIVER: TP-MTI 00 (TS 23.040 9.2.2.1). */
export function readDeliver(reader: ByteReader, smsc: SmsAddress | null): DecodedDeliver {
  const fo = reader.u8("first octet");
  const originator = readAddress(reader, "TP-OA");
  const protocolId = reader.u8("TP-PID");
  const dcs = decodeDcs(reader.u8("TP-DCS"));
  const timestamp = readTimestamp(reader, "TP-SCTS");
  const ud = readUserData(reader, dcs, (fo & UDHI) !== 0);
  expectEnd(reader);
  return {
    type: "deliver",
    smsc,
    originator,
    protocolId,
    dcs,
    timestamp,
    // Why inverted: TP-MMS = 0 means "more messages are waiting" (TS 23.040 9.2.3.2).
    moreMessagesToSend: (fo & 0x04) === 0,
    statusReportIndication: (fo & 0x20) !== 0,
    replyPath: (fo & RP) !== 0,
    ...ud,
  };
}

function readValidity(reader: ByteReader, vpf: number): ValidityPeriod {
  switch (vpf) {
    case 0:
      return { format: "none" };
    case 2: {
      const octet = reader.u8("TP-VP");
      return { format: "relative", octet, minutes: relativeValidityMinutes(octet) };
    }
    case 3:
      return { format: "absolute", timestamp: readTimestamp(reader, "TP-VP") };
    default:
      return { format: "enhanced", hex: bytesToHex(reader.take(7, "TP-VP")) };
  }
}

/** SMS-SUBMIT: TP-MTI 01 (TS 23.040 9.2.2.2). */
export function readSubmit(reader: ByteReader, smsc: SmsAddress | null): DecodedSubmit {
  const fo = reader.u8("first octet");
  const messageReference = reader.u8("TP-MR");
  const destination = readAddress(reader, "TP-DA");
  const protocolId = reader.u8("TP-PID");
  const dcs = decodeDcs(reader.u8("TP-DCS"));
  // TP-VPF bits 4–3: 00 none, 10 relative, 01 enhanced, 11 absolute (TS 23.040 9.2.3.3).
  const validity = readValidity(reader, (fo >> 3) & 0x03);
  const ud = readUserData(reader, dcs, (fo & UDHI) !== 0);
  expectEnd(reader);
  return {
    type: "submit",
    smsc,
    messageReference,
    destination,
    protocolId,
    dcs,
    validity,
    statusReportRequest: (fo & 0x20) !== 0,
    rejectDuplicates: (fo & 0x04) !== 0,
    replyPath: (fo & RP) !== 0,
    ...ud,
  };
}

interface OptionalParameters {
  protocolId: number | null;
  dcs: DecodedStatusReport["dcs"];
  userData: DecodedUserData | null;
}

/** TP-PI and what it announces (TS 23.040 9.2.3.27); bit 7 set means another TP-PI octet follows. */
function readOptional(reader: ByteReader, udhi: boolean): OptionalParameters {
  let pi = reader.u8("TP-PI");
  let ext = pi;
  while ((ext & 0x80) !== 0) ext = reader.u8("TP-PI extension");
  pi &= 0x07;
  const protocolId = (pi & 0x01) !== 0 ? reader.u8("TP-PID") : null;
  const dcs = (pi & 0x02) !== 0 ? decodeDcs(reader.u8("TP-DCS")) : null;
  // Why 0x00 default: without TP-DCS the user data is in the default alphabet (TS 23.040 9.2.3.27).
  const userData = (pi & 0x04) !== 0 ? readUserData(reader, dcs ?? decodeDcs(0x00), udhi) : null;
  expectEnd(reader);
  return { protocolId, dcs, userData };
}

/** SMS-STATUS-REPORT: TP-MTI 10 (TS 23.040 9.2.2.3). */
export function readStatusReport(reader: ByteReader, smsc: SmsAddress | null): DecodedStatusReport {
  const fo = reader.u8("first octet");
  const messageReference = reader.u8("TP-MR");
  const recipient = readAddress(reader, "TP-RA");
  const timestamp = readTimestamp(reader, "TP-SCTS");
  const dischargeTime = readTimestamp(reader, "TP-DT");
  const status = classifyStatus(reader.u8("TP-ST"));
  let optional: OptionalParameters = { protocolId: null, dcs: null, userData: null };
  let ignored: string | null = null;
  if (reader.remaining > 0) {
    // Why lenient: the mandatory part already tells the delivery outcome; a malformed optional tail
    // (some SCs pad) must not make us lose it.
    try {
      optional = readOptional(reader, (fo & UDHI) !== 0);
    } catch (e) {
      ignored = e instanceof PduDecodeError ? e.message : "malformed optional parameters";
    }
  }
  return {
    type: "status-report",
    smsc,
    messageReference,
    recipient,
    timestamp,
    dischargeTime,
    status,
    qualifier: (fo & 0x20) !== 0 ? "command" : "submit",
    moreMessagesToSend: (fo & 0x04) === 0,
    ...optional,
    ignored,
  };
}
