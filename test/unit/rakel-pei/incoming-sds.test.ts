import { describe, expect, it } from "vitest";
import { IncomingSdsHandler } from "../../../adapters/rakel-pei/incoming-sds.js";
import { silentLogger } from "../../../src/shared/logger.js";

/** An SDS-TL short report (PID 0x82) from `source` whose bytes differ by `n`: a distinct message each. */
function report(n: number, source = "2001234"): { header: { aiService: number; source: string; destination: string; bits: number }; hex: string } {
  const hex = `8200${n.toString(16).padStart(4, "0").toUpperCase()}`;
  return { header: { aiService: 12, source, destination: "2009999", bits: hex.length * 4 }, hex };
}

function handler(windowMs: number): { h: IncomingSdsHandler; clock: { now: number } } {
  const clock = { now: 0 };
  return { h: new IncomingSdsHandler({ log: silentLogger(), dedupWindowMs: windowMs, now: () => clock.now }), clock };
}

describe("IncomingSdsHandler duplicate window", () => {
  it("remembers only the keys of the last window: expired keys leave as they expire, not when 4,096 have piled up", () => {
    const { h, clock } = handler(30_000);
    // Ten distinct reports a second for 100 s (the soak's sds/send reports arrive at about 6 a second).
    for (let i = 0; i < 1000; i++) {
      clock.now = i * 100;
      expect(h.handle(report(i))).toBeDefined();
      expect(h.remembered).toBeLessThanOrEqual(301);
    }
    expect(h.remembered).toBeGreaterThanOrEqual(300);
  });

  it("still suppresses a repeat inside the window and lets it through after it, among many other keys", () => {
    const { h, clock } = handler(30_000);
    expect(h.handle(report(7))).toBeDefined();
    for (let i = 1; i <= 250; i++) {
      clock.now = i * 100;
      h.handle(report(1000 + i));
    }
    clock.now = 29_000;
    expect(h.handle(report(7))).toBeUndefined();
    expect(h.duplicates).toBe(1);
    clock.now = 30_500;
    expect(h.handle(report(7))).toBeDefined();
    // Its first copy (0 s) and the keys of 0.1–0.5 s left before it was remembered again: 245 older ones + it.
    expect(h.remembered).toBe(246);
    // New traffic at 45 s drops every key of 15 s or older: the 100 of 15.1–25 s stay, with the re-remembered
    // one (30.5 s), which still suppresses its repeat at 50 s, and the new one.
    clock.now = 45_000;
    h.handle(report(5000));
    expect(h.remembered).toBe(102);
    clock.now = 50_000;
    expect(h.handle(report(7))).toBeUndefined();
    expect(h.duplicates).toBe(2);
  });

  it("holds at most 4,096 keys in a flood inside one window, dropping the oldest", () => {
    const { h, clock } = handler(30_000);
    for (let i = 0; i < 5000; i++) {
      clock.now = i;
      h.handle(report(i));
    }
    expect(h.remembered).toBe(4096);
    // The newest are kept: a repeat of the last one is suppressed, of the first one not.
    expect(h.handle(report(4999))).toBeUndefined();
    expect(h.handle(report(0))).toBeDefined();
  });

  it("never remembers statuses or texts without a message reference: each is an event of its own", () => {
    const { h } = handler(30_000);
    const status = { header: { aiService: 13, source: "2001234", destination: "2009999", bits: 16 }, hex: "8002" };
    expect(h.handle(status)).toBeDefined();
    expect(h.handle(status)).toBeDefined();
    expect(h.remembered).toBe(0);
  });
});
