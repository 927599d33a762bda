import { describe, expect, it, vi } from "vitest";
import { AlertLatencyTracker } from "../../../src/ops/alert-latency.js";
import { StateView, type StateChange } from "../../../src/ops/state-view.js";

describe("StateView", () => {
  it("keeps the latest document per topic and tells listeners", () => {
    const v = new StateView({ recentAlerts: 5 });
    const seen: StateChange[] = [];
    v.onChange((c) => seen.push(c));
    v.apply("links/ip", Buffer.from('{"state":"ready"}'));
    v.apply("links/ip", { state: "disconnected" });
    expect(v.get("links/ip")).toEqual({ state: "disconnected" });
    expect(seen.map((c) => c.doc?.["state"])).toEqual(["ready", "disconnected"]);
    expect([...v.under("links/").keys()]).toEqual(["ip"]);
  });

  it("ignores payloads that are not JSON objects (bad input loses nothing)", () => {
    const v = new StateView({ recentAlerts: 5 });
    v.apply("links/ip", { state: "ready" });
    for (const bad of ["not json", "[1,2]", "null", "42", '"text"']) v.apply("links/ip", Buffer.from(bad));
    expect(v.get("links/ip")).toEqual({ state: "ready" });
  });

  it("an empty retained payload removes the topic (a cleared alert document leaves the page)", () => {
    const v = new StateView({ recentAlerts: 5 });
    const removed: string[] = [];
    v.onChange((c) => c.doc === undefined && removed.push(c.topic));
    v.apply("alerts/a1", { id: "a1", state: "completed" });
    v.apply("alerts/a1", Buffer.alloc(0));
    expect(v.get("alerts/a1")).toBeUndefined();
    expect(removed).toEqual(["alerts/a1"]);
  });

  it("keeps active alerts and only the newest finished ones", () => {
    const v = new StateView({ recentAlerts: 2 });
    const removed: string[] = [];
    v.onChange((c) => c.doc === undefined && removed.push(c.topic));
    v.apply("alerts/live", { id: "live", state: "active", createdAt: "2026-01-01T00:00:00Z" });
    for (let i = 1; i <= 4; i++) v.apply(`alerts/a${i}`, { id: `a${i}`, state: "completed", createdAt: `2026-01-0${i + 1}T00:00:00Z` });
    expect([...v.under("alerts/").keys()].sort()).toEqual(["a3", "a4", "live"]);
    expect(removed).toEqual(["alerts/a1", "alerts/a2"]);
  });

  it("orders finished alerts without an ICU collator (no localeCompare: 1.7 MiB of collation data)", () => {
    const spy = vi.spyOn(String.prototype, "localeCompare");
    try {
      const v = new StateView({ recentAlerts: 3 });
      for (let i = 10; i < 30; i++) v.apply(`alerts/a${i}`, { id: `a${i}`, state: "completed", createdAt: `2026-01-01T00:00:${i}.000Z` });
      expect([...v.under("alerts/").keys()].sort()).toEqual(["a27", "a28", "a29"]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it("isolates a failing listener", () => {
    const v = new StateView({ recentAlerts: 2 });
    let got = 0;
    v.onChange(() => {
      throw new Error("closed page");
    });
    v.onChange(() => got++);
    v.apply("links/ip", { state: "ready" });
    expect(got).toBe(1);
  });
});

describe("AlertLatencyTracker", () => {
  const base = { id: "a", createdAt: "2026-01-01T10:00:00.000Z" };
  it("measures accepted → first send from the earliest attempt, once", () => {
    const t = new AlertLatencyTracker(() => Date.parse("2026-01-01T10:00:30Z"));
    const doc = {
      ...base,
      recipients: [
        { state: "attempting", attempts: [{ channel: "sms", at: "2026-01-01T10:00:02.500Z", result: "sent" }] },
        { state: "attempting", attempts: [{ channel: "sds", at: "2026-01-01T10:00:01.250Z", result: "sent" }] },
      ],
    };
    expect(t.observe(doc)).toEqual({ firstSendS: 1.25, answers: [] });
    expect(t.observe(doc)).toEqual({ answers: [] });
  });

  it("takes the first answer from answeredAt, else from when it was first seen; counts each answer once", () => {
    let now = Date.parse("2026-01-01T10:00:40Z");
    const t = new AlertLatencyTracker(() => now);
    const r1 = { state: "acknowledged", answer: "coming", attempts: [] };
    expect(t.observe({ ...base, recipients: [r1] })).toEqual({ firstAnswerS: 40, answers: ["coming"] });
    now += 10_000;
    const r2 = { state: "acknowledged", answer: "delayed", answeredAt: "2026-01-01T10:00:45Z", attempts: [] };
    expect(t.observe({ ...base, recipients: [r1, r2] })).toEqual({ answers: ["delayed"] });
    const other = new AlertLatencyTracker(() => now);
    expect(other.observe({ ...base, id: "b", recipients: [r2] }).firstAnswerS).toBe(45);
  });

  it("survives documents without the expected fields", () => {
    const t = new AlertLatencyTracker();
    expect(t.observe({ id: "x", recipients: [null, 5, { attempts: "no" }] })).toEqual({ answers: [] });
    expect(t.observe({})).toEqual({ answers: [] });
  });
});
