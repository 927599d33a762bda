import type { SmsPriority } from "../../src/ports/sms-modem.js";
import { sleep } from "../../src/shared/clock.js";

/**
 * The message queue of one modem and its rate limit. Alerts preempt status and test traffic; within a
 * priority the oldest goes first (reliability goal R10). No limit on depth: an alert is never dropped
 * because of queue size.
 */
export const SMS_PRIORITIES: readonly SmsPriority[] = ["emergency", "operator", "normal", "bulk"];

/** One queued item with its priority and enqueue time (monotonic ms). */
export interface Queued<T> {
  priority: SmsPriority;
  enqueuedAt: number;
  item: T;
}

/** FIFO lanes per priority. */
export class PriorityQueue<T> {
  private readonly lanes = new Map<SmsPriority, Queued<T>[]>(SMS_PRIORITIES.map((p) => [p, []]));

  push(q: Queued<T>): void {
    this.lanes.get(q.priority)!.push(q);
  }

  /** Highest priority, oldest first. */
  shift(): Queued<T> | undefined {
    for (const p of SMS_PRIORITIES) {
      const lane = this.lanes.get(p)!;
      if (lane.length > 0) return lane.shift();
    }
    return undefined;
  }

  remove(pred: (item: T) => boolean): Queued<T> | undefined {
    for (const lane of this.lanes.values()) {
      const i = lane.findIndex((q) => pred(q.item));
      if (i >= 0) return lane.splice(i, 1)[0];
    }
    return undefined;
  }

  get length(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  countBy(): Record<SmsPriority, number> {
    return { emergency: this.lanes.get("emergency")!.length, operator: this.lanes.get("operator")!.length, normal: this.lanes.get("normal")!.length, bulk: this.lanes.get("bulk")!.length };
  }

  oldest(): number | undefined {
    let min: number | undefined;
    for (const lane of this.lanes.values()) if (lane[0] && (min === undefined || lane[0].enqueuedAt < min)) min = lane[0].enqueuedAt;
    return min;
  }
}

/**
 * At most `maxPerWindow` submissions (`AT+CMGS`) in any rolling window (R10: ≤ 10 per minute per modem,
 * so a SIM is not flagged for bulk sending). Counts parts, which is what the network sees.
 */
export class RateLimiter {
  private readonly stamps: number[] = [];

  constructor(
    private readonly maxPerWindow: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Most submissions one window allows. */
  get capacity(): number {
    return this.maxPerWindow;
  }

  /**
   * Milliseconds to wait until `n` submissions may start back to back (0 = now); `n` is capped at the
   * window's capacity. A multi-part message asks for all its parts, so it is never begun when it cannot
   * be finished in one go.
   */
  waitMs(n = 1): number {
    const now = this.now();
    while (this.stamps.length > 0 && now - this.stamps[0]! >= this.windowMs) this.stamps.shift();
    const need = Math.min(Math.max(1, n), this.maxPerWindow);
    const excess = this.stamps.length + need - this.maxPerWindow;
    if (excess <= 0) return 0;
    return Math.max(1, this.stamps[excess - 1]! + this.windowMs - now);
  }

  /** Waits until `n` slots are free (see `waitMs`). */
  async waitFor(n: number, signal?: AbortSignal): Promise<void> {
    for (let w = this.waitMs(n); w > 0; w = this.waitMs(n)) await sleep(w, signal);
  }

  /** Waits for a slot and takes it. */
  async take(signal?: AbortSignal): Promise<void> {
    await this.waitFor(1, signal);
    this.stamps.push(this.now());
  }
}
