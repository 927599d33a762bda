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

  /** Milliseconds to wait before the next submission may start (0 = now). */
  waitMs(): number {
    const now = this.now();
    while (this.stamps.length > 0 && now - this.stamps[0]! >= this.windowMs) this.stamps.shift();
    if (this.stamps.length < this.maxPerWindow) return 0;
    return Math.max(1, this.stamps[0]! + this.windowMs - now);
  }

  /** Waits for a slot and takes it. */
  async take(signal?: AbortSignal): Promise<void> {
    for (let w = this.waitMs(); w > 0; w = this.waitMs()) await sleep(w, signal);
    this.stamps.push(this.now());
  }
}
