import { describe, expect, it } from "vitest";
import type { Rig } from "../../../proof/harness/rig.js";
import { Ledger, type WindowFault, type Workload } from "../../../proof/harness/workloads.js";

/** A workload whose sink saw each key at the given times (ms); nothing is submitted through a rig. */
function fakeWorkload(copies: Record<string, number[]>): Workload {
  return {
    name: "fake",
    submit: () => Promise.resolve("accepted"),
    delivered: () => new Map(Object.entries(copies)),
  };
}

/** One accepted item submitted at `submittedAt` whose sink saw it at `copyTimes`; its duplicate figures. */
function figuresFor(submittedAt: number, copyTimes: number[], faults: WindowFault[]): { duplicates: number; outside: number } {
  const ledger = new Ledger();
  const w = fakeWorkload({ k1: copyTimes });
  ledger.items.push({ key: "k1", workload: w, submittedAt, outcome: "accepted" });
  const f = ledger.figures({} as Rig, faults, [w]).get("fake")!;
  return { duplicates: f.duplicates, outside: f.duplicatesOutsideWindow };
}

describe("ledger: the at-least-once window (proof/harness/workloads.ts)", () => {
  it("counts a duplicate with no fault between submission and last copy as outside the window", () => {
    expect(figuresFor(1000, [1010, 1500], [])).toEqual({ duplicates: 1, outside: 1 });
    expect(figuresFor(1000, [1010, 1500], [900, 2000])).toEqual({ duplicates: 1, outside: 1 });
  });

  it("allows one extra copy per moment fault (a kill, an unplug) between submission and last copy", () => {
    expect(figuresFor(1000, [1010, 1500], [1200])).toEqual({ duplicates: 1, outside: 0 });
    expect(figuresFor(1000, [1010, 1500, 1600], [1200])).toEqual({ duplicates: 2, outside: 1 });
  });

  it("counts an outage span that overlaps the item even when no moment of it falls inside", () => {
    // Submitted after the outage began, both copies before the uplink was back: the case a start and an end
    // moment both missed (the broker stopped while the publish was in flight; resent on reconnect).
    const outage: WindowFault = { from: 900, to: 2000 };
    expect(figuresFor(1000, [1010, 1500], [outage])).toEqual({ duplicates: 1, outside: 0 });
    expect(figuresFor(1000, [1010, 1500], [{ from: 1600, to: 2000 }])).toEqual({ duplicates: 1, outside: 1 });
    expect(figuresFor(1000, [1010, 1500], [{ from: 200, to: 900 }])).toEqual({ duplicates: 1, outside: 1 });
  });
});
