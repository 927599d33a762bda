import type { ServiceManager } from "../ports/service-manager.js";

/**
 * Feeds the service manager's watchdog from the event loop, and only while the loop is healthy: a timer
 * ticks every third of the watchdog period and measures how late it fired. A tick later than `maxLagMs`
 * (or no tick at all, when the loop is blocked) sends nothing, so systemd kills and restarts a daemon
 * whose loop is stuck (WatchdogSec=, systemd.service(5)) instead of keeping a zombie that answers no one.
 */
export interface LoopWatchdogOptions {
  manager: ServiceManager;
  /** The watchdog period; defaults to the manager's. Nothing runs without one. */
  periodMs?: number;
  /** A tick later than this is unhealthy. Default: a quarter of the period, at most 5 s. */
  maxLagMs?: number;
  onUnhealthy?: (lagMs: number) => void;
  now?: () => number;
}

export class LoopWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  private readonly periodMs: number | undefined;
  private readonly maxLagMs: number;
  private readonly now: () => number;
  /** The last measured lag, for `/metrics` and tests. */
  lastLagMs = 0;
  pings = 0;
  skipped = 0;

  constructor(private readonly opts: LoopWatchdogOptions) {
    this.periodMs = opts.periodMs ?? opts.manager.watchdogMs;
    this.maxLagMs = opts.maxLagMs ?? Math.min(5000, (this.periodMs ?? 0) / 4);
    this.now = opts.now ?? (() => performance.now());
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (!this.periodMs || this.timer) return;
    const tickMs = Math.max(10, Math.floor(this.periodMs / 3));
    this.expected = this.now() + tickMs;
    void this.opts.manager.watchdog();
    this.pings++;
    this.timer = setInterval(() => {
      const t = this.now();
      this.lastLagMs = Math.max(0, t - this.expected);
      this.expected = t + tickMs;
      if (this.lastLagMs > this.maxLagMs) {
        this.skipped++;
        this.opts.onUnhealthy?.(this.lastLagMs);
        return;
      }
      this.pings++;
      void this.opts.manager.watchdog();
    }, tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
