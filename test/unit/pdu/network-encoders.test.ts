import { describe, expect, it } from "vitest";
import { encodeDeliver } from "../../../adapters/gsm-sms/pdu/index.js";
import { asDeliver, decodeOk, expectGatewayError } from "./pdu-test-helpers.js";

const when = new Date("2024-03-15T13:30:05Z");

describe("SMS-DELIVER builder for the simulated modem", () => {
  it("builds the hand-checked alphanumeric vector exactly", () => {
    const hex = encodeDeliver({ from: "Telia", alphanumeric: true, text: "Hej", timestamp: when, offsetMinutes: 60, smsc: "+46705008999" });
    expect(hex).toBe("07916407058099F9" + "04" + "09D0D4323B1D06" + "0000" + "42305141035040" + "03C8B21A");
  });

  it.each([
    ["GSM-7 with Swedish letters", "Svar: JA 4711 åäö", "gsm7"],
    ["UCS-2 with an emoji", "NEJ 🙅", "ucs2"],
    ["the longest GSM-7 text", "a".repeat(160), "gsm7"],
  ])("round-trips %s", (_name, text, coding) => {
    const d = asDeliver(decodeOk(encodeDeliver({ from: "+46701234567", text, timestamp: when, statusReportIndication: true })));
    expect(d.text).toBe(text);
    expect(d.coding).toBe(coding);
    expect(d.originator.address).toBe("+46701234567");
    expect(d.statusReportIndication).toBe(true);
    expect(d.timestamp.utc).toBe(when.toISOString());
  });

  it("refuses a text that does not fit one part next to its header", () => {
    const concat = { reference: 1, total: 2, sequence: 1, referenceBits: 8 as const };
    expectGatewayError(() => encodeDeliver({ from: "112", text: "a".repeat(154), timestamp: when, concat }), "SMS_INVALID", /fit/);
    expectGatewayError(() => encodeDeliver({ from: "112", text: "Ж".repeat(68), timestamp: when, concat }), "SMS_INVALID", /fit/);
  });

  it("refuses an alphanumeric originator longer than 11 characters", () => {
    expectGatewayError(() => encodeDeliver({ from: "Räddningstjänst", alphanumeric: true, text: "x", timestamp: when }), "SMS_INVALID", /alphanumeric/);
  });
});
