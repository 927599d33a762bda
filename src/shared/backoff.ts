/**
 * Capped exponential backoff with full jitter (AWS architecture blog "Exponential Backoff And Jitter"):
 * delay = random(0, min(cap, base * 2^attempt)), never below `minMs`. Jitter keeps a rack of gateways
 * from reconnecting in lockstep after a shared outage; the cap keeps recovery within a bounded time.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  minMs?: number;
  /** Injected for tests; Math.random by default. */
  random?: () => number;
}

export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const r = (opts.random ?? Math.random)();
  return Math.max(opts.minMs ?? 0, Math.round(ceiling * r));
}
