import { describe, expect, it } from "vitest";
import { encodeSubmit, textToGsm7, type SubmitOptions } from "../../../adapters/gsm-sms/pdu/index.js";
import { asSubmit, decodeOk, decodedTexts, expectGatewayError, oraclePack } from "./pdu-test-helpers.js";

const TO = "+46708251358";
const a = (n: number): string => "a".repeat(n);

describe("SMS-SUBMIT single-part vectors (TS 23.040 9.2.2.2)", () => {
  it.each<[string, SubmitOptions, string]>([
    [
      "the classic hellohello with 4-day validity 0xAA",
      { to: TO, text: "hellohello", validity: 0xaa },
      "0011000B916407281553F80000AA0AE8329BFD4697D9EC37",
    ],
    [
      "a status-report request: first octet 0x31 and default validity 0xA7 (24 h)",
      { to: TO, text: "hellohello", statusReport: true },
      "0031000B916407281553F80000A70AE8329BFD4697D9EC37",
    ],
    [
      "no validity period: TP-VPF 00 and no TP-VP octet",
      { to: TO, text: "hellohello", validity: null },
      "0001000B916407281553F800000AE8329BFD4697D9EC37",
    ],
    [
      "reject duplicates: TP-RD bit 2",
      { to: TO, text: "hellohello", rejectDuplicates: true },
      "0015000B916407281553F80000A70AE8329BFD4697D9EC37",
    ],
    [
      "a flash GSM-7 message: DCS 0x10 (class 0)",
      { to: TO, text: "hellohello", flash: true },
      "0011000B916407281553F80010A70AE8329BFD4697D9EC37",
    ],
    [
      "a national number: TOA 0x81",
      { to: "0701234567", text: "hellohello" },
      "0011000A817010325476" + "0000A70AE8329BFD4697D9EC37",
    ],
    [
      "a text with ç in UCS-2: DCS 0x08, UDL in octets",
      { to: "+46701234567", text: "Hallå ç" },
      "0011000B916407214365F70008A70E00480061006C006C00E5002000E7",
    ],
    [
      "a flash UCS-2 message: DCS 0x18",
      { to: "+46701234567", text: "ç", flash: true },
      "0011000B916407214365F70018A70200E7",
    ],
    [
      "an emoji as a UTF-16 surrogate pair",
      { to: "+46701234567", text: "😀" },
      "0011000B916407214365F70008A704D83DDE00",
    ],
    ["the euro sign as ESC 0x65, two septets", { to: TO, text: "€" }, "0011000B916407281553F80000A7029B32"],
    ["an empty text: TP-UDL 0", { to: TO, text: "" }, "0011000B916407281553F80000A700"],
  ])("encodes %s", (_name, options, hex) => {
    const r = encodeSubmit(options);
    expect(r.parts).toBe(1);
    expect(r.pdus).toEqual([{ hex, length: hex.length / 2 - 1 }]);
  });

  it("reports the coding it chose", () => {
    expect(encodeSubmit({ to: TO, text: "Hej å ä ö" }).coding).toBe("gsm7");
    expect(encodeSubmit({ to: TO, text: "Hej 😀" }).coding).toBe("ucs2");
  });
});

