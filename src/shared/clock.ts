/**
 * Injected time. Timeouts and retry timers use the monotonic clock so a wall-clock step (NTP, dead RTC)
 * never mass-expires or mass-resends anything (docs/reliability.md #38).
 */
export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  now(): number;
  /** Wall-clock time for records and logs. */
  wallNow(): Date;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on `clock` (the system clock unless one is injected); rejects when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clock.clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export interface EveryOptions {
  /** The timer does not keep the process alive (Node's `unref`, where the clock's handles have it). */
  unref?: boolean;
}

/** A repeating timer on `clock`; returns its cancel function. */
export function every(clock: Clock, ms: number, fn: () => void, opts: EveryOptions = {}): () => void {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const arm = (): void => {
    handle = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      fn();
    }, ms);
    if (opts.unref) (handle as { unref?: () => void }).unref?.();
  };
  arm();
  return () => {
    stopped = true;
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}
