/**
 * Encoders for PDUs that only the network sends: SMS-DELIVER (TS 23.040 9.2.2.1) and
 * SMS-STATUS-REPORT (9.2.2.3). The gateway never sends these; the simulated modem and tests use them
 * to produce `+CMT`/`+CMGR`/`+CDS` PDUs. Output: uppercase hex with the SMSC field first.
 * Unlike `encodeSubmit`, they accept unpaired surrogates, to imitate phones that split an emoji.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import { digitsToSemiOctets, encodeAddress, encodeAlphanumericAddress, parseRecipient } from "./address.js";
import { encodeDcs } from "./dcs.js";
import { textToGsm7 } from "../../../src/shared/gsm7/gsm7-alphabet.js";
import { bytesToHex } from "./hex.js";
import { fillBitsAfterHeader, headerSeptets, packSeptets } from "../../../src/shared/gsm7/septets.js";
import { encodeTimestamp } from "./timestamp.js";
import { encodeConcatHeader, type ConcatInfo } from "./udh.js";
import { textToUcs2 } from "./ucs2.js";
import { MAX_OCTETS, MAX_SEPTETS } from "./user-data.js";

/** Options of `encodeDeliver`. */
export interface DeliverOptions {
  /** Originator: a number (`+46…`, `07…`), or a name when `alphanumeric` is set. */
  from: string;
  alphanumeric?: boolean;
  text: string;
  /** Service-centre time stamp and its zone offset in minutes (default 0). */
  timestamp: Date;
  offsetMinutes?: number;
  /** Concatenation header of this part; the text must fit one part next to it. */
  concat?: ConcatInfo;
  /** SMSC number; default none (`00`). */
  smsc?: string;
  /** Set TP-SRI (the sender asked for a status report). */
  statusReportIndication?: boolean;
}

/** Options of `encodeStatusReport`. */
export interface StatusReportOptions {
  /** TP-MR of the submitted message (0–255). */
  messageReference: number;
  recipient: string;
  timestamp: Date;
  dischargeTime: Date;
  offsetMinutes?: number;
  /** TP-ST (TS 23.040 9.2.3.15), e.g. 0x00 delivered. */
  status: number;
  smsc?: string;
}

function smscField(smsc: string | undefined): number[] {
  if (smsc === undefined) return [0x00];
  const r = parseRecipient(smsc);
  const digits = digitsToSemiOctets(r.digits);
  return [digits.length + 1, r.international ? 0x91 : 0x81, ...digits];
}

function userData(text: string, concat: ConcatInfo | undefined): { coding: "gsm7" | "ucs2"; ud: number[] } {
  const udh = concat === undefined ? [] : encodeConcatHeader(concat);
  const septets = textToGsm7(text);
  if (septets !== null) {
    const hs = udh.length > 0 ? headerSeptets(udh.length) : 0;
    if (hs + septets.length > MAX_SEPTETS) throw new GatewayError("SMS_INVALID", "text does not fit one part");
    return { coding: "gsm7", ud: [hs + septets.length, ...udh, ...packSeptets(septets, fillBitsAfterHeader(udh.length))] };
  }
  const body = textToUcs2(text);
  if (udh.length + body.length > MAX_OCTETS) throw new GatewayError("SMS_INVALID", "text does not fit one part");
  return { coding: "ucs2", ud: [udh.length + body.length, ...udh, ...body] };
}

/** An SMS-DELIVER PDU as a modem would print it after `+CMT:` (SMSC field first). */
export function encodeDeliver(o: DeliverOptions): string {
  const address = o.alphanumeric === true ? encodeAlphanumericAddress(o.from) : encodeAddress(o.from);
  const { coding, ud } = userData(o.text, o.concat);
  // TP-MTI 00, TP-MMS bit 2 = 1 (no more messages), TP-SRI bit 5, TP-UDHI bit 6.
  const fo = 0x04 | (o.statusReportIndication === true ? 0x20 : 0) | (o.concat !== undefined ? 0x40 : 0);
  const tpdu = [fo, ...address, 0x00, encodeDcs(coding, false), ...encodeTimestamp(o.timestamp, o.offsetMinutes), ...ud];
  return bytesToHex([...smscField(o.smsc), ...tpdu]);
}

/** An SMS-STATUS-REPORT PDU as a modem would print it after `+CDS:` (SMSC field first). */
export function encodeStatusReport(o: StatusReportOptions): string {
  if (!Number.isInteger(o.messageReference) || o.messageReference < 0 || o.messageReference > 255) {
    throw new GatewayError("SMS_INVALID", "message reference must be 0-255");
  }
  if (!Number.isInteger(o.status) || o.status < 0 || o.status > 255) throw new GatewayError("SMS_INVALID", "status must be 0-255");
  const tpdu = [
    0x06, // TP-MTI 10, TP-MMS = 1, TP-SRQ = 0 (reports on an SMS-SUBMIT)
    o.messageReference,
    ...encodeAddress(o.recipient),
    ...encodeTimestamp(o.timestamp, o.offsetMinutes),
    ...encodeTimestamp(o.dischargeTime, o.offsetMinutes),
    o.status,
  ];
  return bytesToHex([...smscField(o.smsc), ...tpdu]);
}
