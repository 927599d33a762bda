/**
 * Login attempts over a sliding minute. An attempt counts as a failure from the moment its password
 * check STARTS (`attempt()`), and is taken back only if it succeeds (`succeeded()`): so 60 parallel bad
 * logins cannot all slip past the limit while their checks are still running. Counted per (address,
 * username) and per address. Past either limit the address's connections are refused in `preConnect`, before any scrypt work, which keeps 10,000 bad
 * logins a minute from one address to a few percent of CPU (reliability S4). The gateway's own
 * connection (internal listener, no scrypt) is never throttled. The per-user key keeps one
 * misconfigured display on a shared address (loopback, NAT) from locking out its neighbours; the
 * per-address limit (10× the per-user one) still stops a scan over many usernames. Memory is bounded:
 * at most `maxKeys` keys, oldest evicted first.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Counts a login whose password check is about to start; pass the returned time to `succeeded()`. */
  attempt(address: string, username: string | undefined): number {
    const t = this.now();
    this.record(address, username, t);
    return t;
  }

  /** The attempt started at `t` succeeded: it no longer counts as a failure. */
  succeeded(address: string, username: string | undefined, t: number): void {
    for (const key of this.keys(address, username)) {
      const list = this.failures.get(key);
      const i = list?.indexOf(t) ?? -1;
      if (list && i >= 0) list.splice(i, 1);
      if (list?.length === 0) this.failures.delete(key);
    }
  }

  fail(address: string, username: string | undefined): void {
    this.record(address, username, this.now());
  }

  private keys(address: string, username: string | undefined): [string, string] {
    return [`a:${address}`, `u:${address}|${username ?? ""}`];
  }

  private record(address: string, username: string | undefined, t: number): void {
    for (const key of this.keys(address, username)) {
      const list = this.recent(key, t);
      list.push(t);
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  blocked(address: string, username: string | undefined): boolean {
    const t = this.now();
    return this.recent(`u:${address}|${username ?? ""}`, t).length >= this.perMinute || this.recent(`a:${address}`, t).length >= this.perMinute * 10;
  }

  private recent(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((x) => t - x < 60_000);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