describe("concatenated SMS-SUBMIT (TS 23.040 9.2.3.24.1, 9.2.3.24.8)", () => {
  it("encodes 161 GSM-7 characters as 153 + 8 septets with an 8-bit reference and one fill bit", () => {
    const r = encodeSubmit({ to: TO, text: a(161), reference: 0x2a });
    expect(r.parts).toBe(2);
    const [p1, p2] = r.pdus;
    // First octet 0x51 = TP-MTI 01 + TP-VPF relative + TP-UDHI; UDL 0xA0 = 7 header septets + 153.
    expect(p1!.hex).toBe("0051000B916407281553F80000A7A00500032A0201" + oraclePack(textToGsm7(a(153))!, 1));
    expect(p1!.length).toBe(154);
    // Worked out by hand: UDL 0x0F = 7 + 8; eight 'a' after one fill bit pack to C2E170381C0E8701.
    expect(p2).toEqual({ hex: "0051000B916407281553F80000A70F0500032A0202C2E170381C0E8701", length: 28 });
  });

  it("encodes a 16-bit reference with IE 0x08, no fill bits and 152 septets per part", () => {
    const r = encodeSubmit({ to: TO, text: a(161), reference: 0x1234, referenceBits: 16 });
    expect(r.parts).toBe(2);
    expect(r.pdus[0]!.hex).toBe("0051000B916407281553F80000A7A0060804123402" + "01" + oraclePack(textToGsm7(a(152))!, 0));
    expect(r.pdus[1]!.hex).toBe("0051000B916407281553F80000A711060804123402" + "02" + oraclePack(textToGsm7(a(9))!, 0));
  });

  it("encodes 71 UCS-2 characters as 67 + 4 units", () => {
    const r = encodeSubmit({ to: TO, text: "Ж".repeat(71), reference: 0x2a });
    expect(r.coding).toBe("ucs2");
    expect(r.pdus[0]!.hex).toBe("0051000B916407281553F80008A78C0500032A0201" + "0416".repeat(67));
    expect(r.pdus[1]!.hex).toBe("0051000B916407281553F80008A70E0500032A0202" + "0416".repeat(4));
  });

  it("decodes each part back with its concatenation info", () => {
    const r = encodeSubmit({ to: TO, text: a(400), reference: 7 });
    const infos = r.pdus.map((p) => asSubmit(decodeOk(p.hex)).concat);
    expect(infos).toEqual([1, 2, 3].map((sequence) => ({ reference: 7, total: 3, sequence, referenceBits: 8 })));
  });
});

describe("part boundaries", () => {
  it.each<[string, string, 8 | 16, string[]]>([
    ["160 GSM-7 septets fit one part", a(160), 8, [a(160)]],
    ["161 GSM-7 septets need two", a(161), 8, [a(153), a(8)]],
    ["158 characters and € make exactly 160 septets, one part", a(158) + "€", 8, [a(158) + "€"]],
    ["159 characters and € make 161 septets, two parts", a(159) + "€", 8, [a(153), a(6) + "€"]],
    ["€ at septet 153 moves whole to the next part", a(152) + "€" + "b".repeat(10), 8, [a(152), "€" + "b".repeat(10)]],
    ["€ at septet 152 with a 16-bit reference moves whole", a(151) + "€" + "b".repeat(10), 16, [a(151), "€" + "b".repeat(10)]],
    ["70 UCS-2 units fit one part", "Ж".repeat(70), 8, ["Ж".repeat(70)]],
    ["71 UCS-2 units need two", "Ж".repeat(71), 8, ["Ж".repeat(67), "Ж".repeat(4)]],
    ["68 characters and an emoji make exactly 70 units, one part", "Ж".repeat(68) + "😀", 8, ["Ж".repeat(68) + "😀"]],
    ["an emoji at unit 67 moves whole to the next part", "ç" + a(65) + "😀" + "b".repeat(10), 8, ["ç" + a(65), "😀" + "b".repeat(10)]],
    ["an emoji at unit 66 with a 16-bit reference moves whole", "ç" + a(64) + "😀" + "b".repeat(10), 16, ["ç" + a(64), "😀" + "b".repeat(10)]],
  ])("%s", (_name, text, referenceBits, expected) => {
    const r = encodeSubmit({ to: TO, text, reference: 1, referenceBits });
    expect(decodedTexts(r.pdus)).toEqual(expected);
    expect(r.parts).toBe(expected.length);
  });

  it("never ends a GSM-7 part in ESC, whatever the position of the extension characters", () => {
    for (let offset = 140; offset < 160; offset++) {
      const text = a(offset) + "€[]{}".repeat(6);
      const r = encodeSubmit({ to: TO, text, reference: 1 });
      const parts = decodedTexts(r.pdus);
      expect(parts.join("")).toBe(text);
      for (const p of parts) expect(p).not.toMatch(/ $/);
    }
  });
});

