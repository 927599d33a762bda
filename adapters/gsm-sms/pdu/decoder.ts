/**
 * Public PDU decoders. They never throw: malformed input gives `{ ok: false, reason }`.
 */
import { fail, ok, type ParseResult } from "../../../src/shared/errors.js";
import { readSmsc, type SmsAddress } from "./address.js";
import { hexToBytes } from "./hex.js";
import { ByteReader, PduDecodeError } from "./reader.js";
import { readDeliver, readStatusReport, readSubmit } from "./tpdu-decoders.js";
import type { DecodedSms } from "./types.js";

/** Longest TPDU we accept: 164 octets for SMS-SUBMIT plus headroom; anything longer is not an SMS. */
const MAX_TPDU_OCTETS = 200;

function decodeTpduBytes(reader: ByteReader, smsc: SmsAddress | null): DecodedSms {
  if (reader.remaining === 0) throw new PduDecodeError("TPDU is empty");
  if (reader.remaining > MAX_TPDU_OCTETS) throw new PduDecodeError(`TPDU longer than ${MAX_TPDU_OCTETS} octets`);
  const fo = reader.peek("first octet");
  // TP-MTI bits 1–0 as seen by an MS (TS 23.040 9.2.3.1): 00 DELIVER, 01 SUBMIT (our own, stored or
  // echoed), 10 STATUS-REPORT; 11 is reserved.
  switch (fo & 0x03) {
    case 0:
      return readDeliver(reader, smsc);
    case 1:
      return readSubmit(reader, smsc);
    case 2:
      return readStatusReport(reader, smsc);
    default:
      throw new PduDecodeError("TP-MTI 11 is reserved");
  }
}

function guarded(hex: string, run: (bytes: Uint8Array) => DecodedSms): ParseResult<DecodedSms> {
  if (typeof hex !== "string") return fail("PDU must be a hex string");
  const bytes = hexToBytes(hex);
  if (bytes === null) return fail("PDU is not an even-length hex string");
  try {
    return ok(run(bytes));
  } catch (e) {
    return fail(e instanceof PduDecodeError ? e.message : `PDU could not be decoded: ${String(e)}`);
  }
}

/**
 * Decodes a PDU as `AT+CMGR`, `+CMT` and most `+CDS` deliver it: SMSC field first, then the TPDU.
 * When `tpduLength` (the `<length>` the modem printed, which excludes the SMSC field) is given, the
 * PDU may also be a bare TPDU: if the hex holds exactly `tpduLength` octets it is read without an
 * SMSC field, otherwise the SMSC field length must make the two add up.
 */
export function decodePdu(hex: string, tpduLength?: number): ParseResult<DecodedSms> {
  return guarded(hex, (bytes) => {
    if (tpduLength !== undefined) {
      if (!Number.isInteger(tpduLength) || tpduLength < 1) throw new PduDecodeError("invalid TPDU length");
      if (bytes.length === tpduLength) return decodeTpduBytes(new ByteReader(bytes), null);
      const smscOctets = 1 + (bytes[0] ?? 0);
      if (smscOctets + tpduLength !== bytes.length) {
        throw new PduDecodeError(
          `PDU has ${bytes.length} octets; TPDU length ${tpduLength} fits neither with nor without the SMSC field`,
        );
      }
    }
    const reader = new ByteReader(bytes);
    const smsc = readSmsc(reader);
    return decodeTpduBytes(reader, smsc);
  });
}

/** Decodes a bare TPDU with no SMSC field in front (as `+CDS` on some modems). */
export function decodeTpdu(hex: string): ParseResult<DecodedSms> {
  return guarded(hex, (bytes) => decodeTpduBytes(new ByteReader(bytes), null));
}
