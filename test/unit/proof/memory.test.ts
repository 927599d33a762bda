import { describe, expect, it } from "vitest";
import { floor, heldMeans, slopeMiBPerHour, tail, type Point } from "../../../proof/harness/memory.js";

// One sample every 10 s over an hour.
const times = Array.from({ length: 361 }, (_, i) => i * 10);
const MiB = 1024;

describe("soak memory figures (proof/harness/memory.ts)", () => {
  it("gives the rate of a steady growth in MiB per hour", () => {
    const leak: Point[] = times.map((t) => ({ t, kib: 100 * MiB + (t / 3600) * 5 * MiB }));
    expect(slopeMiBPerHour(leak)).toBeCloseTo(5, 6);
    expect(slopeMiBPerHour(tail(leak, 0.5))).toBeCloseTo(5, 6);
  });

  it("tells warm-up that levels off from a leak: the last half is flat", () => {
    // +40 MiB over the first 20 minutes, flat after: the fit after the first 10 % still climbs.
    const warm: Point[] = times.map((t) => ({ t, kib: 100 * MiB + Math.min(t, 1200) * ((40 * MiB) / 1200) }));
    expect(slopeMiBPerHour(warm.filter((p) => p.t >= 360))).toBeGreaterThan(10);
    expect(slopeMiBPerHour(tail(warm, 0.5))).toBe(0);
  });

  it("takes the smallest sample of each window, so a GC sawtooth over a flat floor has no slope", () => {
    // Allocation climbs 0..9 MiB between collections every 100 s: the raw samples' fit depends on where the
    // run ends in a cycle, the floor's does not.
    const saw: Point[] = times.map((t) => ({ t, kib: 30 * MiB + ((t % 100) / 10) * MiB }));
    const floors = floor(saw, 100);
    expect(floors).toHaveLength(37);
    expect(floors.every((p) => p.kib === 30 * MiB)).toBe(true);
    expect(slopeMiBPerHour(floors)).toBe(0);
  });

  it("has no slope without two points", () => {
    expect(slopeMiBPerHour([{ t: 0, kib: 1 }])).toBeNaN();
    expect(tail([], 0.5)).toEqual([]);
  });
});

describe("work held at once (heldMeans)", () => {
  it("sums what is held at each sample and averages per window", () => {
    // 10 recipients from 0 s, 5 from 300 s, each held 600 s: 0–300 s hold 10, 300–600 s 15, 600–900 s 5.
    const held = [
      { from: 0, weight: 10 },
      { from: 300, weight: 5 },
    ];
    expect(heldMeans(held, 600, 0, 1200, 600, 60)).toEqual([12.5, 2.5]);
    expect(heldMeans(held, 600, 0, 1200, 300, 60)).toEqual([10, 15, 5, 0]);
  });

  it("gives no window for a span shorter than one", () => {
    expect(heldMeans([{ from: 0, weight: 1 }], 600, 0, 300)).toEqual([]);
  });
});
