import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../../src/shared/backoff.js";

const opts = (random: number, minMs?: number) => ({ baseMs: 250, capMs: 10_000, minMs, random: () => random });

describe("backoffDelay", () => {
  it.each([
    { title: "random 0 gives minMs", attempt: 3, random: 0, minMs: 100, want: 100 },
    { title: "random 0 without minMs gives 0", attempt: 3, random: 0, minMs: undefined, want: 0 },
    { title: "random 1 on attempt 0 gives the base", attempt: 0, random: 1, minMs: 100, want: 250 },
    { title: "random 1 doubles per attempt", attempt: 3, random: 1, minMs: 100, want: 2000 },
    { title: "random 1 is capped", attempt: 6, random: 1, minMs: 100, want: 10_000 },
    { title: "a huge attempt number is capped, not Infinity or NaN", attempt: 1e9, random: 1, minMs: 100, want: 10_000 },
    { title: "random 0.5 gives half the ceiling", attempt: 2, random: 0.5, minMs: 0, want: 500 },
    { title: "a result below minMs is raised to minMs", attempt: 0, random: 0.1, minMs: 100, want: 100 },
    { title: "the result is rounded to whole milliseconds", attempt: 0, random: 0.3333, minMs: 0, want: 83 },
  ])("$title", ({ attempt, random, minMs, want }) => {
    expect(backoffDelay(attempt, opts(random, minMs))).toBe(want);
  });

  it("stays within [minMs, cap] for every attempt and random value", () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      for (const r of [0, 0.01, 0.25, 0.5, 0.75, 0.99, 1]) {
        const d = backoffDelay(attempt, opts(r, 100));
        expect(d).toBeGreaterThanOrEqual(100);
        expect(d).toBeLessThanOrEqual(10_000);
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });

  it("uses Math.random when no random function is injected", () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, { baseMs: 100, capMs: 1000 });
      expect(d).toBeGreaterThanOrEqual(0); // a delay can be 0 with full jitter, never negative
      expect(d).toBeLessThanOrEqual(400);
    }
  });
});
