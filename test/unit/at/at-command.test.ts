import { describe, expect, it } from "vitest";
import { lineHeader, lineValue, matches, splitFields } from "../../../adapters/at/at-command.js";
import { probeCommand, simpleCommand } from "../../../adapters/at/basic-commands.js";
import { healthJson } from "../../../adapters/at/link-health.js";

describe("lineHeader", () => {
  it.each([
    ["+CTSDSR: 12,1234567", "+CTSDSR"],
    ["+ctsdsr:12,1234567", "+CTSDSR"],
    ["  +CTGS : 1", "+CTGS"],
    ["OK", "OK"],
    ["+CME ERROR: 42", "+CME ERROR"],
    ["", ""],
    ["a:b:c", "A"],
  ])("the header of %j is %j", (line, header) => {
    expect(lineHeader(line)).toBe(header);
  });
});

describe("lineValue", () => {
  it.each([
    ["+CTGS: 1,9001", "1,9001"],
    ["+CTGS:1,9001 ", "1,9001"],
    ["OK", ""],
    ["+X: a:b", "a:b"],
  ])("the value of %j is %j", (line, value) => {
    expect(lineValue(line)).toBe(value);
  });
});

describe("matches", () => {
  it.each([
    ["+CMGS", "+CMGS: 5", true],
    ["+CMGS:", "+cmgs:5", true],
    ["+cmgs", "+CMGS: 5", true],
    ["+CMGS", "+CMGSX: 5", false],
    ["+CMG", "+CMGS: 5", false],
  ] as const)("header %j against %j is %s", (m, line, want) => {
    expect(matches(m, line)).toBe(want);
  });

  it("a function matcher receives the whole line", () => {
    const seen: string[] = [];
    expect(matches((l) => (seen.push(l), true), "+X: 1")).toBe(true);
    expect(seen).toEqual(["+X: 1"]);
  });
});

describe("splitFields", () => {
  it.each([
    ["1,9001", ["1", "9001"]],
    ['12,"Fire, Main St",3', ["12", "Fire, Main St", "3"]],
    [" 1 , 2 ", ["1", "2"]],
    ["", [""]],
    ["a,,b", ["a", "", "b"]],
    ['"unterminated,x', ["unterminated,x"]],
  ] as const)("%j splits into %j", (value, fields) => {
    expect(splitFields(value)).toEqual(fields);
  });
});

describe("basic commands", () => {
  it("the probe is a bare AT, idempotent, with a short timeout", () => {
    expect(probeCommand.build()).toBe("AT");
    expect(probeCommand.idempotent).toBe(true);
    expect(probeCommand.timeoutMs).toBeLessThanOrEqual(2000);
    expect(probeCommand.parse([])).toBeUndefined();
  });

  it("a simple command sends its line and takes its timeout", () => {
    const c = simpleCommand("ATE0", 500);
    expect(c.build()).toBe("ATE0");
    expect(c.name).toBe("ATE0");
    expect(c.timeoutMs).toBe(500);
    expect(c.idempotent).toBe(true);
    expect(simpleCommand("ATV1").timeoutMs).toBe(3000);
  });
});

describe("healthJson", () => {
  it("writes the date as ISO 8601", () => {
    expect(healthJson({ state: "ready", since: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), detail: "initialised" })).toEqual({
      state: "ready",
      since: "2024-01-02T03:04:05.000Z",
      detail: "initialised",
    });
  });
});
