import { describe, expect, it } from "vitest";
import { InFlightSends } from "../../../src/dispatch/in-flight-sends.js";

describe("in-flight alert sends", () => {
  it("a link that stops being ready withdraws only that channel's sends, an ending alert only its own", () => {
    const sends = new InFlightSends();
    const a1sds = sends.start("sds", "a1");
    const a1sms = sends.start("sms", "a1");
    const a2sds = sends.start("sds", "a2");
    const a2sms = sends.start("sms", "a2");
    sends.abortChannels((c) => c === "sms", (c) => new Error(`${c} down`));
    expect([a1sds.signal.aborted, a1sms.signal.aborted, a2sds.signal.aborted, a2sms.signal.aborted]).toEqual([false, true, false, true]);
    expect((a1sms.signal.reason as Error).message).toBe("sms down");
    sends.abortAlert("a2", new Error("alert ended"));
    expect([a1sds.withdraw.aborted, a2sds.withdraw.aborted, a2sms.withdraw.aborted]).toEqual([false, true, true]);
    expect((a2sds.withdraw.reason as Error).message).toBe("alert ended");
    // An ending alert only withdraws: a send already on the wire is not aborted (its link is still there).
    expect(a2sds.signal.aborted).toBe(false);
    expect(a1sms.withdraw.aborted).toBe(false);
  });

  it("a settled send leaves nothing behind, by channel or by alert", () => {
    const sends = new InFlightSends();
    const one = sends.start("sds", "a1");
    const two = sends.start("sds", "a1");
    expect(sends.size).toBe(2);
    one.done();
    two.done();
    expect(sends.size).toBe(0);
    const inner = sends as unknown as { byChannel: Map<string, unknown>; byAlert: Map<string, unknown> };
    expect({ channels: inner.byChannel.size, alerts: inner.byAlert.size }).toEqual({ channels: 0, alerts: 0 });
    // Withdrawing a settled send's alert or channel touches nothing.
    sends.abortAlert("a1", new Error("x"));
    sends.abortChannels(() => true, () => new Error("x"));
    expect([one.signal.aborted, two.signal.aborted, one.withdraw.aborted, two.withdraw.aborted]).toEqual([false, false, false, false]);
  });
});
