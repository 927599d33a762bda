/**
 * GSM 7-bit default alphabet and its extension table (TS 23.038 clause 6.2.1 and 6.2.1.1).
 * Only the default tables are used for encoding: no national language shift tables (TS 23.038
 * 6.2.1.2.4), because Swedish letters (å ä ö Å Ä Ö é É ü Ü) are already in the default alphabet.
 */

/** The escape septet that switches to the extension table for one character (TS 23.038 6.2.1.1). */
export const GSM7_ESCAPE = 0x1b;

/**
 * Default alphabet, indexed by septet value. Index 0x1B is the escape code, not a character: a lone
 * escape at the end of data is shown as a space (TS 23.038 6.2.1, note on the escape code).
 */
const DEFAULT_TABLE: readonly string[] = [
  ..."@£$¥èéùìòÇ\nØø\rÅå",
  ..."Δ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ",
  ...' !"#¤%&\'()*+,-./',
  ..."0123456789:;<=>?",
  ..."¡ABCDEFGHIJKLMNO",
  ..."PQRSTUVWXYZÄÖÑÜ§",
  ..."¿abcdefghijklmno",
  ..."pqrstuvwxyzäöñüà",
];

/** Extension table entries (septet after ESC → character), TS 23.038 6.2.1.1. 0x0A is form feed. */
const EXTENSION_TABLE: ReadonlyMap<number, string> = new Map([
  [0x0a, "\f"],
  [0x14, "^"],
  [0x28, "{"],
  [0x29, "}"],
  [0x2f, "\\"],
  [0x3c, "["],
  [0x3d, "~"],
  [0x3e, "]"],
  [0x40, "|"],
  [0x65, "€"],
]);

const ENCODE_DEFAULT = new Map<number, number>();
DEFAULT_TABLE.forEach((ch, septet) => {
  // Why: 0x1B is the escape code; the literal U+001B character has no GSM-7 representation.
  if (septet !== GSM7_ESCAPE) ENCODE_DEFAULT.set(ch.charCodeAt(0), septet);
});
const ENCODE_EXTENSION = new Map<number, number>();
for (const [septet, ch] of EXTENSION_TABLE) ENCODE_EXTENSION.set(ch.charCodeAt(0), septet);

/**
 * Septets for `text` in the GSM 7-bit default alphabet, extension characters as ESC + code
 * (2 septets each), or `null` when any character is not representable (then UCS-2 is needed).
 * Control characters other than LF, CR and form feed (e.g. Ctrl-Z U+001A, ESC U+001B) are not
 * representable: 0x1A in the alphabet is "Ξ", not Ctrl-Z.
 */
export function textToGsm7(text: string): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const septet = ENCODE_DEFAULT.get(code);
    if (septet !== undefined) {
      out.push(septet);
      continue;
    }
    const ext = ENCODE_EXTENSION.get(code);
    if (ext === undefined) return null;
    out.push(GSM7_ESCAPE, ext);
  }
  return out;
}

/** Number of septets `text` needs in GSM-7, or `null` when it is not representable. */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (ENCODE_DEFAULT.has(code)) n += 1;
    else if (ENCODE_EXTENSION.has(code)) n += 2;
    else return null;
  }
  return n;
}

/** True when every character of `text` is in the GSM-7 default alphabet or its extension table. */
export function isGsm7Text(text: string): boolean {
  return gsm7Length(text) !== null;
}

/**
 * Text of a septet sequence. An unknown extension code shows the default-table character
 * (TS 23.038 6.2.1.1: "display the character shown in the main GSM 7 bit default alphabet table");
 * ESC ESC (reserved for a further extension table) and a trailing lone ESC show as a space.
 */
export function gsm7ToText(septets: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < septets.length; i++) {
    const s = (septets[i] ?? 0) & 0x7f;
    if (s !== GSM7_ESCAPE) {
      out += DEFAULT_TABLE[s] ?? " ";
      continue;
    }
    i++;
    if (i >= septets.length) {
      out += " ";
      break;
    }
    const e = (septets[i] ?? 0) & 0x7f;
    if (e === GSM7_ESCAPE) out += " ";
    else out += EXTENSION_TABLE.get(e) ?? DEFAULT_TABLE[e] ?? " ";
  }
  return out;
}
