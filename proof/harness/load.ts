import { pickWeighted } from "./random.js";
import type { Rig } from "./rig.js";
import { outcomeOf, sinkKeysOf, type Ledger, type Workload } from "./workloads.js";

/**
 * Keeps `concurrency` items in flight until `stop()`, drawn at random from weighted workloads, or in the order
 * a picker gives (`weightedCycle`: the soak's alerts, whose held work must not wander with the draws).
 */
export class Load {
  private stopped = false;
  private readonly workers: Promise<void>[] = [];
  private readonly pick: () => Workload;

  constructor(
    private readonly rig: Rig,
    private readonly ledger: Ledger,
    mix: readonly (readonly [Workload, number])[] | (() => Workload),
    private readonly rnd: () => number,
  ) {
    this.pick = typeof mix === "function" ? mix : () => pickWeighted(rnd, mix);
  }

  /** `pauseMs`: a random pause up to this long after each item; `fixedPauseMs`: a fixed one (paced sources). */
  start(concurrency: number, pauseMs = 0, fixedPauseMs = 0): void {
    for (let i = 0; i < concurrency; i++) {
      this.workers.push(
        (async () => {
          while (!this.stopped) {
            await this.ledger.submit(this.rig, this.pick());
            const pause = fixedPauseMs + pauseMs * this.rnd();
            if (pause > 0) await new Promise((r) => setTimeout(r, pause));
          }
        })(),
      );
    }
  }

  /** Stops new submissions (items in flight go on). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when every worker's last item has settled. */
  async settled(): Promise<void> {
    await Promise.all(this.workers);
  }
}

/** Waits until every accepted item of `ledger` reached its sink, or `ms` passed. */
export async function drain(rig: Rig, ledger: Ledger, ms: number): Promise<void> {
  const end = performance.now() + ms;
  for (;;) {
    const sinks = new Map<Workload, Map<string, number[]>>();
    const missing = ledger.items.filter((i) => {
      if (outcomeOf(rig, i) !== "accepted") return false;
      let s = sinks.get(i.workload);
      if (!s) sinks.set(i.workload, (s = i.workload.delivered(rig)));
      return sinkKeysOf(i).some((k) => !s.has(k));
    }).length;
    if (missing === 0 || performance.now() > end) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
