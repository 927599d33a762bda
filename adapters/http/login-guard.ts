import { GatewayError } from "../../src/shared/errors.js";

/**
 * Bounds password checking on the status page the way the broker does (issue 9, item 4): an attempt is
 * counted before the scrypt check starts, failures per address per minute are capped, and at most
 * `maxConcurrent` checks run at once (each costs ~16 MiB and tens of ms), so a flood of logins cannot
 * starve the event loop's thread pool.
 */
export interface LoginGuardOptions {
  failuresPerMinute: number;
  maxConcurrent: number;
  now?: () => number;
}

export class LoginGuard {
  private readonly attempts = new Map<string, number[]>();
  private running = 0;
  private readonly now: () => number;

  constructor(private readonly opts: LoginGuardOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Runs `check` if the address may try now; throws HTTP_THROTTLED otherwise. A success clears the count. */
  async attempt(address: string, check: () => Promise<boolean>): Promise<boolean> {
    const t = this.now();
    const recent = (this.attempts.get(address) ?? []).filter((x) => t - x < 60_000);
    if (recent.length >= this.opts.failuresPerMinute) throw new GatewayError("HTTP_THROTTLED", "too many failed logins from this address; wait a minute");
    if (this.running >= this.opts.maxConcurrent) throw new GatewayError("HTTP_THROTTLED", "too many logins at once; try again");
    recent.push(t);
    this.attempts.set(address, recent);
    if (this.attempts.size > 10_000) this.attempts.delete(this.attempts.keys().next().value!);
    this.running++;
    try {
      const ok = await check();
      if (ok) this.attempts.delete(address);
      return ok;
    } finally {
      this.running--;
    }
  }
}