describe("limits and options", () => {
  it("allows 6 parts by default and throws, naming the count, for 7", () => {
    expect(encodeSubmit({ to: TO, text: a(153 * 6), reference: 1 }).parts).toBe(6);
    expectGatewayError(() => encodeSubmit({ to: TO, text: a(153 * 6 + 1), reference: 1 }), "SMS_INVALID", /7 parts.*limit of 6/);
  });

  it("honours a configured cap on parts", () => {
    expect(encodeSubmit({ to: TO, text: a(153 * 7), reference: 1, maxParts: 10 }).parts).toBe(7);
    expectGatewayError(() => encodeSubmit({ to: TO, text: a(155) + "€€€", reference: 1, maxParts: 1 }), "SMS_INVALID", /2 parts/);
  });

  it("fails fast on a huge text without cutting it", () => {
    expectGatewayError(() => encodeSubmit({ to: TO, text: a(1_000_000), reference: 1 }), "SMS_INVALID", /more than 6 parts/);
  });

  it.each<[string, Partial<SubmitOptions>, RegExp]>([
    ["a long text without a reference", { text: a(161) }, /needs a reference/],
    ["an 8-bit reference of 256", { text: a(161), reference: 256 }, /reference must be 0-255/],
    ["a 16-bit reference of 65536", { text: a(161), reference: 65536, referenceBits: 16 }, /0-65535/],
    ["a negative reference", { text: a(161), reference: -1 }, /reference/],
    ["maxParts 0", { text: "x", maxParts: 0 }, /maxParts/],
    ["maxParts 256", { text: "x", maxParts: 256 }, /maxParts/],
    ["a validity octet of 256", { text: "x", validity: 256 }, /validity/],
    ["referenceBits 12", { text: "x", referenceBits: 12 as 8 }, /referenceBits/],
    ["an unpaired surrogate", { text: "ab\ud83d" }, /unpaired/],
    ["a text that is not a string", { text: 42 as unknown as string }, /text must be a string/],
  ])("rejects %s", (_name, options, message) => {
    expectGatewayError(() => encodeSubmit({ to: TO, text: "", ...options }), "SMS_INVALID", message);
  });

  it("does not need a reference for a single part", () => {
    expect(encodeSubmit({ to: TO, text: a(160) }).parts).toBe(1);
  });
});

describe("encode → decode round trips", () => {
  it.each([
    ["Swedish letters", "Räddningstjänsten: ÅÄÖ åäö é É ü Ü"],
    ["extension characters", "€ [ ] { } ^ \\ ~ | and a form feed \f"],
    ["emoji and Swedish", "Brand 🔥 i Årsta, kom 🚒 – hälsningar"],
    ["CJK", "火災警報"],
    ["CR and LF in GSM-7", "Rad 1\r\nRad 2\nRad 3\r"],
    ["a long mixed text", "Larm! ".repeat(40) + "€".repeat(20) + "ÅÄÖ".repeat(10)],
    ["a long UCS-2 text with emoji", "👩‍🚒".repeat(50)],
  ])("decodes %s back to exactly the input", (_name, text) => {
    const r = encodeSubmit({ to: TO, text, reference: 99, maxParts: 10, statusReport: true });
    expect(decodedTexts(r.pdus).join("")).toBe(text);
    for (const p of r.pdus) {
      const d = asSubmit(decodeOk(p.hex));
      expect(d.destination).toEqual({ address: TO, type: "international", toa: 0x91 });
      expect(d.statusReportRequest).toBe(true);
      expect(d.messageReference).toBe(0);
      expect(d.validity).toEqual({ format: "relative", octet: 0xa7, minutes: 1440 });
      expect(d.dcs.coding).toBe(r.coding);
    }
  });

  it("round-trips random texts and keeps every part within TP-UDL limits", () => {
    const pool = [..."abcXYZ019 @£$¥èéùìòÇØøÅåΔ_ÆæßÉ!?¤§¡¿ÄÖÑÜäöñüà\r\n", "€", "[", "]", "{", "}", "~", "|", "^", "\\", "ç", "Ж", "😀", "🚒", "\u001a", "\u001b", "\t"];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      let text = "";
      const len = rand(700);
      const gsmOnly = rand(2) === 0;
      for (let i = 0; i < len; i++) text += pool[rand(gsmOnly ? 52 : pool.length)];
      const r = encodeSubmit({ to: TO, text, reference: rand(256), maxParts: 20 });
      expect(decodedTexts(r.pdus).join("")).toBe(text);
      for (const p of r.pdus) {
        expect(p.hex).toMatch(/^(?:[0-9A-F]{2})+$/);
        expect(p.length).toBe(p.hex.length / 2 - 1);
        expect(p.length).toBeLessThanOrEqual(164);
      }
    }
  });
});
