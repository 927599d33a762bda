import { describe, expect, it } from "vitest";
import {
  bytesToHex,
  gsm7Length,
  gsm7ToText,
  isGsm7Text,
  packSeptets,
  textToGsm7,
  unpackSeptets,
} from "../../../adapters/gsm-sms/pdu/index.js";
import { oraclePack } from "./pdu-test-helpers.js";

describe("GSM 7-bit default alphabet (TS 23.038 6.2.1)", () => {
  it.each([
    ["@", [0x00]],
    ["£$¥", [0x01, 0x02, 0x03]],
    ["å", [0x0f]],
    ["Å", [0x0e]],
    ["ä", [0x7b]],
    ["Ä", [0x5b]],
    ["ö", [0x7c]],
    ["Ö", [0x5c]],
    ["é", [0x05]],
    ["É", [0x1f]],
    ["ü", [0x7e]],
    ["Ü", [0x5e]],
    ["Ç", [0x09]],
    ["¤", [0x24]],
    ["ΔΞ", [0x10, 0x1a]],
    ["\n\r", [0x0a, 0x0d]],
    ["¡¿§à", [0x40, 0x60, 0x5f, 0x7f]],
  ])("maps %j to the default-table septets %j", (text, septets) => {
    expect(textToGsm7(text)).toEqual(septets);
  });

  it.each([
    ["€", [0x1b, 0x65]],
    ["[", [0x1b, 0x3c]],
    ["]", [0x1b, 0x3e]],
    ["{", [0x1b, 0x28]],
    ["}", [0x1b, 0x29]],
    ["^", [0x1b, 0x14]],
    ["\\", [0x1b, 0x2f]],
    ["~", [0x1b, 0x3d]],
    ["|", [0x1b, 0x40]],
    ["\f", [0x1b, 0x0a]],
  ])("maps %j to ESC plus its extension code %j, two septets", (text, septets) => {
    expect(textToGsm7(text)).toEqual(septets);
    expect(gsm7Length(text)).toBe(2);
  });

  it("keeps a Swedish sentence with every Swedish letter in 7-bit", () => {
    const text = "Larm: Brand i flerbostadshus, Åkervägen 12, Östra Ängby. Räddningsledare é ü Ü É";
    expect(isGsm7Text(text)).toBe(true);
    expect(gsm7Length(text)).toBe(text.length);
  });

  it.each([
    ["ç (only capital Ç is in the table)", "ç"],
    ["ê", "ê"],
    ["Ctrl-Z as a literal character", "\u001a"],
    ["ESC as a literal character", "\u001b"],
    ["NUL", "\u0000"],
    ["TAB", "\t"],
    ["an emoji", "😀"],
    ["Polish ą", "ą"],
    ["a backtick", "`"],
  ])("does not represent %s", (_name, text) => {
    expect(textToGsm7(text)).toBeNull();
    expect(gsm7Length(text)).toBeNull();
    expect(isGsm7Text(`abc${text}`)).toBe(false);
  });

  it("round-trips every default-table character and every extension character", () => {
    const all: string[] = [];
    for (let s = 0; s < 128; s++) if (s !== 0x1b) all.push(gsm7ToText([s]));
    const text = all.join("") + "€[]{}^\\~|\f";
    expect(new Set(all).size).toBe(127);
    const septets = textToGsm7(text);
    expect(septets).not.toBeNull();
    expect(gsm7ToText(septets!)).toBe(text);
  });

  it("shows the default-table character for an unknown extension code (TS 23.038 6.2.1.1)", () => {
    expect(gsm7ToText([0x1b, 0x41])).toBe("A");
  });

  it("shows ESC ESC and a trailing lone ESC as a space", () => {
    expect(gsm7ToText([0x41, 0x1b, 0x1b, 0x42])).toBe("A B");
    expect(gsm7ToText([0x41, 0x1b])).toBe("A ");
  });
});

describe("septet packing (TS 23.038 6.1.2.1.1)", () => {
  it("packs the classic hellohello to E8329BFD4697D9EC37", () => {
    expect(bytesToHex(packSeptets(textToGsm7("hellohello")!))).toBe("E8329BFD4697D9EC37");
  });

  it("packs € (ESC 0x65) to 9B32", () => {
    expect(bytesToHex(packSeptets([0x1b, 0x65]))).toBe("9B32");
  });

  it("packs eight 'a' after one fill bit to C2E170381C0E8701 (worked out by hand)", () => {
    expect(bytesToHex(packSeptets(textToGsm7("aaaaaaaa")!, 1))).toBe("C2E170381C0E8701");
  });

  it("agrees with a bit-string oracle for lengths 0-40 and fill bits 0-6", () => {
    for (let n = 0; n <= 40; n++) {
      const septets = Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0x7f);
      for (let fill = 0; fill <= 6; fill++) {
        const packed = packSeptets(septets, fill);
        expect(bytesToHex(packed), `n=${n} fill=${fill}`).toBe(oraclePack(septets, fill));
        expect(unpackSeptets(packed, n, fill)).toEqual(septets);
      }
    }
  });

  it("refuses to unpack more septets than the octets hold", () => {
    expect(unpackSeptets(new Uint8Array([0xe8, 0x32]), 3)).toBeNull();
  });
});
