import { describe, expect, it } from "vitest";
import {
  bytesToHex,
  encodeAddress,
  encodeSubmit,
  normalizeRecipient,
  parseRecipient,
} from "../../../adapters/gsm-sms/pdu/index.js";
import { expectGatewayError } from "./pdu-test-helpers.js";

describe("recipient addresses (TS 23.040 9.1.2.5)", () => {
  it.each([
    // [input, expected field]: length in digits, TOA, swapped BCD with F filler (worked out by hand).
    ["+46701234567", "0B916407214365F7"],
    ["+46708251358", "0B916407281553F8"],
    ["0701234567", "0A817010325476"],
    ["112", "038111F2"],
    ["+12345678901234567890", "149121436587092143658709"],
  ])("encodes %s as %s", (to, field) => {
    expect(bytesToHex(encodeAddress(to))).toBe(field);
  });

  it("marks an E.164 number international (0x91) and a national one TON unknown (0x81)", () => {
    expect(encodeAddress("+46701234567")[1]).toBe(0x91);
    expect(encodeAddress("0701234567")[1]).toBe(0x81);
  });

  it("normalises a valid recipient to its canonical form", () => {
    expect(normalizeRecipient("+46701234567")).toBe("+46701234567");
    expect(parseRecipient("0701234567")).toEqual({ digits: "0701234567", international: false });
  });

  it.each([
    ["an empty string", ""],
    ["a lone plus", "+"],
    ["two digits", "12"],
    ["21 digits", "+467012345678901234567"],
    ["spaces", "+46 70 123 45 67"],
    ["a trailing CR", "0701234567\r"],
    ["a CR followed by an AT command", "0701234567\rAT+CFUN=0"],
    ["a semicolon", "0701234567;"],
    ["a letter", "070123456a"],
    ["a double plus", "++46701234567"],
    ["a plus in the middle", "4670+1234567"],
    ["a leading space", " 0701234567"],
    ["a hyphen", "070-1234567"],
    ["a Ctrl-Z", "0701234567\u001a"],
    ["full-width digits", "０７０１２３４５６７"],
  ])("rejects %s as an invalid recipient", (_name, to) => {
    expectGatewayError(() => encodeAddress(to), "SMS_INVALID", /invalid recipient/);
    expectGatewayError(() => encodeSubmit({ to, text: "x" }), "SMS_INVALID", /invalid recipient/);
  });

  it("rejects a recipient that is not a string at all", () => {
    expectGatewayError(() => encodeSubmit({ to: 46701234567 as unknown as string, text: "x" }), "SMS_INVALID", /invalid recipient/);
  });
});
