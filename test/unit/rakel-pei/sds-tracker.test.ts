import { describe, expect, it } from "vitest";
import type { SdsProgress } from "../../../src/ports/radio-terminal.js";
import { SdsTracker, sameSsi } from "../../../adapters/rakel-pei/sds-tracker.js";

const ISSI = { kind: "issi", ssi: "2005555" } as const;

function tracker(): { t: SdsTracker; events: SdsProgress[]; clock: { now: number } } {
  const events: SdsProgress[] = [];
  const clock = { now: 0 };
  const t = new SdsTracker((p) => events.push(p), () => clock.now, 1000);
  return { t, events, clock };
}

describe("SdsTracker", () => {
  it("allocates consecutive references within 1-255, never 0, wrapping before a set would cross 255", () => {
    const { t } = tracker();
    const seen: number[][] = [];
    for (let i = 0; i < 200; i++) seen.push(t.allocateRefs(ISSI, 3));
    for (const refs of seen) {
      expect(refs.every((r) => r >= 1 && r <= 255)).toBe(true);
      expect(refs).toEqual([refs[0]!, refs[0]! + 1, refs[0]! + 2]);
    }
  });

  it("skips references still waiting for a report from the same destination", () => {
    const { t } = tracker();
    const first = t.allocateRefs(ISSI, 1);
    t.track("a", ISSI, first, "received", 1);
    for (let i = 0; i < 300; i++) expect(t.allocateRefs(ISSI, 1)).not.toEqual(first);
  });

  it("emits sent before accepted when +CMGS: 0,4,ref overtakes the OK, and never goes back to accepted", () => {
    const { t, events } = tracker();
    t.track("a", ISSI, [7], "received", 1);
    t.transmission(4, 7);
    t.accepted("a");
    expect(events.map((e) => e.stage)).toEqual(["sent"]);
  });

  it("does not credit a result naming an unknown reference to an unrelated text send", () => {
    const { t, events } = tracker();
    t.track("text", ISSI, [9], "none", 1);
    t.accepted("text");
    expect(t.transmission(4, 200)).toBeUndefined();
    expect(events.map((e) => `${e.id}:${e.stage}`)).toEqual(["text:accepted"]);
    t.transmission(4, 9);
    expect(events.map((e) => `${e.id}:${e.stage}`)).toEqual(["text:accepted", "text:sent"]);
  });

  it("gives a status (no reference) its result in FIFO order and marks status 5 as failed", () => {
    const { t, events } = tracker();
    t.track("s1", ISSI, [], "none", 1);
    t.track("s2", ISSI, [], "none", 1);
    t.transmission(4, 0);
    t.transmission(5, 0);
    expect(events.map((e) => `${e.id}:${e.stage}`)).toEqual(["s1:sent", "s2:failed"]);
  });

  it("matches reports by reference and sender, comparing the last 8 digits of a TSI", () => {
    const { t, events } = tracker();
    t.track("a", ISSI, [12], "both", 1);
    t.transmission(4, 12);
    expect(t.report("262100102005555", 12, "received", 0)).toBe("a");
    expect(t.report("2005556", 12, "consumed", 2)).toBeUndefined();
    t.report("02005555", 12, "consumed", 2);
    expect(events.map((e) => e.stage)).toEqual(["sent", "delivered", "consumed"]);
    expect(t.size).toBe(0);
  });

  it("sweeps a send that never got its transmission result as failed, and one that only lacks its report silently", () => {
    const { t, events, clock } = tracker();
    t.track("never-sent", ISSI, [1], "none", 1);
    t.track("no-report", { kind: "issi", ssi: "2006666" }, [2], "received", 1);
    t.transmission(4, 2);
    clock.now = 5000;
    expect(t.sweep()).toBe(2);
    expect(events.map((e) => `${e.id}:${e.stage}`)).toEqual(["no-report:sent", "never-sent:failed"]);
  });

  it("compares SSIs on their last 8 digits without leading zeros", () => {
    expect(sameSsi("09011638300023401", "23401")).toBe(true);
    expect(sameSsi("2001234", "02001234")).toBe(true);
    expect(sameSsi("2001234", "2001235")).toBe(false);
  });
});
