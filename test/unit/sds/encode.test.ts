import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../../src/shared/errors.js";
import {
  decodeSds,
  encodeSdsAck,
  encodeSdsReport,
  encodeSdsTlText,
  encodeShortReport,
  encodeSimpleText,
  encodeStatus,
} from "../../../adapters/rakel-pei/sds/index.js";
import type { DeliveryReportRequest, SdsTlTextOptions } from "../../../adapters/rakel-pei/sds/index.js";

/** Run `fn`, expect a GatewayError SDS_INVALID whose message matches `re`. */
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

describe("SDS-TL text octet 2 (report request, service selection, storage flag 0)", () => {
  it.each([
    ["no report to an individual", "none", false, false, "82", "00"],
    ["'received' to an individual", "received", false, false, "82", "04"],
    ["'consumed' to an individual", "consumed", false, false, "82", "08"],
    ["'both' to an individual", "both", false, false, "82", "0C"],
    ["no report to a group sets the service-selection bit", "none", true, false, "82", "02"],
    ["an immediate text to a group uses PID 0x89", "none", true, true, "89", "02"],
    ["an immediate text with 'both' to an individual", "both", false, true, "89", "0C"],
  ] as const)("%s", (_t, report, group, immediate, pid, octet2) => {
    const r = encodeSdsTlText("Hej", { messageReference: 0x2a, deliveryReport: report, group, immediate });
    expect(r).toEqual({ aiService: 12, hex: `${pid}${octet2}2A0148656A`, bits: 56 });
  });

  it("defaults to no report", () => {
    expect(encodeSdsTlText("Hej", { messageReference: 1, group: false }).hex).toBe("8200010148656A");
  });

  it("accepts message references 0 and 255", () => {
    expect(encodeSdsTlText("A", { messageReference: 0, group: false }).hex).toBe("8200000141");
    expect(encodeSdsTlText("A", { messageReference: 255, group: false }).hex).toBe("8200FF0141");
  });

  it("decodes what it encodes, including immediate and report request", () => {
    const enc = encodeSdsTlText("Larm!", { messageReference: 77, group: false, immediate: true, deliveryReport: "both" });
    expect(decodeSds(12, enc.hex, enc.bits)).toMatchObject({
      ok: true,
      value: { kind: "text", text: "Larm!", protocolId: 0x89, immediate: true, messageReference: 77, deliveryReportRequest: "both", serviceSelection: 0 },
    });
  });
});

describe("SDS-TL text input errors", () => {
  const base: SdsTlTextOptions = { messageReference: 1, group: false };
  it.each([
    ["a message reference of 256", () => encodeSdsTlText("x", { ...base, messageReference: 256 }), /messageReference must be an integer 0–255/],
    ["a negative message reference", () => encodeSdsTlText("x", { ...base, messageReference: -1 }), /messageReference/],
    ["a fractional message reference", () => encodeSdsTlText("x", { ...base, messageReference: 1.5 }), /messageReference/],
    ["a delivery report toward a group", () => encodeSdsTlText("x", { ...base, group: true, deliveryReport: "consumed" }), /cannot be requested toward a group/],
    ["service-selection bit 0 toward a group", () => encodeSdsTlText("x", { ...base, group: true, serviceSelectionBit: 0 }), /group address needs service-selection bit 1/],
    ["an unknown report name", () => encodeSdsTlText("x", { ...base, deliveryReport: "always" as DeliveryReportRequest }), /deliveryReport must be one of/],
    ["a missing group flag", () => encodeSdsTlText("x", { messageReference: 1 } as SdsTlTextOptions), /options.group must be/],
    ["empty text", () => encodeSdsTlText("", base), /text is empty/],
    ["a non-string text", () => encodeSdsTlText(42 as unknown as string, base), /text must be a string/],
    ["an unpaired surrogate", () => encodeSdsTlText("a\uDE92", base), /unpaired UTF-16 surrogate/],
    ["a non-Latin-1 character with forced Latin-1", () => encodeSdsTlText("€", { ...base, coding: "latin1" }), /not in ISO 8859-1/],
  ])("rejects %s", (_t, fn, re) => {
    expectInvalid(fn, re);
  });
});

describe("type-4 size limit (2047 bits)", () => {
  it("accepts 251 Latin-1 characters (255 octets, 2040 bits)", () => {
    expect(encodeSdsTlText("a".repeat(251), { messageReference: 1, group: false }).bits).toBe(2040);
  });

  it("rejects 252 Latin-1 characters and points to concatenation", () => {
    expectInvalid(() => encodeSdsTlText("a".repeat(252), { messageReference: 1, group: false }), /2048 bits.*at most 2047.*encodeTextParts/);
  });

  it("rejects a simple text over the limit", () => {
    expectInvalid(() => encodeSimpleText("a".repeat(254)), /cannot be concatenated/);
  });
});

describe("simple text", () => {
  it.each([
    ["plain", false, "Hej", "020148656A"],
    ["immediate uses PID 0x09", true, "Hej", "090148656A"],
    ["UCS-2 for the euro sign", false, "€", "021A20AC"],
  ] as const)("%s", (_t, immediate, text, hex) => {
    expect(encodeSimpleText(text, { immediate })).toEqual({ aiService: 12, hex, bits: hex.length * 4 });
  });

  it("decodes back without message reference or report request", () => {
    const enc = encodeSimpleText("Hej från LC", { immediate: true });
    expect(decodeSds(12, enc.hex, enc.bits)).toMatchObject({
      ok: true,
      value: { kind: "text", text: "Hej från LC", simple: true, immediate: true, messageReference: null, deliveryReportRequest: "none", protocolId: 0x09 },
    });
  });
});

