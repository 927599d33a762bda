/**
 * SMS-SUBMIT encoder (TS 23.040 9.2.2.2). Output is what follows `AT+CMGS=<length>` in PDU mode
 * (TS 27.005 3.5.1): the SMSC field `00` ("use the SIM's +CSCA"), then the TPDU, as uppercase hex.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import { encodeAddress } from "./address.js";
import { encodeDcs } from "./dcs.js";
import { assertSafeHex, bytesToHex } from "./hex.js";
import { fillBitsAfterHeader, headerSeptets, packSeptets } from "../../../src/shared/gsm7/septets.js";
import { SINGLE_PART_SEPTETS, splitText } from "./split.js";
import type { EncodedPdu, SmsEncodeResult } from "./types.js";
import { textToUcs2, findLoneSurrogate } from "./ucs2.js";
import { concatHeaderLength, encodeConcatHeader } from "./udh.js";
import { DEFAULT_VALIDITY } from "./validity.js";

/** Default cap on the number of parts of one message. */
export const DEFAULT_MAX_PARTS = 6;

/** Options of `encodeSubmit`. */
export interface SubmitOptions {
  /** Recipient: optional `+`, then 3–20 digits. */
  to: string;
  /**
   * Text. GSM-7 when every character is in the default alphabet or its extension table, else UCS-2.
   * Control characters other than CR, LF and form feed (Ctrl-Z, ESC, NUL…) are not in GSM-7, so they
   * force UCS-2, where they are plain data inside the hex PDU and can never act on the AT link.
   */
  text: string;
  /** Set TP-SRR: ask the SC for an SMS-STATUS-REPORT. Default false. */
  statusReport?: boolean;
  /** Class 0 ("flash") message: DCS 0x10 (GSM-7) / 0x18 (UCS-2). Default false. */
  flash?: boolean;
  /**
   * Relative TP-VP octet (0–255, see `relativeValidityOctet`), or `null` to send no validity period
   * (TP-VPF 00). Default 0xA7 = 24 hours.
   */
  validity?: number | null;
  /**
   * Set TP-RD: the SC rejects a duplicate of an earlier message with the same TP-MR and TP-DA.
   * Only useful when the modem fills in TP-MR itself (we send 00); check the modem before enabling.
   */
  rejectDuplicates?: boolean;
  /**
   * Concatenation reference, needed only when the text takes more than one part: take it from a
   * `ConcatReferenceCounter` for this recipient so two long messages never share one.
   */
  reference?: number;
  /** 8-bit (IE 0x00, default) or 16-bit (IE 0x08) concatenation reference. */
  referenceBits?: 8 | 16;
  /** Most parts allowed (1–255); a longer text throws instead of being cut. Default 6. */
  maxParts?: number;
}

function invalid(message: string, context: Record<string, unknown> = {}): GatewayError {
  return new GatewayError("SMS_INVALID", message, { context });
}

function checkOptions(o: SubmitOptions): { maxParts: number; referenceBits: 8 | 16; validity: number | null } {
  if (typeof o.text !== "string") throw invalid("text must be a string");
  const maxParts = o.maxParts ?? DEFAULT_MAX_PARTS;
  if (!Number.isInteger(maxParts) || maxParts < 1 || maxParts > 255) throw invalid("maxParts must be 1-255");
  const referenceBits = o.referenceBits ?? 8;
  if (referenceBits !== 8 && referenceBits !== 16) throw invalid("referenceBits must be 8 or 16");
  const validity = o.validity === undefined ? DEFAULT_VALIDITY : o.validity;
  if (validity !== null && (!Number.isInteger(validity) || validity < 0 || validity > 255)) {
    throw invalid("validity must be a TP-VP octet 0-255 or null");
  }
  const lone = findLoneSurrogate(o.text);
  if (lone >= 0) throw invalid("text contains an unpaired UTF-16 surrogate", { index: lone });
  return { maxParts, referenceBits, validity };
}

/**
 * Encodes one SMS as one or more SMS-SUBMIT PDUs. TP-MR is 00 (the modem assigns it), TP-PID 00.
 * Throws `SMS_INVALID` for a bad recipient, bad options, a missing concatenation reference, or a
 * text that needs more than `maxParts` parts (never cut silently).
 */
export function encodeSubmit(options: SubmitOptions): SmsEncodeResult {
  const { maxParts, referenceBits, validity } = checkOptions(options);
  const address = encodeAddress(options.to);
  // Why: no part holds more than 160 characters, so a longer text cannot fit; fail before splitting.
  if (options.text.length > maxParts * SINGLE_PART_SEPTETS) {
    throw invalid(`text of ${options.text.length} characters needs more than ${maxParts} parts, the limit`, {
      length: options.text.length,
      maxParts,
    });
  }
  const udhOctets = concatHeaderLength(referenceBits);
  const split = splitText(options.text, udhOctets);
  const total = split.parts.length;
  if (total > maxParts) {
    throw invalid(`text needs ${total} parts, more than the limit of ${maxParts}`, { parts: total, maxParts });
  }
  const reference = options.reference;
  if (total > 1) {
    const maxRef = referenceBits === 16 ? 0xffff : 0xff;
    if (reference === undefined) throw invalid("a concatenated SMS needs a reference (use ConcatReferenceCounter)");
    if (!Number.isInteger(reference) || reference < 0 || reference > maxRef) {
      throw invalid(`concatenation reference must be 0-${maxRef}`, { reference });
    }
  }
  // First octet (TS 23.040 9.2.2.2): TP-MTI 01, TP-RD bit 2, TP-VPF bits 4–3 (10 = relative),
  // TP-SRR bit 5, TP-UDHI bit 6, TP-RP bit 7 = 0.
  const firstOctet =
    0x01 |
    (options.rejectDuplicates === true ? 0x04 : 0) |
    (validity !== null ? 0x10 : 0) |
    (options.statusReport === true ? 0x20 : 0) |
    (total > 1 ? 0x40 : 0);
  const head = [firstOctet, 0x00, ...address, 0x00, encodeDcs(split.coding, options.flash === true)];
  if (validity !== null) head.push(validity);

  const pdus: EncodedPdu[] = [];
  for (let i = 0; i < total; i++) {
    const udh = total > 1 ? encodeConcatHeader({ reference: reference ?? 0, total, sequence: i + 1, referenceBits }) : [];
    let udl: number;
    let body: Uint8Array;
    if (split.coding === "gsm7") {
      const septets = split.parts[i] ?? [];
      // TP-UDL counts septets, the header and its fill bits included (TS 23.040 9.2.3.16, 9.2.3.24).
      udl = (udh.length > 0 ? headerSeptets(udh.length) : 0) + septets.length;
      body = packSeptets(septets, fillBitsAfterHeader(udh.length));
    } else {
      body = textToUcs2(split.parts[i] ?? "");
      udl = udh.length + body.length;
    }
    const tpdu = [...head, udl, ...udh, ...body];
    const hex = "00" + bytesToHex(tpdu);
    assertSafeHex(hex);
    pdus.push({ hex, length: tpdu.length });
  }
  return { pdus, coding: split.coding, parts: total };
}
