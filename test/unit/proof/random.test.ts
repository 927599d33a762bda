import { describe, expect, it } from "vitest";
import { goldenSequence, rng, weightedCycle } from "../../../proof/harness/random.js";

/** The soak's alert size: 1–200 recipients, log-uniform in the quantile. */
const recipients = (u: number): number => Math.max(1, Math.min(200, Math.floor(Math.exp(u * Math.log(201)))));

/** Lowest and highest sum over every run of `width` consecutive values, relative to the mean sum. */
function windowSpread(values: number[], width: number): number {
  const sums: number[] = [];
  for (let i = 0; i + width <= values.length; i++) sums.push(values.slice(i, i + width).reduce((a, b) => a + b, 0));
  const mean = sums.reduce((a, b) => a + b, 0) / sums.length;
  return (Math.max(...sums) - Math.min(...sums)) / mean;
}

describe("the soak's workload order (proof/harness/random.ts)", () => {
  it("spreads alert sizes so that the recipients of any 48 alerts in a row barely move", () => {
    // 48 alert/send alerts are open at once in the soak (10-minute deadline, two of five starts every 5 s).
    const golden = goldenSequence(0.37);
    const random = rng(7);
    const even = Array.from({ length: 3000 }, () => recipients(golden()));
    const drawn = Array.from({ length: 3000 }, () => recipients(random()));
    expect(windowSpread(even, 48)).toBeLessThan(0.3);
    expect(windowSpread(drawn, 48)).toBeGreaterThan(1);
    // Still the whole range, log-uniform: about a third of the alerts below 6 recipients, some at 200.
    expect(Math.min(...even)).toBe(1);
    expect(Math.max(...even)).toBe(200);
    expect(even.filter((n) => n < 6).length / even.length).toBeCloseTo(Math.log(6) / Math.log(201), 1);
  });

  it("keeps every value in [0, 1) and starts where it is told", () => {
    const g = goldenSequence(0.9);
    const xs = Array.from({ length: 1000 }, g);
    expect(xs[0]).toBe(0.9);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });

  it("cycles weighted items interleaved, each its weight's share of every round", () => {
    const next = weightedCycle([
      ["send", 2],
      ["sds", 2],
      ["sms", 1],
    ] as const);
    const picks = Array.from({ length: 50 }, next);
    for (let round = 0; round < 10; round++) {
      const r = picks.slice(round * 5, round * 5 + 5);
      expect(r.filter((p) => p === "send")).toHaveLength(2);
      expect(r.filter((p) => p === "sds")).toHaveLength(2);
      expect(r.filter((p) => p === "sms")).toHaveLength(1);
    }
    // Never the same kind twice in a row when the weights allow it.
    expect(picks.some((p, i) => i > 0 && p === picks[i - 1])).toBe(false);
  });
});
