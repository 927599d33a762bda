/**
 * The engine's waiting room: one FIFO per priority, served emergency first. While the engine is held
 * (re-initialisation after a reboot or reconnect) only commands marked `bypassHold` may leave it.
 */
export type Priority = "emergency" | "operator" | "normal" | "housekeeping";
export const PRIORITIES: readonly Priority[] = ["emergency", "operator", "normal", "housekeeping"];

export interface Queued {
  readonly priority: Priority;
  readonly bypassHold: boolean;
}

export class CommandQueue<T extends Queued> {
  private readonly queues = new Map<Priority, T[]>(PRIORITIES.map((p) => [p, []]));

  /**
   * @param maxRoutine most items waiting at "normal" or "housekeeping" priority each; emergency and
   *   operator work is never refused.
   */
  constructor(private readonly maxRoutine: number) {}

  /** Adds `item`; returns the number already waiting when it was refused for being full, else undefined. */
  push(item: T): number | undefined {
    const q = this.queues.get(item.priority)!;
    if ((item.priority === "normal" || item.priority === "housekeeping") && q.length >= this.maxRoutine) return q.length;
    q.push(item);
    return undefined;
  }

  /** Removes a waiting item; false when it already left the queue. */
  remove(item: T): boolean {
    const q = this.queues.get(item.priority)!;
    const i = q.indexOf(item);
    if (i < 0) return false;
    q.splice(i, 1);
    return true;
  }

  /** Takes the next item to run: highest priority first, FIFO within it; only `bypassHold` items while held. */
  take(held: boolean): T | undefined {
    for (const p of PRIORITIES) {
      const q = this.queues.get(p)!;
      const i = held ? q.findIndex((it) => it.bypassHold) : 0;
      if (i >= 0 && q.length > i) return q.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Empties the queue and returns what was in it. */
  drain(): T[] {
    const all: T[] = [];
    for (const q of this.queues.values()) all.push(...q.splice(0));
    return all;
  }

  get length(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }
}
