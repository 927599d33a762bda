import { describe, expect, it } from "vitest";
import { SmsTracker, sameNumber } from "../../../adapters/gsm-sms/sms-tracker.js";
import type { SmsProgress } from "../../../src/ports/sms-modem.js";

function tracker() {
  const events: SmsProgress[] = [];
  let now = 0;
  const t = new SmsTracker((p) => events.push(p), () => now, 1000);
  return { t, events, tick: (ms: number) => (now += ms) };
}

describe("SmsTracker: TP-MR and recipient → delivered / failed per message", () => {
  it("compares numbers on their last digits", () => {
    expect(sameNumber("+46701234567", "0701234567")).toBe(true);
    expect(sameNumber("+46701234567", "+46701234568")).toBe(false);
  });

  it("a two-part message is delivered when both parts are", () => {
    const { t, events } = tracker();
    t.track("m1", "0701234567", 2, true);
    t.partSubmitted("m1", 1, 10);
    t.partSubmitted("m1", 2, 11);
    t.submitted("m1");
    expect(t.report("+46701234567", 10, 0x00)).toBe("m1");
    expect(events.at(-1)!.stage).toBe("submitted");
    t.report("+46701234567", 11, 0x00);
    expect(events.map((e) => e.stage)).toEqual(["queued", "submitted", "delivered"]);
    expect(events.at(-1)!.parts.map((p) => p.status)).toEqual(["delivered", "delivered"]);
    expect(t.size).toBe(0);
  });

  it("'still trying' keeps the stage; a permanent error fails the message", () => {
    const { t, events } = tracker();
    t.track("m1", "+46701234567", 1, true);
    t.partSubmitted("m1", 1, 5);
    t.submitted("m1");
    t.report("+46701234567", 5, 0x21);
    expect(events.at(-1)).toMatchObject({ stage: "submitted", parts: [{ status: "pending", deliveryStatus: 0x21 }] });
    t.report("+46701234567", 5, 0x41);
    expect(events.at(-1)).toMatchObject({ stage: "failed", error: { code: "SMS_DELIVERY_FAILED" } });
  });

  it("TP-MR repeats: the newest submission to that recipient wins; other recipients never match", () => {
    const { t, tick } = tracker();
    t.track("old", "+46701234567", 1, true);
    t.partSubmitted("old", 1, 7);
    t.submitted("old");
    tick(10);
    t.track("new", "+46701234567", 1, true);
    t.partSubmitted("new", 1, 7);
    t.submitted("new");
    expect(t.report("+46709999999", 7, 0)).toBeUndefined();
    expect(t.report("+46701234567", 7, 0)).toBe("new");
    expect(t.report("+46701234567", 7, 0)).toBe("old");
  });

  it("without a status report the message is done when submitted; sweep forgets silent ones", () => {
    const { t, tick } = tracker();
    t.track("a", "+46701234567", 1, false);
    t.submitted("a");
    expect(t.size).toBe(0);
    t.track("b", "+46701234567", 1, true);
    t.submitted("b");
    tick(2000);
    expect(t.sweep()).toBe(1);
  });
});
