import { describe, expect, it, vi } from "vitest";
import { GatewayError } from "../../../src/shared/errors.js";
import { modemRig } from "./modem-harness.js";

const TO = "+46701234567";
/** Four GSM-7 parts (153 characters each after the concatenation header). */
const FOUR_PARTS = "Larm: brand i flerbostadshus, Åkervägen 12, plan 3. ".repeat(11).slice(0, 153 * 3 + 40);

describe("issue 14 item 1: a multi-part SMS under the rate limit", () => {
  it("a message whose first part went out is finished, even when the rest waits past the deadline", async () => {
    // 2 parts per 1.5 s window: parts 3 and 4 wait for the window, past the 1 s deadline. The old sender
    // checked the deadline between parts and gave up after part 3: the recipient got 3 of 4 parts.
    const rig = await modemRig({ adapter: { maxPerMinute: 2, rateWindowMs: 1500 } });
    try {
      const r = await rig.modem.sendSms(TO, FOUR_PARTS, { deadlineMs: 1000 });
      expect(r.parts).toBe(4);
      expect(r.references).toHaveLength(4);
      expect(rig.sim.sent).toHaveLength(4);
    } finally {
      await rig.close();
    }
  });

  it("the deadline counts the whole message before the first part: a message that cannot finish in time is not begun", async () => {
    const rig = await modemRig({ adapter: { maxPerMinute: 2, rateWindowMs: 1500 } });
    try {
      await rig.modem.sendSms(TO, "first");
      expect(rig.sim.sent).toHaveLength(1);
      // One slot is left for 1.5 s; the four-part message needs two at once, which come only after its deadline.
      const err = await rig.modem.sendSms(TO, FOUR_PARTS, { deadlineMs: 600 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect(err).toMatchObject({ code: "SMS_QUEUE_EXPIRED", context: { sentParts: 0, parts: 4, references: [] } });
      expect(rig.sim.sent).toHaveLength(1);
      expect(rig.progress.at(-1)).toMatchObject({ stage: "failed", error: { code: "SMS_QUEUE_EXPIRED" } });
    } finally {
      await rig.close();
    }
  });

  it("a sent message's deadline timer is cleared (the message is not kept until its deadline)", async () => {
    const rig = await modemRig();
    const setSpy = vi.spyOn(globalThis, "setTimeout");
    const clearSpy = vi.spyOn(globalThis, "clearTimeout");
    try {
      await rig.modem.sendSms(TO, "kort", { deadlineMs: 3_600_000 });
      const deadline = setSpy.mock.results.filter((_, i) => setSpy.mock.calls[i]?.[1] === 3_600_000).map((r) => r.value as unknown);
      expect(deadline).toHaveLength(1);
      expect(clearSpy.mock.calls.map((c) => c[0] as unknown)).toContain(deadline[0]);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
      await rig.close();
    }
  });

  it("a failure after a part went out says which parts were sent", async () => {
    const rig = await modemRig();
    try {
      // Part 1 is accepted, then every attempt at part 2 is refused as congestion (+CMS 42, transient).
      let submissions = 0;
      rig.sim.on("sms-sent", () => {
        if (++submissions === 1) rig.sim.setFaults({ cmsErrorNext: { code: 42, count: 10 } });
      });
      const err = await rig.modem.sendSms(TO, FOUR_PARTS).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "SMS_SEND_FAILED", context: { sentParts: 1, parts: 4, references: [rig.sim.sent[0]!.reference] } });
    } finally {
      await rig.close();
    }
  });
});
