import { describe, expect, it } from "vitest";
import {
  listRangesCommand,
  parseListEntry,
  parseListPage,
  parseListRanges,
  readListCommand,
  readMotorolaDmoList,
  selectRangeCommand,
} from "../../../adapters/rakel-pei/talkgroups/identity-list-commands.js";

describe("PEI identity lists (AT+CNUMS / AT+CNUMD, docs/pei.md §7.2)", () => {
  it.each([
    ["(0),(1-2000),(1-2000)", { numTypes: [0], min: 1, max: 2000 }],
    ["(0,1,3),(1-10000),(1-10000)", { numTypes: [0, 1, 3], min: 1, max: 10000 }],
    ["(0),(1-50)", { numTypes: [0], min: 1, max: 50 }],
  ])("reads the ranges %s", (text, expected) => {
    expect(parseListRanges(text)).toEqual(expected);
  });

  it("refuses ranges it cannot read", () => {
    expect(parseListRanges("0,1-2000")).toBeUndefined();
    expect(parseListRanges("(0),(x-y),(x-y)")).toBeUndefined();
  });

  it.each([
    ["1,02400500100009001,RSÄK Sthlm 1", { gssi: "9001", name: "RSÄK Sthlm 1" }],
    ["1,2620100103100998 ,Gruppe 1", { gssi: "3100998", name: "Gruppe 1" }],
    ['+CNUMS: 1,9500,"DGNA, Insats"', { gssi: "9500", name: "DGNA, Insats" }],
    ["1,9020,SAMV, Sthlm", { gssi: "9020", name: "SAMV, Sthlm" }],
    ["1,9020", { gssi: "9020", name: "" }],
  ])("reads the entry %s (GSSI = last 8 digits, alias after the second comma)", (line, expected) => {
    expect(parseListEntry(line, "+CNUMS")).toEqual(expected);
  });

  it("reads a Motorola +CXDCL line: index, id, alias, two unknown fields", () => {
    expect(parseListEntry("+CXDCL: 1,3206,301F,1,1", "+CXDCL")).toEqual({ gssi: "3206", name: "301F" });
    expect(readMotorolaDmoList.parse(["+CXDCL: 1,3206,301F,1,1", "+CXDCL: 2,3207,302F,1,1"])).toHaveLength(2);
  });

  it("reads a page: the count line, then entries with or without the header", () => {
    expect(parseListPage(["+CNUMS: 2", "1,02400500100009001,RSÄK Sthlm 1", "+CNUMS: 1,9002,RSÄK Sthlm 2"], "+CNUMS")).toEqual({
      count: 2,
      entries: [
        { gssi: "9001", name: "RSÄK Sthlm 1" },
        { gssi: "9002", name: "RSÄK Sthlm 2" },
      ],
    });
    expect(parseListPage(["+CNUMD: 0"], "+CNUMD")).toEqual({ count: 0, entries: [] });
    expect(() => parseListPage(["+CNUMS: 1", "garbage"], "+CNUMS")).toThrow(/AT_BAD_RESPONSE|unexpected answer/);
  });

  it("builds the range dance with safe arguments only", () => {
    expect(listRangesCommand("+CNUMS").build()).toBe("AT+CNUMS=?");
    expect(selectRangeCommand("+CNUMD").build({ numType: 0, from: 1, to: 2000 })).toBe("AT+CNUMD=0,1,2000");
    expect(readListCommand("+CNUMS").build()).toBe("AT+CNUMS?");
    expect(() => selectRangeCommand("+CNUMS").build({ numType: 0, from: 1, to: Number.NaN })).toThrow(/AT_UNSAFE_ARGUMENT|rejected/);
  });
});
