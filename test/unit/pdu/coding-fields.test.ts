import { describe, expect, it } from "vitest";
import {
  decodeDcs,
  decodeTimestamp,
  encodeDcs,
  encodeTimestamp,
  relativeValidityMinutes,
  relativeValidityOctet,
} from "../../../adapters/gsm-sms/pdu/index.js";
import { expectGatewayError } from "./pdu-test-helpers.js";

describe("data coding scheme (TS 23.038 clause 4)", () => {
  it.each([
    ["00", "gsm7", null, false],
    ["04", "8bit", null, false],
    ["08", "ucs2", null, false],
    ["0C", "gsm7", null, false], // general group, reserved alphabet → GSM-7
    ["10", "gsm7", 0, false],
    ["11", "gsm7", 1, false],
    ["18", "ucs2", 0, false],
    ["16", "8bit", 2, false],
    ["20", "gsm7", null, true], // compressed
    ["48", "ucs2", null, false], // automatic deletion group
    ["80", "gsm7", null, false], // reserved group → GSM-7
    ["C0", "gsm7", null, false], // message waiting, discard
    ["D0", "gsm7", null, false], // message waiting, store
    ["E0", "ucs2", null, false], // message waiting, store, UCS-2
    ["F0", "gsm7", 0, false],
    ["F4", "8bit", 0, false],
    ["F6", "8bit", 2, false],
  ] as const)("reads DCS 0x%s", (dcs, coding, messageClass, compressed) => {
    const d = decodeDcs(parseInt(dcs, 16));
    expect({ coding: d.coding, messageClass: d.messageClass, compressed: d.compressed }).toEqual({ coding, messageClass, compressed });
  });

  it("writes 0x00 / 0x08 normally and 0x10 / 0x18 for flash", () => {
    expect([encodeDcs("gsm7", false), encodeDcs("ucs2", false), encodeDcs("gsm7", true), encodeDcs("ucs2", true)]).toEqual([
      0x00, 0x08, 0x10, 0x18,
    ]);
  });
});

describe("relative validity period (TS 23.040 9.2.3.12.1)", () => {
  it.each([
    [0, 5],
    [11, 60],
    [143, 720],
    [144, 750],
    [167, 1440],
    [168, 2 * 1440],
    [170, 4 * 1440],
    [196, 30 * 1440],
    [197, 5 * 10080],
    [255, 63 * 10080],
  ])("octet %i lasts %i minutes", (octet, minutes) => {
    expect(relativeValidityMinutes(octet)).toBe(minutes);
  });

  it.each([
    [1, 0],
    [60, 11],
    [1440, 0xa7],
    [1441, 168],
    [10 ** 9, 255],
  ])("picks the smallest octet lasting at least %i minutes: %i", (minutes, octet) => {
    expect(relativeValidityOctet(minutes)).toBe(octet);
  });

  it("rejects a validity of zero minutes", () => {
    expectGatewayError(() => relativeValidityOctet(0), "SMS_INVALID", /positive/);
  });
});

describe("service-centre time stamps (TS 23.040 9.2.3.11)", () => {
  it.each([0, 60, 120, -300, 330, -720, 840])("round-trips an instant in a zone %i minutes from UTC", (offset) => {
    const instant = new Date("2031-12-31T23:59:58Z");
    const ts = decodeTimestamp(Uint8Array.from(encodeTimestamp(instant, offset)));
    expect(typeof ts).toBe("object");
    if (typeof ts === "object") {
      expect(ts.utc).toBe(instant.toISOString());
      expect(ts.offsetMinutes).toBe(offset);
    }
  });

  it("encodes +01:00 as 40 and -05:00 as 0A in the last octet", () => {
    expect(encodeTimestamp(new Date("2024-03-15T13:30:05Z"), 60)).toEqual([0x42, 0x30, 0x51, 0x41, 0x03, 0x50, 0x40]);
    expect(encodeTimestamp(new Date("2024-03-15T19:30:05Z"), -300)[6]).toBe(0x0a);
  });

  it("returns a reason for a wrong length", () => {
    expect(decodeTimestamp(new Uint8Array(6))).toMatch(/7 octets/);
  });
});
