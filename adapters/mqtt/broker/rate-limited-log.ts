import type { Logger } from "../../../src/shared/logger.js";

/**
 * Logs at most `perWindow` lines per key per window and then one "suppressed N" line, so 10,000 bad
 * logins a minute (reliability S4) or a device retrying a denied publish cannot flood journald, while the
 * first occurrences (the ones a technician needs) are always kept.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; count: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (w && w.suppressed > 0) this.log.warn({ key, suppressed: w.suppressed, windowMs: this.windowMs }, "similar log lines suppressed");
      w = { start: t, count: 0, suppressed: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 1000) this.prune(t);
    }
    if (w.count < this.perWindow) {
      w.count++;
      this.log.warn(fields, msg);
    } else {
      w.suppressed++;
    }
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
