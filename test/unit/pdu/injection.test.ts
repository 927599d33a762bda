import { describe, expect, it } from "vitest";
import { assertSafeHex, encodeSubmit, isSafeHex } from "../../../adapters/gsm-sms/pdu/index.js";
import { decodedTexts, expectGatewayError } from "./pdu-test-helpers.js";

const TO = "+46701234567";

describe("AT injection through the message text", () => {
  it.each([
    ["CR LF and an AT command", "OK\r\nAT+CMGD=1,4\r", "gsm7"],
    ["a bare CR between words", "a\rb", "gsm7"],
    ["a Hayes escape and hang-up", "+++ATH0\r", "gsm7"],
    ["a Ctrl-Z that would end AT+CMGS early", "stop\u001a", "ucs2"],
    ["a Ctrl-Z followed by an AT command", "\u001aAT+CFUN=0\r", "ucs2"],
    ["an ESC that would cancel AT+CMGS", "\u001b[31mred", "ucs2"],
    ["every dangerous control character at once", "\r\n\u001a\u001b\u0000", "ucs2"],
    ["many Ctrl-Z across several parts", "x\u001a".repeat(100), "ucs2"],
  ])("carries %s as pure hex data and decodes it back exactly", (_name, text, coding) => {
    const r = encodeSubmit({ to: TO, text, reference: 5, maxParts: 10 });
    expect(r.coding).toBe(coding);
    for (const p of r.pdus) {
      expect(p.hex).toMatch(/^(?:[0-9A-F]{2})+$/);
      expect(() => assertSafeHex(p.hex)).not.toThrow();
    }
    expect(decodedTexts(r.pdus).join("")).toBe(text);
  });

  it.each([
    ["a CR", "0011\r"],
    ["a Ctrl-Z", "0011\u001a"],
    ["an ESC", "\u001b0011"],
    ["lowercase hex", "00aa"],
    ["an odd length", "001"],
    ["an empty string", ""],
    ["spaces", "00 11"],
  ])("assertSafeHex refuses a line with %s", (_name, hex) => {
    expect(isSafeHex(hex)).toBe(false);
    expectGatewayError(() => assertSafeHex(hex), "AT_UNSAFE_ARGUMENT", /not uppercase hex/);
  });
});
