import { describe, expect, it } from "vitest";
import { BitWriter, bytesToHex, decodeCtsdsr, decodeSds, lipVelocityKmh, validityPeriodSeconds } from "../../../adapters/rakel-pei/sds/index.js";

describe("AI service 13: status, emergency and short reports", () => {
  it.each([
    ["0x0001 is a status", "0001", { kind: "status", value: 1 }],
    ["0x7ACA is a status although ftl-pei's loose mask calls it a short report", "7ACA", { kind: "status", value: 0x7aca }],
    ["0x7BFF is the last status below the short-report range", "7BFF", { kind: "status", value: 0x7bff }],
    ["0x7C00 is a 'not supported' short report for ref 0", "7C00", { kind: "short-report", reportType: "not-supported", messageReference: 0, value: 0x7c00 }],
    ["0x7D10 is a 'memory full' short report", "7D10", { kind: "short-report", reportType: "memory-full", messageReference: 0x10 }],
    ["0x7E2A is a 'received' short report for ref 42", "7E2A", { kind: "short-report", reportType: "received", messageReference: 42 }],
    ["0x7FFF is a 'consumed' short report for ref 255", "7FFF", { kind: "short-report", reportType: "consumed", messageReference: 255 }],
    ["0x8000 is a status again", "8000", { kind: "status", value: 0x8000 }],
    ["0x8002 is German BOS status 0", "8002", { kind: "status", value: 32770 }],
    ["0xFEFD is a status, not a short report (docs/pei.md §4.3)", "FEFD", { kind: "status", value: 0xfefd }],
    ["0xFFFF is a status", "ffff", { kind: "status", value: 0xffff, hex: "FFFF" }],
    ["0x0000 is the emergency status", "0000", { kind: "emergency", value: 0 }],
  ])("%s", (_t, hex, expected) => {
    expect(decodeSds(13, hex, 16)).toMatchObject({ ok: true, value: expected });
  });

  it("rejects a status that is not 16 bits", () => {
    expect(decodeSds(13, "80", 8)).toMatchObject({ ok: false, reason: expect.stringMatching(/16 bits, got 8/) as unknown });
    expect(decodeSds(13, "800200", 24).ok).toBe(false);
  });

  it("defaults the length to the digit count", () => {
    expect(decodeSds(13, "8005")).toMatchObject({ ok: true, value: { kind: "status", value: 0x8005 } });
  });
});

describe("AI service 12 dispatch by protocol identifier", () => {
  it.each([
    ["SDS-TL text with a timestamp", "82000181045A8F48656A", { kind: "text", text: "Hej", timestamp: { timeframe: "local", month: 4, day: 11, hour: 10, minute: 15 } }],
    ["SDS-TL text with a UTC timestamp", "820001814C5A8F48656A", { kind: "text", timestamp: { timeframe: "utc", month: 12 } }],
    ["SDS-TL immediate text", "89000101414C41524D", { kind: "text", text: "ALARM", immediate: true, protocolId: 0x89 }],
    ["SDS-TL UCS-2 text", "8200011A00C520AC", { kind: "text", text: "Å€", codingScheme: 0x1a }],
    ["simple text 0x02", "020148656A", { kind: "text", text: "Hej", simple: true, messageReference: null }],
    ["simple immediate text with the fill bit set", "098148656A", { kind: "text", text: "Hej", simple: true, immediate: true, codingScheme: 1 }],
    ["an SDS-REPORT with ack required and user data", "82180207AABB", { kind: "report", deliveryStatus: 2, deliveryStatusName: "consumed by destination", messageReference: 7, ackRequired: true, userDataHex: "AABB" }],
    ["an SDS-REPORT of a failure", "82104A09", { kind: "report", deliveryStatus: 0x4a, deliveryStatusName: "delivery failed" }],
    ["an SDS-ACK", "822001C9", { kind: "ack", deliveryStatus: 1, messageReference: 0xc9, deliveryStatusName: "receipt report acknowledged" }],
    ["an SDS-TL transfer of an unparsed PID keeps its reference", "83041101DEAD", { kind: "unknown", protocolId: 0x83, messageType: 0, messageReference: 0x11, deliveryReportRequest: "received" }],
    ["an application-defined SDS-TL message type", "8280FF", { kind: "unknown", protocolId: 0x82, messageType: 8 }],
    ["a reserved SDS-TL message type", "823000", { kind: "unknown", protocolId: 0x82, messageType: 3 }],
    ["a PID without SDS-TL header", "0312345678", { kind: "unknown", protocolId: 0x03, aiService: 12, hex: "0312345678" }],
    ["a vendor PID with an SDS-TL header", "C3000203", { kind: "unknown", protocolId: 0xc3, messageType: 0, messageReference: 2 }],
    ["a vendor PID too short for an SDS-TL report", "C31000", { kind: "unknown", protocolId: 0xc3, hex: "C31000" }],
    ["a vendor PID with only one octet after it", "DC01", { kind: "unknown", protocolId: 0xdc }],
    ["a 0x8A text whose UDH has no concatenation element", "8A00010100484A", { kind: "text", text: "HJ", protocolId: 0x8a }],
    ["a 0x8A part with a 16-bit reference (big-endian)", "8A00050106080412340301414243", { kind: "concatenated-part", reference: 0x1234, total: 3, part: 1, referenceBits: 16, text: "ABC" }],
    ["a 0x8A part with an invalid part number is treated as plain text", "8A000501050003120304414243", { kind: "text", text: "ABC" }],
  ])("decodes %s", (_t, hex, expected) => {
    expect(decodeSds(12, hex)).toMatchObject({ ok: true, value: expected });
  });

  it("decodes the ftl-pei UDH example (ISO 8859-15, timestamp, part 1 of 2)", () => {
    const r = decodeSds(12, "8A00C98D045A8F050003C90201" + "48656A20A4");
    expect(r).toMatchObject({
      ok: true,
      value: { kind: "concatenated-part", text: "Hej €", codingScheme: 0x0d, reference: 0xc9, part: 1, total: 2, messageReference: 0xc9, timestamp: { month: 4, day: 11 } },
    });
  });
});

