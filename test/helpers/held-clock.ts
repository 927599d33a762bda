import { type Clock, type TimerHandle, systemClock } from "../../src/shared/clock.js";

/**
 * The system clock, except that timers of exactly `heldMs` wait until the test fires them: proves a
 * component runs that timer on the clock it was given and lets the test decide when it expires.
 */
export interface HeldClock extends Clock {
  /** Timers of `heldMs` set and not yet fired or cleared. */
  readonly held: number;
  /** Fires every held timer once (a repeating timer re-arms itself as a new held one). */
  fire(): void;
}

export function heldClock(heldMs: number): HeldClock {
  const held = new Map<object, () => void>();
  return {
    now: () => systemClock.now(),
    wallNow: () => systemClock.wallNow(),
    setTimeout(fn, ms) {
      if (ms !== heldMs) return systemClock.setTimeout(fn, ms);
      const handle = {} as TimerHandle & object;
      held.set(handle, fn);
      return handle;
    },
    clearTimeout(h) {
      if (typeof h === "object" && held.delete(h)) return;
      systemClock.clearTimeout(h);
    },
    get held() {
      return held.size;
    },
    fire() {
      const due = [...held];
      held.clear();
      for (const [, fn] of due) fn();
    },
  };
}
