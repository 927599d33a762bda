import { describe, expect, it } from "vitest";
import { keepNewest } from "../../../src/shared/newest-map.js";

describe("keepNewest", () => {
  it("moves a key set again to the end and drops the oldest beyond max", () => {
    const m = new Map<string, number>();
    for (const k of ["a", "b", "c"]) keepNewest(m, k, 1, 3);
    keepNewest(m, "a", 2, 3);
    keepNewest(m, "d", 1, 3);
    expect([...m.keys()]).toEqual(["c", "a", "d"]);
    expect(m.get("a")).toBe(2);
  });

  it("drops expired entries from the front and stops at the first one that is not", () => {
    const m = new Map<string, { at: number }>();
    for (const [k, at] of [["x", 0], ["y", 5], ["z", 1]] as const) m.set(k, { at });
    keepNewest(m, "n", { at: 10 }, 100, (v) => v.at < 3);
    // "z" is expired too, but behind "y", which is not: only the front is walked (insertion order is age order).
    expect([...m.keys()]).toEqual(["y", "z", "n"]);
  });
});
