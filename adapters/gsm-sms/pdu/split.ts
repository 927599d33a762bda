/**
 * Choosing the alphabet and cutting text into parts (TS 23.040 9.2.3.24.1 concatenation;
 * TS 23.038 6.2.1.1 escape pairs). A part never ends between ESC and its extension code, nor
 * between the two halves of a UTF-16 surrogate pair: the first part then holds one unit less.
 */
import { GSM7_ESCAPE, textToGsm7 } from "../../../src/shared/gsm7/gsm7-alphabet.js";
import { headerSeptets } from "../../../src/shared/gsm7/septets.js";
import { MAX_OCTETS, MAX_SEPTETS } from "./user-data.js";

/** Single-part capacity in GSM-7: 160 septets (an extension character takes 2). */
export const SINGLE_PART_SEPTETS = MAX_SEPTETS;
/** Single-part capacity in UCS-2: 70 UTF-16 code units (an emoji takes 2). */
export const SINGLE_PART_UCS2_UNITS = MAX_OCTETS / 2;

/** The text of each part, in the chosen alphabet. */
export type SplitText =
  | { coding: "gsm7"; parts: number[][] }
  | { coding: "ucs2"; parts: string[] };

/** Septets left for text in a part that carries a UDH of `udhOctets` octets (153 for 6, 152 for 7). */
export function gsm7PartCapacity(udhOctets: number): number {
  return MAX_SEPTETS - headerSeptets(udhOctets);
}

/** UCS-2 code units left for text in a part that carries a UDH of `udhOctets` octets (67 for 6, 66 for 7). */
export function ucs2PartCapacity(udhOctets: number): number {
  return Math.floor((MAX_OCTETS - udhOctets) / 2);
}

function splitSeptets(septets: number[], capacity: number): number[][] {
  const parts: number[][] = [];
  let start = 0;
  while (start < septets.length) {
    let end = Math.min(start + capacity, septets.length);
    // Why: an escape pair is one character; a part ending in ESC would show a space and a stray
    // default-table character on the handset (TS 23.038 6.2.1.1).
    if (end < septets.length && septets[end - 1] === GSM7_ESCAPE) end--;
    parts.push(septets.slice(start, end));
    start = end;
  }
  return parts;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function splitUnits(text: string, capacity: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + capacity, text.length);
    // Why: half a surrogate pair is not a character; each part must be displayable on its own.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}

/**
 * GSM-7 when every character is representable, otherwise UCS-2; then cut into parts that each fit
 * one PDU next to a concatenation header of `udhOctets` octets. Text that fits a single PDU stays one
 * part (no header). Empty text is one empty part.
 */
export function splitText(text: string, udhOctets: number): SplitText {
  const septets = textToGsm7(text);
  if (septets !== null) {
    if (septets.length <= SINGLE_PART_SEPTETS) return { coding: "gsm7", parts: [septets] };
    return { coding: "gsm7", parts: splitSeptets(septets, gsm7PartCapacity(udhOctets)) };
  }
  if (text.length <= SINGLE_PART_UCS2_UNITS) return { coding: "ucs2", parts: [text] };
  return { coding: "ucs2", parts: splitUnits(text, ucs2PartCapacity(udhOctets)) };
}
