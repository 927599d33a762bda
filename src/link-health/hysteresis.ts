/**
 * Hysteresis for a probe that answers yes or no: the verdict goes down only after `downAfter` consecutive
 * failures and up only after `upAfter` consecutive successes, so one lost packet on a flaky 4G backup
 * does not flap `<base>/links/ip` (and the alarms behind it) every few seconds. Pure; no timers.
 */
export interface HysteresisOptions {
  /** Consecutive failures before an up verdict turns down. Default 3. */
  downAfter?: number;
  /** Consecutive successes before a down verdict turns up. Default 2. */
  upAfter?: number;
  /** Verdict before any sample. Default true ("up"): the first failures still need `downAfter` samples. */
  initiallyUp?: boolean;
}

/** Verdict after one sample. */
export interface HysteresisStep {
  up: boolean;
  /** True when this sample flipped the verdict. */
  changed: boolean;
}

/** Debounced up/down verdict. */
export class Hysteresis {
  private readonly downAfter: number;
  private readonly upAfter: number;
  private verdict: boolean;
  private streak = 0;

  constructor(opts: HysteresisOptions = {}) {
    this.downAfter = Math.max(1, opts.downAfter ?? 3);
    this.upAfter = Math.max(1, opts.upAfter ?? 2);
    this.verdict = opts.initiallyUp ?? true;
  }

  get up(): boolean {
    return this.verdict;
  }

  /** Feeds one probe result and returns the (possibly new) verdict. */
  record(ok: boolean): HysteresisStep {
    if (ok === this.verdict) {
      this.streak = 0;
      return { up: this.verdict, changed: false };
    }
    this.streak++;
    const needed = this.verdict ? this.downAfter : this.upAfter;
    if (this.streak < needed) return { up: this.verdict, changed: false };
    this.verdict = ok;
    this.streak = 0;
    return { up: this.verdict, changed: true };
  }
}