describe("status", () => {
  it.each([
    ["1", 1, "0001"],
    ["0x7BFF, the last value below the short-report range", 0x7bff, "7BFF"],
    ["0x8000, the first network/user value", 0x8000, "8000"],
    ["0xFEFD (Finnish alert status)", 0xfefd, "FEFD"],
    ["65535", 0xffff, "FFFF"],
  ])("encodes %s as 16 bits on AI service 13", (_t, value, hex) => {
    expect(encodeStatus(value)).toEqual({ aiService: 13, hex, bits: 16 });
  });

  it("encodes 0 only with allowEmergency", () => {
    expectInvalid(() => encodeStatus(0), /emergency status; the gateway never sends it/);
    expect(encodeStatus(0, { allowEmergency: true })).toEqual({ aiService: 13, hex: "0000", bits: 16 });
  });

  it.each([
    ["0x7C00", 0x7c00],
    ["0x7E2A", 0x7e2a],
    ["0x7FFF", 0x7fff],
  ])("rejects %s because it is a short report", (_t, value) => {
    expectInvalid(() => encodeStatus(value), /0x7C00–0x7FFF.*SDS-SHORT-REPORT/);
  });

  it.each([
    ["65536", 65536],
    ["-1", -1],
    ["1.5", 1.5],
    ["NaN", Number.NaN],
  ])("rejects %s as out of range", (_t, value) => {
    expectInvalid(() => encodeStatus(value), /status must be an integer 0–65535/);
  });
});

describe("SDS-SHORT-REPORT", () => {
  it.each([
    ["not-supported", 0x00, "7C00"],
    ["memory-full", 0x01, "7D01"],
    ["received", 0x2a, "7E2A"],
    ["consumed", 0xff, "7FFF"],
  ] as const)("encodes '%s' as a 16-bit status in 0x7C00–0x7FFF", (type, ref, hex) => {
    expect(encodeShortReport(type, ref)).toEqual({ aiService: 13, hex, bits: 16 });
    expect(decodeSds(13, hex, 16)).toMatchObject({ ok: true, value: { kind: "short-report", reportType: type, messageReference: ref } });
  });

  it("accepts the numeric type codes", () => {
    expect(encodeShortReport(3, 0x2a).hex).toBe("7F2A");
  });

  it("rejects an unknown type and a bad reference", () => {
    expectInvalid(() => encodeShortReport(4 as 0, 1), /short report type must be 0–3/);
    expectInvalid(() => encodeShortReport("read" as "received", 1), /short report type/);
    expectInvalid(() => encodeShortReport("received", 300), /messageReference/);
  });
});

describe("SDS-REPORT and SDS-ACK", () => {
  it.each([
    ["received, ref 1", { protocolId: 0x82, ackRequired: false, deliveryStatus: 0x00, messageReference: 1 }, "82100001"],
    ["consumed, ref 0x2A", { protocolId: 0x82, ackRequired: false, deliveryStatus: 0x02, messageReference: 0x2a }, "8210022A"],
    ["ack required for an immediate text", { protocolId: 0x89, ackRequired: true, deliveryStatus: 0x00, messageReference: 7 }, "89180007"],
  ])("encodes a report: %s", (_t, input, hex) => {
    expect(encodeSdsReport(input)).toEqual({ aiService: 12, hex, bits: 32 });
    expect(decodeSds(12, hex, 32)).toMatchObject({ ok: true, value: { kind: "report", ...input } });
  });

  it("encodes an ack (docs/pei.md §5.6 example 822001C9)", () => {
    const r = encodeSdsAck({ protocolId: 0x82, deliveryStatus: 0x01, messageReference: 0xc9 });
    expect(r).toEqual({ aiService: 12, hex: "822001C9", bits: 32 });
    expect(decodeSds(12, r.hex, 32)).toMatchObject({ ok: true, value: { kind: "ack", deliveryStatus: 1, messageReference: 0xc9, protocolId: 0x82 } });
  });

  it.each([
    ["a PID without SDS-TL header", () => encodeSdsReport({ protocolId: 0x02, ackRequired: false, deliveryStatus: 0, messageReference: 1 }), /no SDS-TL header/],
    ["a delivery status of 256", () => encodeSdsReport({ protocolId: 0x82, ackRequired: false, deliveryStatus: 256, messageReference: 1 }), /deliveryStatus/],
    ["a non-boolean ackRequired", () => encodeSdsReport({ protocolId: 0x82, ackRequired: 1 as unknown as boolean, deliveryStatus: 0, messageReference: 1 }), /ackRequired/],
    ["an ack with PID 0x0A", () => encodeSdsAck({ protocolId: 0x0a, deliveryStatus: 0, messageReference: 1 }), /no SDS-TL header/],
    ["an ack with reference -1", () => encodeSdsAck({ protocolId: 0x82, deliveryStatus: 0, messageReference: -1 }), /messageReference/],
  ])("rejects %s", (_t, fn, re) => {
    expectInvalid(fn, re);
  });
});
