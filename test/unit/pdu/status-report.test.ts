import { describe, expect, it } from "vitest";
import { classifyStatus, decodePdu, decodeTpdu, encodeStatusReport } from "../../../adapters/gsm-sms/pdu/index.js";
import { asStatusReport, decodeOk } from "./pdu-test-helpers.js";

const SMSC_SE = "07916407058099F9";
const RA_SE = "0B916407214365F7";
const SCTS = "42305141035040"; // 2024-03-15 14:30:05 +01:00
const DT = "42305141135040"; // 2024-03-15 14:31:05 +01:00
const report = (st: string, fo = "06", tail = ""): string => SMSC_SE + fo + "2A" + RA_SE + SCTS + DT + st + tail;

describe("SMS-STATUS-REPORT decoding (TS 23.040 9.2.2.3)", () => {
  it("decodes a published +CDS PDU that carries no SMSC field", () => {
    // amro.blogspot.com 2007: "+CDS: 06000B910221815716F2709021510121807090215101718000".
    const hex = "06000B910221815716F2709021510121807090215101718000";
    for (const r of [decodeTpdu(hex), decodePdu(hex, 25)]) {
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      const d = asStatusReport(r.value);
      expect(d.smsc).toBeNull();
      expect(d.messageReference).toBe(0);
      expect(d.recipient).toEqual({ address: "+20121875612", type: "international", toa: 0x91 });
      expect(d.timestamp.iso).toBe("2007-09-12T15:10:12+02:00");
      expect(d.dischargeTime.iso).toBe("2007-09-12T15:10:17+02:00");
      expect(d.status).toEqual({ code: 0, class: "delivered", text: "received by the recipient", unspecified: false });
      expect(d.qualifier).toBe("submit");
    }
  });

  it("decodes a report with SMSC field, message reference, recipient and both times", () => {
    const d = asStatusReport(decodeOk(report("00")));
    expect(d.smsc?.address).toBe("+46705008999");
    expect(d.messageReference).toBe(42);
    expect(d.recipient.address).toBe("+46701234567");
    expect(d.timestamp.utc).toBe("2024-03-15T13:30:05.000Z");
    expect(d.dischargeTime.utc).toBe("2024-03-15T13:31:05.000Z");
    expect(d.moreMessagesToSend).toBe(false);
    expect(d.ignored).toBeNull();
  });

  it.each([
    ["00", "delivered", false],
    ["01", "delivered", false],
    ["02", "delivered", false],
    ["10", "delivered", true],
    ["20", "pending", false],
    ["21", "pending", false],
    ["25", "pending", false],
    ["30", "pending", true],
    ["40", "failed", false],
    ["46", "failed", false],
    ["49", "failed", false],
    ["55", "failed", true],
    ["60", "failed", false],
    ["63", "failed", false],
    ["7F", "failed", true],
    ["80", "failed", true],
    ["FF", "failed", true],
  ])("classifies TP-ST 0x%s as %s", (st, cls, unspecified) => {
    const d = asStatusReport(decodeOk(report(st)));
    expect(d.status.class).toBe(cls);
    expect(d.status.unspecified).toBe(unspecified);
    expect(d.status.code).toBe(parseInt(st, 16));
  });

  it("describes an expired message", () => {
    expect(classifyStatus(0x46).text).toBe("validity period expired");
  });

  it("reads TP-SRQ as a report on an SMS-COMMAND", () => {
    expect(asStatusReport(decodeOk(report("00", "26"))).qualifier).toBe("command");
  });

  it("reads optional TP-PID, TP-DCS and user data announced by TP-PI", () => {
    const d = asStatusReport(decodeOk(report("00", "06", "07" + "00" + "00" + "03C8B21A")));
    expect(d.protocolId).toBe(0);
    expect(d.dcs?.coding).toBe("gsm7");
    expect(d.userData?.text).toBe("Hej");
  });

  it("accepts a TP-PI of 00 with nothing after it", () => {
    const d = asStatusReport(decodeOk(report("00", "06", "00")));
    expect(d.userData).toBeNull();
    expect(d.ignored).toBeNull();
  });

  it("keeps the delivery outcome when the optional tail is malformed, and says why it was ignored", () => {
    const d = asStatusReport(decodeOk(report("00", "06", "04FF")));
    expect(d.status.class).toBe("delivered");
    expect(d.userData).toBeNull();
    expect(d.ignored).toMatch(/TP-UDL 255/);
  });

  it("fails on a report cut inside its discharge time", () => {
    expect(decodePdu(report("00").slice(0, -6)).ok).toBe(false);
  });

  it("round-trips a report built for the simulated modem", () => {
    const hex = encodeStatusReport({
      messageReference: 200,
      recipient: "0701234567",
      timestamp: new Date("2024-06-01T10:00:00Z"),
      dischargeTime: new Date("2024-06-01T10:00:07Z"),
      offsetMinutes: 120,
      status: 0x00,
    });
    expect(hex).toMatch(/^[0-9A-F]+$/);
    const d = asStatusReport(decodeOk(hex));
    expect(d.messageReference).toBe(200);
    expect(d.recipient).toEqual({ address: "0701234567", type: "unknown", toa: 0x81 });
    expect(d.timestamp).toEqual({ iso: "2024-06-01T12:00:00+02:00", utc: "2024-06-01T10:00:00.000Z", offsetMinutes: 120 });
    expect(d.dischargeTime.utc).toBe("2024-06-01T10:00:07.000Z");
  });
});
