import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../../src/shared/errors.js";
import { SdsReassembler, decodeSds, encodeSdsTlText, encodeTextParts } from "../../../adapters/rakel-pei/sds/index.js";
import type { ConcatenatedPartSds, DecodedSds, EncodedParts } from "../../../adapters/rakel-pei/sds/index.js";

function decodeAll(encoded: EncodedParts): DecodedSds[] {
  return encoded.parts.map((p) => {
    const r = decodeSds(12, p.hex, p.bits);
    if (!r.ok) throw new Error(r.reason);
    return r.value;
  });
}

function asParts(decoded: DecodedSds[]): ConcatenatedPartSds[] {
  return decoded.map((d) => {
    if (d.kind !== "concatenated-part") throw new Error(`expected a concatenated part, got ${d.kind}`);
    return d;
  });
}

/** An unpaired high or low surrogate. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function expectInvalid(fn: () => unknown, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isGatewayError(caught, "SDS_INVALID"), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(re);
}

describe("single-part boundary at the default 668 bits", () => {
  it.each([
    ["79 Latin-1 characters fit one plain 0x82 PDU of 664 bits", "a".repeat(79), 1, 664],
    ["80 Latin-1 characters need two parts", "a".repeat(80), 2, undefined],
    ["39 UCS-2 characters fit one PDU of 656 bits", "€".repeat(39), 1, 656],
    ["40 UCS-2 characters need two parts", "€".repeat(40), 2, undefined],
    ["19 emoji (38 code units) fit one PDU", "🚒".repeat(19), 1, 640],
    ["20 emoji need two parts", "🚒".repeat(20), 2, undefined],
  ])("%s", (_t, text, count, bits) => {
    const r = encodeTextParts(text, { messageReference: 1, group: false });
    expect(r.aiService).toBe(12);
    expect(r.parts).toHaveLength(count);
    for (const p of r.parts) expect(p.bits).toBeLessThanOrEqual(668);
    if (bits !== undefined) expect(r.parts[0]!.bits).toBe(bits);
  });

  it("a single part is byte-identical to encodeSdsTlText", () => {
    const opts = { messageReference: 9, group: false, deliveryReport: "received" as const, immediate: true };
    const single = encodeSdsTlText("Åsa åker", opts);
    expect(encodeTextParts("Åsa åker", opts)).toEqual({ aiService: 12, parts: [{ hex: single.hex, bits: single.bits }] });
  });
});

describe("concatenated parts (PID 0x8A with UDH)", () => {
  const text = "Brand i flerbostadshus, Storgatan 5, Åkersberga. Rökutveckling från vindsplan, okänt antal personer kvar. Samverka på RAPS-grupp.";

  it("splits into parts with UDH 05 00 03 <ref> <total> <part> and consecutive SDS-TL references", () => {
    const r = encodeTextParts(text, { messageReference: 0x10, group: false, deliveryReport: "received" });
    expect(r.parts).toHaveLength(2);
    expect(r.parts[0]!.hex.slice(0, 20)).toBe("8A041001" + "050003100201");
    expect(r.parts[1]!.hex.slice(0, 20)).toBe("8A041101" + "050003100202");
    expect(r.parts[0]!.bits).toBe(83 * 8); // 10 header octets + 73 characters fill the 668-bit budget
  });

  it("wraps the per-part message reference at 256 while the UDH keeps the base", () => {
    const r = encodeTextParts("x".repeat(200), { messageReference: 255, group: false });
    const parts = asParts(decodeAll(r));
    expect(parts.map((p) => p.messageReference)).toEqual([255, 0, 1]);
    expect(parts.map((p) => p.reference)).toEqual([255, 255, 255]);
    expect(parts.map((p) => [p.part, p.total])).toEqual([[1, 3], [2, 3], [3, 3]]);
  });

  it("sets the service-selection bit in every part toward a group", () => {
    const parts = asParts(decodeAll(encodeTextParts(text, { messageReference: 1, group: true })));
    expect(parts.every((p) => p.serviceSelection === 1 && p.deliveryReportRequest === "none")).toBe(true);
  });

  it("uses one coding for the whole text: UCS-2 when any character needs it", () => {
    const parts = asParts(decodeAll(encodeTextParts(`${"å".repeat(100)}€`, { messageReference: 1, group: false })));
    expect(parts.map((p) => p.codingScheme)).toEqual([0x1a, 0x1a, 0x1a]);
  });

  it("never splits a surrogate pair across parts", () => {
    const emojiText = `a${"🚒".repeat(30)}`;
    const parts = asParts(decodeAll(encodeTextParts(emojiText, { messageReference: 1, group: false })));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text).not.toMatch(LONE_SURROGATE);
    expect(parts.map((p) => p.text).join("")).toBe(emojiText);
    expect(parts[0]!.text).toBe(`a${"🚒".repeat(17)}`); // 2 + 17 × 4 = 70 octets; an 18th emoji would need 74 > 73
  });

  it.each([
    ["Latin-1", "Åsa åker över ön. ".repeat(12)],
    ["UCS-2 with emoji", "Larm 🚒 på Storgatan – rök 🔥. ".repeat(6)],
  ])("reassembles %s parts delivered out of order with a duplicate", (_t, longText) => {
    const parts = asParts(decodeAll(encodeTextParts(longText, { messageReference: 42, group: false })));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const order = [...parts].reverse();
    const r = new SdsReassembler({ now: () => 0 });
    const results = [...order.slice(0, 1), ...order].map((p) => r.add("2001234", p));
    expect(results[1]).toMatchObject({ status: "duplicate" });
    const last = results.at(-1)!;
    expect(last.status).toBe("complete");
    if (last.status === "complete") {
      expect(last.message.text).toBe(longText);
      expect(last.message.messageReferences).toEqual(parts.map((_p, i) => 42 + i));
    }
    expect(r.openSets).toBe(0);
  });

  it("respects a larger maxBits from the terminal profile", () => {
    const r = encodeTextParts("a".repeat(144), { messageReference: 1, group: false, maxBits: 1184 });
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]!.bits).toBe(1184);
  });
});

describe("concatenation limits", () => {
  it("rejects a text that needs more than maxParts parts, saying how much fits", () => {
    expectInvalid(() => encodeTextParts("a".repeat(73 * 8 + 1), { messageReference: 1, group: false }), /needs 9 parts.*at most 8.*73 Latin-1 characters per part/);
  });

  it("accepts exactly maxParts parts", () => {
    expect(encodeTextParts("a".repeat(73 * 8), { messageReference: 1, group: false }).parts).toHaveLength(8);
  });

  it("honours a custom maxParts", () => {
    expectInvalid(() => encodeTextParts("a".repeat(80), { messageReference: 1, group: false, maxParts: 1 }), /needs 2 parts/);
  });

  it.each([
    ["above the 2047-bit type-4 limit", 2048, /maxBits must be an integer 24–2047/],
    ["below any useful size", 16, /maxBits/],
  ])("rejects maxBits %s", (_t, maxBits, re) => {
    expectInvalid(() => encodeTextParts("Hej", { messageReference: 1, group: false, maxBits }), re);
  });

  it("rejects a budget too small for one character of a part", () => {
    expectInvalid(() => encodeTextParts("🚒🚒🚒", { messageReference: 1, group: false, maxBits: 96 }), /too few for one character/);
  });

  it("keeps the group-report refusal", () => {
    expectInvalid(() => encodeTextParts("a".repeat(200), { messageReference: 1, group: true, deliveryReport: "received" }), /toward a group/);
  });
});

describe("simple text through encodeTextParts", () => {
  it("returns one 0x02 part when it fits", () => {
    expect(encodeTextParts("Hej", { simple: true })).toEqual({ aiService: 12, parts: [{ hex: "020148656A", bits: 40 }] });
  });

  it("uses 0x09 with immediate", () => {
    expect(encodeTextParts("Hej", { simple: true, immediate: true }).parts[0]!.hex).toBe("090148656A");
  });

  it("refuses to split simple text", () => {
    expectInvalid(() => encodeTextParts("a".repeat(82), { simple: true }), /simple text cannot be concatenated/);
  });
});
