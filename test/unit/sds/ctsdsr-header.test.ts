import { describe, expect, it } from "vitest";
import { parseCtsdsrHeader } from "../../../adapters/rakel-pei/sds/index.js";

describe("parseCtsdsrHeader accepts the field layouts of EN 300 392-5 6.13.3", () => {
  it.each([
    ["3 fields: service, called, length", "+CTSDSR: 12,2345678,120", { aiService: 12, destination: "2345678", bits: 120 }],
    ["4 fields: service, called, called type, length", "+CTSDSR: 12,2345678,0,120", { aiService: 12, destination: "2345678", destinationType: 0, bits: 120 }],
    [
      "6 fields with calling party (svx example)",
      "+CTSDSR: 12,23404,0,23401,0,112",
      { aiService: 12, source: "23404", sourceType: 0, destination: "23401", destinationType: 0, bits: 112 },
    ],
    [
      "7 fields with TSIs and the e2ee flag (ftl-pei example)",
      "+CTSDSR: 12,262100101234567,1,262100102345678,1,808,1",
      { aiService: 12, source: "262100101234567", sourceType: 1, destination: "262100102345678", destinationType: 1, bits: 808, e2ee: true },
    ],
    ["7 fields with e2ee 0", "+CTSDSR: 13,1234567,0,2345678,0,16,0", { aiService: 13, bits: 16, e2ee: false }],
    ["no space after the colon (Azart)", "+CTSDSR:12,1033,0,3130,0,64", { aiService: 12, source: "1033", destination: "3130", bits: 64 }],
    ["spaces around every field", "+CTSDSR:  12 , 1033 , 0 , 3130 , 0 , 64 ", { aiService: 12, source: "1033", destination: "3130", bits: 64 }],
    ["a trailing CR", "+CTSDSR: 13,1234567,0,2345678,0,16\r", { aiService: 13, bits: 16 }],
    ["a lower-case prefix", "+ctsdsr: 13,1234567,0,2345678,0,16", { aiService: 13, bits: 16 }],
    ["empty calling fields", "+CTSDSR: 12,,,2345678,0,120", { aiService: 12, destination: "2345678", bits: 120 }],
    ["quoted identities", '+CTSDSR: 12,"1234567",0,"2345678",0,120', { source: "1234567", destination: "2345678" }],
    ["extra fields after the seventh are tolerated", "+CTSDSR: 12,1234567,0,2345678,0,120,0,99,foo", { aiService: 12, bits: 120, e2ee: false }],
  ])("%s", (_t, line, expected) => {
    expect(parseCtsdsrHeader(line)).toMatchObject({ ok: true, value: expected });
  });

  it("leaves the source out when the calling fields are empty", () => {
    const r = parseCtsdsrHeader("+CTSDSR: 12,,,2345678,0,120");
    expect(r.ok && "source" in r.value).toBe(false);
    expect(r.ok && "sourceType" in r.value).toBe(false);
  });
});

describe("parseCtsdsrHeader rejects malformed headers with a reason", () => {
  it.each([
    ["another URC", "+CTICN: 1,0,0,5,23404", /not a \+CTSDSR header/],
    ["a bare data line", "82029C01", /not a \+CTSDSR header/],
    ["5 fields", "+CTSDSR: 12,1234567,0,2345678,120", /5 fields/],
    ["2 fields", "+CTSDSR: 12,120", /2 fields/],
    ["a non-numeric length", "+CTSDSR: 12,1234567,0,2345678,0,abc", /length is not a non-negative integer/],
    ["a negative length", "+CTSDSR: 12,2345678,-8", /length/],
    ["a non-numeric AI service", "+CTSDSR: x,1234567,0,2345678,0,16", /AI service/],
    ["an empty called identity", "+CTSDSR: 12,1234567,0,,0,16", /empty called party identity/],
    ["a non-numeric identity type", "+CTSDSR: 12,1234567,ssi,2345678,0,16", /calling party identity type/],
    ["a non-numeric e2ee flag", "+CTSDSR: 12,1234567,0,2345678,0,16,yes", /end-to-end encryption flag/],
  ])("%s", (_t, line, re) => {
    const r = parseCtsdsrHeader(line);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(re);
  });
});
