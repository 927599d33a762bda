/**
 * Failed logins over a sliding minute, counted per (address, username) and per address. Past either limit
 * the address's connections are refused in `preConnect`, before any scrypt work, which keeps 10,000 bad
 * logins a minute from one address to a few percent of CPU (reliability S4). The per-user key keeps one
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

  fail(address: string, username: string | undefined): void {
    const t = this.now();
    for (const key of [`a:${address}`, `u:${address}|${username ?? ""}`]) {
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
