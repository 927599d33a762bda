import { describe, expect, it } from "vitest";
import { decodeSingleByteFallback } from "../../../adapters/rakel-pei/sds/charsets.js";
import { septetsToText } from "../../../adapters/rakel-pei/sds/gsm7.js";
import {
  TEXT_CODING,
  bytesToHex,
  chooseTextCoding,
  decodeGsm7,
  decodeSds,
  decodeText,
  encodeGsm7,
  encodeSdsTlText,
  encodeText,
  resolveTextCoding,
} from "../../../adapters/rakel-pei/sds/index.js";

const bytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

describe("choosing the outgoing coding", () => {
  it.each([
    ["plain ASCII stays Latin-1", "Brand i byggnad", TEXT_CODING.LATIN1],
    ["Swedish letters åäöÅÄÖé stay Latin-1", "åäöÅÄÖé", TEXT_CODING.LATIN1],
    ["the whole Latin-1 range stays Latin-1", "ÿ×÷ß", TEXT_CODING.LATIN1],
    ["the euro sign forces UCS-2", "Pris 5 €", TEXT_CODING.UCS2],
    ["an en dash forces UCS-2", "10–12", TEXT_CODING.UCS2],
    ["an emoji forces UCS-2", "Brand 🚒", TEXT_CODING.UCS2],
    ["Cyrillic forces UCS-2", "пожар", TEXT_CODING.UCS2],
  ])("%s", (_t, text, scheme) => {
    expect(chooseTextCoding(text)).toBe(scheme);
  });
});

describe("encoding text", () => {
  it("writes Swedish letters as single Latin-1 octets, never UTF-8 (docs/pei.md §10.10)", () => {
    expect(bytesToHex(encodeText("åäöÅÄÖé", TEXT_CODING.LATIN1))).toBe("E5E4F6C5C4D6E9");
  });

  it("writes the euro sign as UTF-16BE 20AC", () => {
    expect(bytesToHex(encodeText("5€", TEXT_CODING.UCS2))).toBe("003520AC");
  });

  it("writes an emoji as one surrogate pair of four octets", () => {
    expect(bytesToHex(encodeText("🚒", TEXT_CODING.UCS2))).toBe("D83DDE92");
  });

  it("refuses a character outside Latin-1 under a forced Latin-1 label", () => {
    expect(() => resolveTextCoding("5 €", "latin1")).toThrow(/"€" at index 2 is not in ISO 8859-1/);
    expect(() => encodeText("5 €", TEXT_CODING.LATIN1)).toThrow(/not in ISO 8859-1/);
  });

  it("refuses an unpaired surrogate", () => {
    expect(() => resolveTextCoding("a\uD83D", "auto")).toThrow(/unpaired UTF-16 surrogate at index 1/);
  });

  it("lets a caller force UCS-2 for Latin-1 text", () => {
    const r = encodeSdsTlText("Hej", { messageReference: 1, group: false, coding: "ucs2" });
    expect(r.hex).toBe("820001" + "1A" + "00480065006A");
  });
});

describe("SDS-TL round trips through the decoder", () => {
  it.each([
    ["Swedish letters", "Åsa åker över ön, é", TEXT_CODING.LATIN1],
    ["the euro sign", "Kostnad 5 €", TEXT_CODING.UCS2],
    ["emoji next to Swedish letters", "Brand 🚒 på Storgatan 🔥", TEXT_CODING.UCS2],
    ["control characters", "rad 1\r\nrad 2\t!", TEXT_CODING.LATIN1],
  ])("%s survive encode and decode", (_t, text, scheme) => {
    const enc = encodeSdsTlText(text, { messageReference: 9, group: false });
    const dec = decodeSds(12, enc.hex, enc.bits);
    expect(dec).toMatchObject({ ok: true, value: { kind: "text", text, codingScheme: scheme } });
  });
});

describe("decoding received coding schemes", () => {
  it.each([
    ["0x01 Latin-1 reads 0x80–0x9F as C1 controls, not windows-1252", 0x01, "80E5", "\u0080å"],
    ["0x1A UCS-2 reads big-endian code units", 0x1a, "00C520AC", "Å€"],
    ["0x1A UCS-2 joins a surrogate pair", 0x1a, "D83DDE92", "🚒"],
    ["0x1A UCS-2 ignores a trailing odd octet", 0x1a, "004100", "A"],
    ["0x1A UCS-2 replaces an unpaired surrogate", 0x1a, "D83D0041", "\uFFFDA"],
    ["0x05 ISO 8859-5 reads Cyrillic", 0x05, "BFDED6D0E0", "Пожар"],
    ["0x05 ISO 8859-5 maps 0xF0 to № and 0xFD to §", 0x05, "F0FD", "№§"],
    ["0x0D ISO 8859-15 reads the euro sign at 0xA4", 0x0d, "A4BD", "€œ"],
    ["0x0D ISO 8859-15 keeps Swedish letters", 0x0d, "E5E4F6", "åäö"],
  ])("%s", (_t, scheme, hex, text) => {
    expect(decodeText(scheme, bytes(hex))).toEqual({ text, lenient: false });
  });

  it.each(["iso-8859-5", "iso-8859-15"])("the built-in %s mapping matches the platform decoder on all 256 octets", (label) => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeSingleByteFallback(label, all)).toBe(new TextDecoder(label).decode(all));
  });

  it("reads an unknown scheme leniently as Latin-1 and flags it", () => {
    expect(decodeText(0x7f, bytes("48E5"))).toEqual({ text: "Hå", lenient: true });
  });

  it("reports the scheme number of an unknown scheme in the decoded SDS", () => {
    const r = decodeSds(12, "820001" + "7F" + "48E5");
    expect(r).toMatchObject({ ok: true, value: { kind: "text", codingScheme: 0x7f, text: "Hå", lenientCoding: true } });
  });
});

describe("GSM 7-bit packed text (scheme 0x00)", () => {
  it("maps every one of the 128 septets of the basic table to a character (0x1B escapes)", () => {
    const all = Array.from({ length: 128 }, (_, i) => i).filter((i) => i !== 0x1b);
    const text = septetsToText(all);
    expect([...text]).toHaveLength(127);
    expect(encodeGsm7(text)?.bits).toBe(127 * 7);
  });

  it("unpacks the classic 'hellohello' example", () => {
    expect(decodeGsm7(bytes("E8329BFD4697D9EC37"))).toBe("hellohello");
  });

  it.each([
    ["ASCII", "Hello world"],
    ["Swedish letters of the GSM alphabet", "ÅÄÖåäöé"],
    ["extension characters", "Pris 5€ [ok] {x}"],
    ["a text of exactly 8 septets", "12345678"],
  ])("round-trips %s", (_t, text) => {
    const packed = encodeGsm7(text)!;
    expect(decodeGsm7(packed.bytes, packed.bits)).toBe(text);
  });

  it("drops the 7 zero padding bits that look like '@' when only octets are known", () => {
    const packed = encodeGsm7("1234567")!; // 49 bits in 7 octets
    expect(decodeGsm7(packed.bytes)).toBe("1234567");
  });

  it("decodes an SDS-TL text with scheme 0x00 using the declared bit length", () => {
    const packed = encodeGsm7("Larm Storgatan")!;
    const hex = "820001" + "00" + bytesToHex(packed.bytes);
    const r = decodeSds(12, hex, 32 + packed.bits);
    expect(r).toMatchObject({ ok: true, value: { kind: "text", text: "Larm Storgatan", codingScheme: 0 } });
  });

  it("returns null for text outside the GSM alphabet", () => {
    expect(encodeGsm7("🚒")).toBeNull();
  });
});
