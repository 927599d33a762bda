import { describe, expect, it } from "vitest";
import { SdsReassembler } from "../../../adapters/rakel-pei/sds/index.js";
import type { ConcatenatedPartSds } from "../../../adapters/rakel-pei/sds/index.js";

function part(reference: number, n: number, total: number, text: string, extra: Partial<ConcatenatedPartSds> = {}): ConcatenatedPartSds {
  return {
    kind: "concatenated-part",
    text,
    codingScheme: 1,
    protocolId: 0x8a,
    messageReference: (reference + n - 1) % 256,
    deliveryReportRequest: "none",
    immediate: false,
    simple: false,
    serviceSelection: 0,
    hex: "",
    reference,
    part: n,
    total,
    referenceBits: 8,
    ...extra,
  };
}

/** A controllable clock. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe("SdsReassembler", () => {
  it("completes a set whose parts arrive out of order", () => {
    const r = new SdsReassembler({ now: () => 0 });
    expect(r.add("2001234", part(7, 3, 3, "C"))).toEqual({ status: "pending", received: 1, total: 3 });
    expect(r.add("2001234", part(7, 1, 3, "A"))).toEqual({ status: "pending", received: 2, total: 3 });
    const done = r.add("2001234", part(7, 2, 3, "B"));
    expect(done).toMatchObject({ status: "complete", message: { source: "2001234", reference: 7, total: 3, text: "ABC", messageReferences: [7, 8, 9], codingSchemes: [1] } });
    expect(r.openSets).toBe(0);
  });

  it("ignores a duplicate part even if its text differs", () => {
    const r = new SdsReassembler({ now: () => 0 });
    r.add("1", part(1, 1, 2, "first"));
    expect(r.add("1", part(1, 1, 2, "repeat"))).toEqual({ status: "duplicate", received: 1, total: 2 });
    expect(r.add("1", part(1, 2, 2, "-second"))).toMatchObject({ status: "complete", message: { text: "first-second" } });
  });

  it("keeps sets from different senders with the same reference apart", () => {
    const r = new SdsReassembler({ now: () => 0 });
    r.add("1001", part(5, 1, 2, "a1"));
    r.add("1002", part(5, 1, 2, "b1"));
    expect(r.add("1002", part(5, 2, 2, "b2"))).toMatchObject({ status: "complete", message: { source: "1002", text: "b1b2" } });
    expect(r.add("1001", part(5, 2, 2, "a2"))).toMatchObject({ status: "complete", message: { source: "1001", text: "a1a2" } });
  });

  it("keeps 8-bit and 16-bit references apart", () => {
    const r = new SdsReassembler({ now: () => 0 });
    r.add("1", part(5, 1, 2, "x"));
    expect(r.add("1", part(5, 2, 2, "y", { referenceBits: 16 }))).toMatchObject({ status: "pending" });
    expect(r.openSets).toBe(2);
  });

  it("rejoins a surrogate pair that the sender split across parts", () => {
    const r = new SdsReassembler({ now: () => 0 });
    r.add("1", part(9, 1, 2, "Brand \uD83D", { codingScheme: 0x1a }));
    expect(r.add("1", part(9, 2, 2, "\uDE92!", { codingScheme: 0x1a }))).toMatchObject({ status: "complete", message: { text: "Brand 🚒!" } });
  });

  it("drops an incomplete set after the timeout and returns it from sweep", () => {
    const c = clock();
    const r = new SdsReassembler({ now: c.now });
    r.add("1", part(3, 1, 3, "Brand "));
    r.add("1", part(3, 3, 3, " kvar"));
    c.advance(59_999);
    expect(r.sweep()).toEqual([]);
    c.advance(1);
    const dropped = r.sweep();
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ source: "1", reference: 3, total: 3, reason: "timeout", received: [1, 3], missing: [2], partialText: "Brand … kvar" });
    expect(r.openSets).toBe(0);
    expect(r.sweep()).toEqual([]);
  });

  it("measures the timeout from the last new part", () => {
    const c = clock();
    const r = new SdsReassembler({ now: c.now, timeoutMs: 1000 });
    r.add("1", part(3, 1, 3, "a"));
    c.advance(900);
    r.add("1", part(3, 2, 3, "b"));
    c.advance(900);
    expect(r.sweep()).toEqual([]);
    expect(r.add("1", part(3, 3, 3, "c"))).toMatchObject({ status: "complete", message: { text: "abc" } });
  });

  it("starts a new set when a part arrives for an expired one", () => {
    const c = clock();
    const r = new SdsReassembler({ now: c.now, timeoutMs: 1000 });
    r.add("1", part(3, 1, 2, "old"));
    c.advance(1000);
    expect(r.add("1", part(3, 2, 2, "new"))).toEqual({ status: "pending", received: 1, total: 2 });
    expect(r.sweep()).toMatchObject([{ reason: "timeout", partialText: "old…" }]);
  });

  it("treats a different total for the same reference as a new text", () => {
    const r = new SdsReassembler({ now: () => 0 });
    r.add("1", part(3, 1, 2, "old"));
    expect(r.add("1", part(3, 1, 3, "new"))).toEqual({ status: "pending", received: 1, total: 3 });
    expect(r.sweep()).toMatchObject([{ reason: "conflict", total: 2 }]);
  });

  it("caps open sets and drops the least recently active first", () => {
    const c = clock();
    const r = new SdsReassembler({ now: c.now, maxOpenSets: 2 });
    r.add("1", part(1, 1, 2, "a"));
    c.advance(10);
    r.add("1", part(2, 1, 2, "b"));
    c.advance(10);
    r.add("1", part(1, 2, 2, "a2")); // completes set 1
    r.add("1", part(3, 1, 2, "c"));
    c.advance(10);
    r.add("1", part(4, 1, 2, "d")); // evicts set 2 (oldest activity)
    expect(r.openSets).toBe(2);
    expect(r.sweep()).toMatchObject([{ reference: 2, reason: "capacity" }]);
  });

  it.each([
    ["part 0", part(1, 0, 2, "x"), /part 0 outside 1–2/],
    ["a part beyond the total", part(1, 3, 2, "x"), /part 3 outside/],
    ["a total of 0", part(1, 1, 0, "x"), /invalid total 0/],
  ])("rejects %s", (_t, p, re) => {
    const r = new SdsReassembler({ now: () => 0 });
    const res = r.add("1", p);
    expect(res.status).toBe("rejected");
    expect(res.status === "rejected" && res.reason).toMatch(re);
  });

  it("forgets everything on clear", () => {
    const r = new SdsReassembler({ now: () => 0, timeoutMs: 0 });
    r.add("1", part(1, 1, 2, "a"));
    r.clear();
    expect(r.openSets).toBe(0);
    expect(r.sweep()).toEqual([]);
  });
});