describe("storage/forward control", () => {
  it.each([
    ["an SSI forward address and 10 s validity", "091E8480", { validityPeriod: 1, validitySeconds: 10, forwardAddressType: 1, forwardAddress: "2000000" }],
    ["an SNA forward address", "F820", { validityPeriod: 31, validitySeconds: null, forwardAddressType: 0, forwardAddress: "32" }],
    ["a TSI forward address", "3A1E8480ABCDEF", { validityPeriod: 7, validitySeconds: 120, forwardAddressType: 2, forwardAddress: `2000000:${0xabcdef}` }],
    ["an odd-length external number padded to an octet", "53031230", { validityPeriod: 10, validitySeconds: 300, forwardAddressType: 3, forwardAddress: "123" }],
    ["no forward address", "07", { validityPeriod: 0, validitySeconds: 0, forwardAddressType: 7 }],
  ])("is skipped correctly with %s", (_t, sfc, expected) => {
    const r = decodeSds(12, `820105${sfc}0148656A`);
    expect(r).toMatchObject({ ok: true, value: { kind: "text", text: "Hej", messageReference: 5, storageForward: expected } });
  });

  it("rejects a reserved forward address type", () => {
    expect(decodeSds(12, "820105040148656A")).toMatchObject({ ok: false, reason: expect.stringMatching(/reserved forward address type 4/) as unknown });
  });

  it.each([
    [0, 0],
    [6, 60],
    [11, 600],
    [16, 3600],
    [17, 7200],
    [24, 86400],
    [25, 172800],
    [30, 12 * 86400],
    [31, null],
  ])("maps validity code %i to %s seconds", (code, seconds) => {
    expect(validityPeriodSeconds(code)).toBe(seconds);
  });
});

/** Build an 84-bit LIP short location report like a terminal would. */
function lip(lat: number, lon: number, opts: { err?: number; vel?: number; dir?: number; addType?: number; add?: number; te?: number } = {}): string {
  const w = new BitWriter()
    .write(0x0a, 8)
    .write(0, 2)
    .write(opts.te ?? 1, 2)
    .write(Math.round((lon * 2 ** 25) / 360) & (2 ** 25 - 1), 25)
    .write(Math.round((lat * 2 ** 24) / 180) & (2 ** 24 - 1), 24)
    .write(opts.err ?? 2, 3)
    .write(opts.vel ?? 40, 7)
    .write(opts.dir ?? 4, 4)
    .write(opts.addType ?? 0, 1)
    .write(opts.add ?? 2, 8);
  return bytesToHex(w.toBytes());
}

