/**
 * TP-Data-Coding-Scheme (TS 23.038 clause 4; TS 23.040 9.2.3.10).
 */

/** Alphabet of the user data. */
export type UserDataCoding = "gsm7" | "8bit" | "ucs2";

/** What a DCS octet says about the user data. */
export interface DataCodingInfo {
  /** The raw octet. */
  dcs: number;
  coding: UserDataCoding;
  /** Message class 0–3 (0 = "flash", shown immediately), or `null` when none is given. */
  messageClass: 0 | 1 | 2 | 3 | null;
  /** Text compressed per TS 23.042; we do not decompress it (the data is returned as hex). */
  compressed: boolean;
  /** Message-waiting indication group (TS 23.038 clause 4, groups 1100–1110). */
  messageWaiting: boolean;
}

const ALPHABETS: readonly UserDataCoding[] = ["gsm7", "8bit", "ucs2", "gsm7"];

function classOf(dcs: number): 0 | 1 | 2 | 3 {
  return (dcs & 0x03) as 0 | 1 | 2 | 3;
}

/**
 * Decodes a DCS octet. Reserved codings are read as the GSM 7-bit default alphabet, as TS 23.038
 * clause 4 requires of a receiving entity ("Any reserved codings shall be assumed to be the GSM 7 bit
 * default alphabet").
 */
export function decodeDcs(dcs: number): DataCodingInfo {
  const group = dcs >> 4;
  const base = { dcs, compressed: false, messageWaiting: false, messageClass: null };
  if ((dcs & 0xc0) === 0x00 || (dcs & 0xc0) === 0x40) {
    // General data coding (00xx) and automatic deletion (01xx): bit 5 compressed, bit 4 class present,
    // bits 3–2 alphabet (11 reserved → GSM-7), bits 1–0 class.
    return {
      ...base,
      coding: ALPHABETS[(dcs >> 2) & 0x03] ?? "gsm7",
      compressed: (dcs & 0x20) !== 0,
      messageClass: (dcs & 0x10) !== 0 ? classOf(dcs) : null,
    };
  }
  if (group === 0x0c || group === 0x0d) return { ...base, coding: "gsm7", messageWaiting: true };
  if (group === 0x0e) return { ...base, coding: "ucs2", messageWaiting: true };
  if (group === 0x0f) {
    // Data coding / message class group: bit 2 selects GSM-7 or 8-bit data, bits 1–0 the class.
    return { ...base, coding: (dcs & 0x04) !== 0 ? "8bit" : "gsm7", messageClass: classOf(dcs) };
  }
  return { ...base, coding: "gsm7" }; // 1000–1011: reserved groups.
}

/**
 * DCS for an outgoing message: 0x00 GSM-7, 0x08 UCS-2; with `flash` the general data coding group
 * with class 0 (bit 4 set): 0x10 / 0x18. (0xF0 is an equivalent class-0 GSM-7 code; we decode both.)
 */
export function encodeDcs(coding: "gsm7" | "ucs2", flash: boolean): number {
  return (coding === "ucs2" ? 0x08 : 0x00) | (flash ? 0x10 : 0x00);
}
