import { describe, expect, it } from "vitest";
import { SendRefs } from "../../../src/dispatch/send-refs.js";

describe("send references: reports that beat their send", () => {
  it("keeps an early report until its send is recorded, then finds the attempt and drops the report", () => {
    let now = 0;
    const refs = new SendRefs(() => now);
    expect(refs.find({ ref: "r1", stage: "delivered" })).toBeUndefined();
    expect(refs.earlySize).toBe(1);
    now += 50;
    refs.add("r1", { alert: "a", entry: 0, attempt: 0 });
    expect(refs.takeEarly("r1")).toEqual({ ref: "r1", stage: "delivered" });
    expect(refs.find({ ref: "r1", stage: "delivered" })).toEqual({ alert: "a", entry: 0, attempt: 0 });
    expect(refs.earlySize).toBe(0);
  });

  it("drops early reports older than a minute as new ones come, and never hands out an expired one", () => {
    let now = 0;
    const refs = new SendRefs(() => now);
    for (let i = 0; i < 100; i++) refs.find({ ref: `plain-${i}`, stage: "delivered" });
    expect(refs.earlySize).toBe(100);
    now += 60_001;
    expect(refs.takeEarly("plain-5")).toBeUndefined();
    refs.find({ ref: "new", stage: "failed" });
    expect(refs.earlySize).toBe(1);
    expect(refs.takeEarly("new")).toEqual({ ref: "new", stage: "failed" });
  });

  it("holds at most 1000 early reports inside the minute, the oldest dropped first", () => {
    const refs = new SendRefs(() => 0);
    for (let i = 0; i < 1500; i++) refs.find({ ref: `r${i}`, stage: "delivered" });
    expect(refs.earlySize).toBe(1000);
    expect(refs.takeEarly("r499")).toBeUndefined();
    expect(refs.takeEarly("r500")).toBeDefined();
  });
});
