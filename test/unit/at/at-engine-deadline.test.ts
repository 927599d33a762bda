import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type sinon from "sinon";
import { GatewayError } from "../../../src/shared/errors.js";
import { cmd, installClock, makeEngine, track } from "./engine-harness.js";

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = installClock();
});
afterEach(() => {
  clock.restore();
});

/** Issue 14 item 9: AT_EXPIRED must report the real time since the request, and a retry must not reset the deadline. */
describe("deadline of a retried command", () => {
  it("counts from the request across the retry and reports the time actually waited", async () => {
    const { engine } = makeEngine();
    const x = track(engine.execute(cmd("AT+X", { idempotent: true }), undefined, { deadlineMs: 1500, retries: 1 }));
    await clock.tickAsync(500);
    // An emergency command queued meanwhile goes before X's retry and is not answered either.
    const blocker = track(engine.execute(cmd("AT+B"), undefined, { priority: "emergency" }));
    await clock.tickAsync(900); // X timed out at 1000 ms; its retry waits behind B
    expect(x.settled).toBe(false);
    await clock.tickAsync(100); // 1500 ms after the request
    expect(x.settled).toBe(true);
    expect(x.error).toBeInstanceOf(GatewayError);
    expect(x.error).toMatchObject({ code: "AT_EXPIRED", context: { waitedMs: 1500 } });
    await clock.tickAsync(2000);
    expect(blocker.settled).toBe(true);
  });
});
