// Golden vectors from test/fixtures/pei-examples.json (docs/pei.md §12). Every SDS encode/parse/decode
// vector must pass; hex and bits exactly. The text vectors were produced with the library default
// service-selection bit 1 even toward individual addresses; our policy (docs/pei.md §5.3) is 0 for individuals,
// so with `group: false` octet 2 differs by exactly 0x02 (the file's "about" note).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../../src/shared/errors.js";
import {
  decodeCtsdsr,
  decodeSds,
  encodeSdsReport,
  encodeSdsTlText,
  encodeShortReport,
  encodeSimpleText,
  encodeStatus,
} from "../../../adapters/rakel-pei/sds/index.js";
import type { DeliveryReportRequest } from "../../../adapters/rakel-pei/sds/index.js";

interface Vector {
  id: string;
  kind: string;
  description: string;
  input: Record<string, unknown>;
  expected_hex?: string;
  expected_bits?: number;
  expected_at?: string[];
  expected?: Record<string, unknown>;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/pei-examples.json", import.meta.url), "utf8")) as { vectors: Vector[] };
const vectors = fixture.vectors;
const ofKind = (kind: string): Vector[] => vectors.filter((v) => v.kind === kind);

function str(o: Record<string, unknown> | undefined, key: string): string {
  const v = o?.[key];
  if (typeof v !== "string") throw new Error(`fixture field ${key} is not a string`);
  return v;
}
function num(o: Record<string, unknown> | undefined, key: string): number {
  const v = o?.[key];
  if (typeof v !== "number") throw new Error(`fixture field ${key} is not a number`);
  return v;
}
function hexNum(o: Record<string, unknown> | undefined, key: string): number {
  return Number.parseInt(str(o, key).replace(/^0x/i, "").slice(0, 2), 16);
}
function obj(o: Record<string, unknown> | undefined, key: string): Record<string, unknown> {
  const v = o?.[key];
  if (typeof v !== "object" || v === null) throw new Error(`fixture field ${key} is not an object`);
  return v as Record<string, unknown>;
}

/** The CMGS write of a vector must carry exactly the expected bits and hex (framing is another module's job). */
function expectAtCarries(v: Vector): void {
  const cmgs = (v.expected_at ?? []).find((s) => s.startsWith("AT+CMGS="));
  expect(cmgs).toBeDefined();
  expect(cmgs!.endsWith(`,${v.expected_bits}\r\n${v.expected_hex}\u001a`)).toBe(true);
}

/** Octet 2 of an SDS-TL PDU with the service-selection bit cleared (docs/pei.md §5.3 policy for ISSIs). */
function withIndividualBit(hex: string): string {
  const octet2 = Number.parseInt(hex.slice(2, 4), 16) & ~0x02;
  return hex.slice(0, 2) + octet2.toString(16).toUpperCase().padStart(2, "0") + hex.slice(4);
}

const HANDLED = new Set([
  "sds_tl_text_transfer_encode",
  "simple_text_encode",
  "status_encode",
  "sds_report_encode",
  "sds_short_report_encode",
  "ctsdsr_parse",
  "lip_short_report_decode",
]);
/** Kinds that are not SDS codec vectors: AT command strings and AT response parsing (commands module). */
const OUT_OF_SCOPE = new Set(["at_command", "response_parse"]);

describe("golden vector file", () => {
  it("contains only kinds this suite handles or that belong to other modules", () => {
    const unknown = vectors.filter((v) => !HANDLED.has(v.kind) && !OUT_OF_SCOPE.has(v.kind)).map((v) => `${v.id}:${v.kind}`);
    expect(unknown).toEqual([]);
  });

  it("has at least one vector of every handled kind", () => {
    for (const kind of HANDLED) expect(ofKind(kind).length, kind).toBeGreaterThan(0);
  });
});

describe("SDS-TL text transfer vectors", () => {
  const table = ofKind("sds_tl_text_transfer_encode").map((v) => [`${v.id} ${v.description}`, v] as const);

  it.each(table)("%s encodes with the individual-address policy (octet 2 differs by 0x02)", (_t, v) => {
    const r = encodeSdsTlText(str(v.input, "text"), {
      messageReference: num(v.input, "message_reference"),
      deliveryReport: str(v.input, "delivery_report_request") as DeliveryReportRequest,
      group: false,
    });
    expect(r).toEqual({ aiService: 12, hex: withIndividualBit(v.expected_hex!), bits: v.expected_bits });
    expect(Number.parseInt(r.hex.slice(2, 4), 16) ^ Number.parseInt(v.expected_hex!.slice(2, 4), 16)).toBe(0x02);
    expect(r.hex.slice(0, 2)).toBe(str(v.input, "protocol_id").slice(2).toUpperCase());
  });

  it.each(table)("%s encodes to exactly the vector hex with service-selection bit 1", (_t, v) => {
    const report = str(v.input, "delivery_report_request") as DeliveryReportRequest;
    const ref = num(v.input, "message_reference");
    const text = str(v.input, "text");
    expect(num(v.input, "service_selection_bit")).toBe(1);
    const exact = encodeSdsTlText(text, { messageReference: ref, deliveryReport: report, group: false, serviceSelectionBit: 1 });
    expect(exact).toEqual({ aiService: 12, hex: v.expected_hex, bits: v.expected_bits });
    if (report === "none") {
      expect(encodeSdsTlText(text, { messageReference: ref, group: true })).toEqual(exact);
    } else {
      // A group address cannot ask for delivery reports, so group: true must refuse these vectors.
      expect(() => encodeSdsTlText(text, { messageReference: ref, deliveryReport: report, group: true })).toThrow(/group/);
    }
    expectAtCarries(v);
  });

  it.each(table)("%s chooses the vector's text coding scheme and decodes back to the same text", (_t, v) => {
    const r = encodeSdsTlText(str(v.input, "text"), { messageReference: num(v.input, "message_reference"), group: false });
    const back = decodeSds(r.aiService, r.hex, r.bits);
    expect(back.ok && back.value.kind === "text" && back.value.text).toBe(str(v.input, "text"));
    expect(back.ok && back.value.kind === "text" && back.value.codingScheme).toBe(hexNum(v.input, "text_coding_scheme"));
  });
});

describe("simple text vectors", () => {
  it.each(ofKind("simple_text_encode").map((v) => [`${v.id} ${v.description}`, v] as const))("%s encodes exactly", (_t, v) => {
    expect(hexNum(v.input, "protocol_id")).toBe(0x02);
    const r = encodeSimpleText(str(v.input, "text"));
    expect(r).toEqual({ aiService: 12, hex: v.expected_hex, bits: v.expected_bits });
    expectAtCarries(v);
  });
});

describe("status vectors", () => {
  it.each(ofKind("status_encode").map((v) => [`${v.id} ${v.description}`, v] as const))("%s encodes exactly on AI service 13", (_t, v) => {
    const r = encodeStatus(num(v.input, "status_value"));
    expect(r).toEqual({ aiService: 13, hex: v.expected_hex, bits: v.expected_bits });
    expect(Number.parseInt(str(v.input, "status_hex"), 16)).toBe(num(v.input, "status_value"));
    expectAtCarries(v);
  });
});

describe("SDS-REPORT vectors", () => {
  it.each(ofKind("sds_report_encode").map((v) => [`${v.id} ${v.description}`, v] as const))("%s encodes exactly", (_t, v) => {
    const ackRequired = v.input["ack_required"];
    expect(typeof ackRequired).toBe("boolean");
    const r = encodeSdsReport({
      protocolId: hexNum(v.input, "protocol_id"),
      ackRequired: ackRequired as boolean,
      deliveryStatus: hexNum(v.input, "delivery_status"),
      messageReference: num(v.input, "message_reference"),
    });
    expect(r).toEqual({ aiService: 12, hex: v.expected_hex, bits: v.expected_bits });
    expectAtCarries(v);
  });
});

describe("SDS-SHORT-REPORT vectors", () => {
  it.each(ofKind("sds_short_report_encode").map((v) => [`${v.id} ${v.description}`, v] as const))("%s encodes exactly and decodes back", (_t, v) => {
    const type = num(v.input, "short_report_type") as 0 | 1 | 2 | 3;
    const r = encodeShortReport(type, num(v.input, "message_reference"));
    expect(r).toEqual({ aiService: 13, hex: v.expected_hex, bits: v.expected_bits });
    expectAtCarries(v);
    const back = decodeSds(13, r.hex, 16);
    expect(back.ok && back.value.kind === "short-report" && back.value.messageReference).toBe(num(v.input, "message_reference"));
  });
});

describe("+CTSDSR parse vectors", () => {
  it.each(ofKind("ctsdsr_parse").map((v) => [`${v.id} ${v.description}`, v] as const))("%s decodes header and payload", (_t, v) => {
    const r = decodeCtsdsr(str(v.input, "header_line"), str(v.input, "data_line"));
    if (!r.ok) throw new Error(r.reason);
    const e = v.expected!;
    const p = obj(e, "payload");
    expect(str(e, "payload_type")).toBe("sds.SDSTransfer");
    expect(r.value.header).toMatchObject({ aiService: Number(str(e, "ai_service")), source: str(e, "source"), destination: str(e, "destination"), bits: num(e, "pdu_bits") });
    expect(r.value.sds).toMatchObject({
      kind: "text",
      text: str(p, "text"),
      codingScheme: hexNum(p, "text_coding_scheme"),
      protocolId: hexNum(p, "protocol_id"),
      messageReference: num(p, "message_reference"),
      deliveryReportRequest: str(p, "delivery_report_request"),
      serviceSelection: num(p, "service_selection_bit"),
      immediate: false,
    });
  });
});

describe("LIP short location report vectors", () => {
  const table = ofKind("lip_short_report_decode").map((v) => [`${v.id} ${v.description}`, v] as const);

  it.each(table)("%s decodes to the expected position", (_t, v) => {
    const r = decodeSds(12, str(v.input, "data_line"), num(v.input, "length_bits"));
    if (!r.ok) throw new Error(r.reason);
    const e = v.expected!;
    expect(r.value.kind).toBe("position");
    if (r.value.kind !== "position") return;
    expect(r.value.latitude).toBeCloseTo(num(e, "latitude_deg"), 6);
    expect(r.value.longitude).toBeCloseTo(num(e, "longitude_deg"), 6);
    expect(r.value.latitude).toBe((num(e, "latitude_raw") * 180) / 2 ** 24);
    expect(r.value.longitude).toBe((num(e, "longitude_raw") * 360) / 2 ** 25);
    expect(r.value.positionError).toBe(num(e, "position_error_code"));
    expect(r.value.velocityKmh).toBe(str(e, "horizontal_velocity_kmh") === "unknown" ? null : num(e, "horizontal_velocity_kmh"));
    expect(r.value.directionDeg).toBe(num(e, "direction_of_travel_deg"));
    expect(r.value.reason).toBe(num(e, "reason_for_sending"));
    expect(r.value.timeElapsed).toBe(num(e, "time_elapsed"));
    expect(r.value.protocolId).toBe(hexNum(e, "protocol_id"));
  });

  it.each(table)("%s decodes the same from the 21-digit Sepura form and in lower case", (_t, v) => {
    const hex = str(v.input, "data_line");
    const full = decodeSds(12, hex, 84);
    const sepura = decodeSds(12, hex.slice(0, 21), 84);
    const lower = decodeSds(12, hex.toLowerCase(), 84);
    expect(sepura).toEqual(full);
    expect(lower).toEqual(full);
  });
});

describe("vector errors", () => {
  it("reports the group-report refusal as SDS_INVALID", () => {
    try {
      encodeSdsTlText("Hej", { messageReference: 1, deliveryReport: "received", group: true });
      expect.unreachable();
    } catch (e) {
      expect(isGatewayError(e, "SDS_INVALID")).toBe(true);
    }
  });
});
