import { describe, expect, it } from "vitest";
import { byCodeUnits } from "../../../src/shared/code-unit-order.js";

describe("byCodeUnits", () => {
  it("orders by UTF-16 code units, not by a locale's collation", () => {
    // A collator puts "é" next to "e" and ignores case first; code units put every ASCII letter before "é"
    // and capitals before small letters, the same on every machine.
    expect(["é", "f", "e", "B", "a"].sort(byCodeUnits)).toEqual(["B", "a", "e", "f", "é"]);
    expect(["é", "f"].sort((a, b) => a.localeCompare(b))).toEqual(["é", "f"]); // the contrast
  });

  it("orders ISO-8601 timestamps of one format in time order, and says equal for equal strings", () => {
    const times = ["2026-12-05T19:00:00.000Z", "2026-01-31T23:59:59.999Z", "2026-12-05T18:59:59.999Z"];
    expect([...times].sort(byCodeUnits)).toEqual([...times].sort((a, b) => Date.parse(a) - Date.parse(b)));
    expect(byCodeUnits("x", "x")).toBe(0);
    expect(byCodeUnits("a", "b")).toBe(-1);
    expect(byCodeUnits("b", "a")).toBe(1);
  });
});
