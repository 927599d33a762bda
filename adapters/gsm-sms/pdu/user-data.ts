/**
 * TP-UDL and TP-UD (TS 23.040 9.2.3.16, 9.2.3.24): user data in GSM-7 (length in septets, header
 * septet-aligned with fill bits), 8-bit or UCS-2 (length in octets).
 */
import type { DataCodingInfo } from "./dcs.js";
import { gsm7ToText } from "../../../src/shared/gsm7/gsm7-alphabet.js";
import { bytesToHex } from "./hex.js";
import { PduDecodeError, type ByteReader } from "./reader.js";
import { headerSeptets, unpackSeptets } from "../../../src/shared/gsm7/septets.js";
import type { DecodedUserData } from "./types.js";
import { decodeHeader, type UserDataHeader } from "./udh.js";
import { ucs2ToText } from "./ucs2.js";

/** Maximum GSM-7 TP-UDL: 160 septets (TS 23.040 9.2.3.16). */
export const MAX_SEPTETS = 160;
/** Maximum 8-bit / UCS-2 TP-UDL: 140 octets (TS 23.040 9.2.3.16). */
export const MAX_OCTETS = 140;

/** Reads TP-UDL and TP-UD with the given coding and TP-UDHI. */
export function readUserData(reader: ByteReader, dcs: DataCodingInfo, udhi: boolean): DecodedUserData {
  const udl = reader.u8("TP-UDL");
  // Why: compressed user data has its TP-UDL in octets even for GSM-7 (TS 23.040 9.2.3.16).
  const septetMode = dcs.coding === "gsm7" && !dcs.compressed;
  if (septetMode ? udl > MAX_SEPTETS : udl > MAX_OCTETS) {
    throw new PduDecodeError(`TP-UDL ${udl} exceeds ${septetMode ? MAX_SEPTETS + " septets" : MAX_OCTETS + " octets"}`);
  }
  const ud = reader.take(septetMode ? Math.ceil((udl * 7) / 8) : udl, "TP-UD");
  let udh: UserDataHeader | null = null;
  let headerOctets = 0;
  if (udhi) {
    const h = decodeHeader(ud);
    if (typeof h === "string") throw new PduDecodeError(h);
    udh = h.header;
    headerOctets = h.octets;
  }
  const concat = udh?.concat ?? null;
  if (septetMode) {
    const skip = udhi ? headerSeptets(headerOctets) : 0;
    if (skip > udl) throw new PduDecodeError("user data header is longer than TP-UDL");
    const septets = unpackSeptets(ud, udl - skip, skip * 7);
    if (septets === null) throw new PduDecodeError("TP-UD is shorter than TP-UDL");
    return { coding: "gsm7", text: gsm7ToText(septets), dataHex: null, udh, concat };
  }
  const body = ud.subarray(headerOctets);
  if (dcs.coding === "ucs2" && !dcs.compressed) {
    const text = ucs2ToText(body);
    if (text === null) throw new PduDecodeError("UCS-2 user data has an odd number of octets");
    return { coding: "ucs2", text, dataHex: null, udh, concat };
  }
  return { coding: dcs.coding, text: null, dataHex: bytesToHex(body), udh, concat };
}
