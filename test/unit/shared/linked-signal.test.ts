import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { linkSignals } from "../../../src/shared/linked-signal.js";

describe("linkSignals", () => {
  it("fires with the reason of whichever source fires first; undefined sources are skipped", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, undefined, b.signal);
    expect(linked.signal.aborted).toBe(false);
    b.abort(new Error("b"));
    expect((linked.signal.reason as Error).message).toBe("b");
    a.abort(new Error("a"));
    expect((linked.signal.reason as Error).message).toBe("b");
  });

  it("is aborted at once when a source already is", () => {
    expect(linkSignals(new AbortController().signal, AbortSignal.abort(new Error("gone"))).signal.aborted).toBe(true);
  });

  it("dispose() leaves no listener on the sources", () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkSignals(a.signal, b.signal);
    expect(getEventListeners(a.signal, "abort")).toHaveLength(1);
    linked.dispose();
    expect([getEventListeners(a.signal, "abort"), getEventListeners(b.signal, "abort")]).toEqual([[], []]);
    a.abort();
    expect(linked.signal.aborted).toBe(false);
  });
});