describe("LIP short location report", () => {
  it.each([
    ["Stockholm (north, east)", 59.3293, 18.0686],
    ["Sydney (south, east)", -33.8688, 151.2093],
    ["New York (north, west)", 40.7128, -74.006],
    ["Buenos Aires (south, west)", -34.6037, -58.3816],
  ])("decodes %s with correct signs", (_t, lat, lon) => {
    const r = decodeSds(12, lip(lat, lon), 84);
    if (!r.ok || r.value.kind !== "position") throw new Error(JSON.stringify(r));
    expect(r.value.latitude).toBeCloseTo(lat, 4);
    expect(r.value.longitude).toBeCloseTo(lon, 4);
  });

  it("decodes error, velocity, direction, reason and time elapsed", () => {
    const r = decodeSds(12, lip(59.3, 18.1, { err: 1, vel: 20, dir: 4, add: 2, te: 1 }), 84);
    expect(r).toMatchObject({ ok: true, value: { positionError: 1, positionErrorMeters: 20, velocityKmh: 20, directionDeg: 90, reason: 2, timeElapsed: 1 } });
  });

  it("reports user-defined additional data instead of a reason", () => {
    const r = decodeSds(12, lip(59.3, 18.1, { addType: 1, add: 0xab }), 84);
    expect(r).toMatchObject({ ok: true, value: { reason: null, userDefinedData: 0xab } });
  });

  it.each([
    [0, 0],
    [28, 28],
    [29, 29.1],
    [126, 1082.5],
    [127, null],
  ])("maps velocity code %i to %s km/h", (code, kmh) => {
    expect(lipVelocityKmh(code)).toBe(kmh);
  });

  it("returns a long-format LIP PDU as unknown with its hex", () => {
    expect(decodeSds(12, "0A4123456789")).toMatchObject({ ok: true, value: { kind: "unknown", protocolId: 0x0a, hex: "0A4123456789" } });
  });

  it("rejects a truncated short report", () => {
    expect(decodeSds(12, "0A0088BD4247", 48)).toMatchObject({ ok: false, reason: expect.stringMatching(/too short/) as unknown });
  });
});

describe("AI services 9, 10 and 11: raw user data", () => {
  it.each([
    [9, "ABCD", 16],
    [10, "01234567", 32],
    [11, "0123456789ABCDEF", 64],
  ])("AI service %i decodes as unknown without a PID", (ai, hex, bits) => {
    expect(decodeSds(ai, hex, bits)).toEqual({ ok: true, value: { kind: "unknown", protocolId: null, aiService: ai, hex } });
  });
});

describe("garbage never throws", () => {
  it.each([
    ["non-hex data", 12, "ZZ", undefined, /not hex/],
    ["an empty line", 12, "", undefined, /empty/],
    ["a length longer than the data", 12, "8202", 64, /declared 64 bits/],
    ["an SDS-TL PDU cut after the PID", 12, "82", undefined, /too short/],
    ["an SDS-TL transfer without a reference", 12, "8200", undefined, /too short/],
    ["a text without its text header", 12, "820001", undefined, /text header/],
    ["a report without reference", 12, "821000", undefined, /too short/],
    ["a UDH longer than the data", 12, "8A000101FF00", undefined, /user data header/],
    ["a timestamp cut short", 12, "8200018104", undefined, /too short/],
    ["an AI service that carries no SDS", 5, "8202", undefined, /AI service 5/],
    ["a type-4 PDU shorter than a PID", 12, "8", 4, /at least a protocol identifier/],
  ])("returns ok:false for %s", (_t, ai, hex, bits, re) => {
    const r = decodeSds(ai, hex, bits);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(re);
  });

  it("survives random bytes on every AI service", () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rnd() * 40);
      const hex = Array.from({ length: len }, () => "0123456789ABCDEF"[Math.floor(rnd() * 16)]).join("");
      const ai = [9, 10, 11, 12, 13][i % 5]!;
      expect(() => decodeSds(ai, hex, len > 0 ? Math.floor(rnd() * len * 4) + 1 : undefined)).not.toThrow();
    }
  });
});

describe("decodeCtsdsr", () => {
  it("decodes a status header and data line", () => {
    expect(decodeCtsdsr("+CTSDSR: 13,1234567,0,2345678,0,16", "8005")).toMatchObject({
      ok: true,
      value: { header: { aiService: 13, source: "1234567", destination: "2345678", bits: 16 }, sds: { kind: "status", value: 0x8005 } },
    });
  });

  it("passes header errors through", () => {
    expect(decodeCtsdsr("+CTSDSR: 12,abc", "82").ok).toBe(false);
  });
});
