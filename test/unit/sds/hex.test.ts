import { describe, expect, it } from "vitest";
import { BitReader, BitWriter, bytesToHex, hexByte, normalizeHex, parseHex } from "../../../adapters/rakel-pei/sds/index.js";

describe("parseHex", () => {
  it.each([
    ["upper case passes through", "8202", undefined, "8202", 16],
    ["lower case is accepted and upper-cased", "0a0088bd", undefined, "0A0088BD", 32],
    ["whitespace anywhere is ignored", " 82 02\t01\r\n", undefined, "820201", 24],
    ["an odd digit count is padded with a trailing 0 (docs/pei.md §4.2)", "ABC", undefined, "ABC", 12],
    ["digits beyond the declared length are dropped", "82020101FFFF", 32, "82020101", 32],
    ["bits beyond the declared length in the last digit are cleared", "FF", 5, "F8", 5],
    ["an 84-bit LIP report as 22 digits keeps 21 digits", "0A0088BD4247F737FFE810", 84, "0A0088BD4247F737FFE81", 84],
    ["an 84-bit LIP report as 21 digits is accepted", "0A0088BD4247F737FFE81", 84, "0A0088BD4247F737FFE81", 84],
    ["an empty line is zero bits", "", undefined, "", 0],
  ] as const)("%s", (_t, input, bits, hex, n) => {
    const r = parseHex(input, bits);
    expect(r).toMatchObject({ ok: true, value: { hex, bits: n } });
  });

  it("pads an odd digit count into whole bytes", () => {
    const r = parseHex("ABC");
    expect(r.ok && Array.from(r.value.bytes)).toEqual([0xab, 0xc0]);
  });

  it("clears padding bits of a 21-digit LIP report in the byte view", () => {
    const r = parseHex("0A0088BD4247F737FFE81F", 84);
    expect(r.ok && r.value.bytes.at(-1)).toBe(0x10);
  });

  it.each([
    ["a non-hex letter", "82G2", undefined, /"G".*digit 2/],
    ["a 0x prefix", "0x8202", undefined, /"x"/],
    ["a dash", "82-02", undefined, /"-"/],
    ["non-ASCII", "82Ä2", undefined, /U\+00C4/],
    ["fewer digits than the declared length", "8202", 24, /declared 24 bits/],
    ["a negative length", "8202", -1, /non-negative/],
    ["a fractional length", "8202", 1.5, /non-negative integer/],
  ] as const)("rejects %s with a reason", (_t, input, bits, re) => {
    const r = parseHex(input, bits);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(re);
  });

  it("normalizeHex returns only the canonical string", () => {
    expect(normalizeHex("0a 00")).toEqual({ ok: true, value: "0A00" });
    expect(normalizeHex("zz").ok).toBe(false);
  });
});

describe("bytesToHex and hexByte", () => {
  it("writes two upper-case digits per octet, keeping leading zeros (unlike svx, docs/pei.md §10.9)", () => {
    expect(bytesToHex(Uint8Array.from([0x00, 0x0a, 0xe5, 0xff]))).toBe("000AE5FF");
    expect(hexByte(0x05)).toBe("05");
  });
});

describe("BitReader and BitWriter", () => {
  it("round-trip unaligned fields MSB first", () => {
    const w = new BitWriter().write(0b10, 2).write(0x1abcdef, 25).write(5, 3).write(0xff, 8);
    const r = new BitReader(w.toBytes(), w.bits);
    expect([r.read(2), r.read(25), r.read(3), r.read(8)]).toEqual([0b10, 0x1abcdef, 5, 0xff]);
    expect(r.remaining).toBe(0);
  });

  it("reads two's complement fields", () => {
    const w = new BitWriter().write(2 ** 24 - 1, 24).write(2 ** 23, 24);
    const r = new BitReader(w.toBytes());
    expect(r.readSigned(24)).toBe(-1);
    expect(r.readSigned(24)).toBe(-(2 ** 23));
  });

  it("refuses to read past the declared length", () => {
    const r = new BitReader(Uint8Array.from([0xff, 0xff]), 12);
    r.read(8);
    expect(() => r.read(8, "reference")).toThrow(/reference needs 8 bits/);
  });
});
