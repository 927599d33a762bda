import { afterEach, beforeEach, describe, expect, it } from "vitest";
import sinon from "sinon";
import { every, sleep, systemClock } from "../../../src/shared/clock.js";

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  clock.restore();
});

function track(p: Promise<void>): { done: boolean; error?: unknown } {
  const o: { done: boolean; error?: unknown } = { done: false };
  p.then(
    () => (o.done = true),
    (e: unknown) => {
      o.done = true;
      o.error = e;
    },
  );
  return o;
}

describe("sleep", () => {
  it("resolves after the given time and not before", async () => {
    const s = track(sleep(500));
    await clock.tickAsync(499);
    expect(s.done).toBe(false);
    await clock.tickAsync(1);
    expect(s).toEqual({ done: true });
  });

  it("rejects with the signal's reason when aborted and cancels its timer", async () => {
    const ac = new AbortController();
    const reason = new Error("stop");
    const s = track(sleep(500, ac.signal));
    ac.abort(reason);
    await clock.tickAsync(0);
    expect(s.error).toBe(reason);
    expect(clock.countTimers()).toBe(0);
  });

  it("rejects at once for an already aborted signal", async () => {
    const reason = new Error("already");
    const s = track(sleep(500, AbortSignal.abort(reason)));
    await clock.tickAsync(0);
    expect(s.error).toBe(reason);
  });

  it("an abort after the sleep finished changes nothing", async () => {
    const ac = new AbortController();
    const s = track(sleep(10, ac.signal));
    await clock.tickAsync(10);
    ac.abort(new Error("late"));
    await clock.tickAsync(0);
    expect(s).toEqual({ done: true });
  });
});

describe("systemClock", () => {
  it("runs timers through setTimeout and cancels them with clearTimeout", async () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, 100);
    const h = systemClock.setTimeout(() => fired++, 100);
    systemClock.clearTimeout(h);
    await clock.tickAsync(100);
    expect(fired).toBe(1);
  });

  it("gives wall time as a Date and monotonic time as a number", () => {
    clock.setSystemTime(new Date("2024-05-01T00:00:00Z"));
    expect(systemClock.wallNow().toISOString()).toBe("2024-05-01T00:00:00.000Z");
    const a = systemClock.now();
    expect(typeof a).toBe("number");
    expect(systemClock.now()).toBeGreaterThanOrEqual(a);
  });
});

describe("every", () => {
  it("unrefs each timer it arms when asked, and only then", async () => {
    const unrefs: boolean[] = [];
    const arm = (unref: boolean): (() => void) => {
      const spyClock = {
        ...systemClock,
        setTimeout: (fn: () => void, ms: number) => {
          const h = setTimeout(fn, ms);
          const original = h.unref.bind(h);
          h.unref = () => {
            unrefs.push(unref);
            return original();
          };
          return h;
        },
      };
      return every(spyClock, 100, () => undefined, unref ? { unref: true } : {});
    };
    const stopA = arm(true);
    const stopB = arm(false);
    await clock.tickAsync(250); // each armed 3 times
    stopA();
    stopB();
    expect(unrefs).toEqual([true, true, true]);
    expect(clock.countTimers()).toBe(0);
  });
});
