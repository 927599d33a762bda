/**
 * The 4-digit code people type in their answer (`OK 4711`). Unique among active alerts and, as far as
 * possible, not reused from recently finished ones, so a late answer to an old alert is not taken for a
 * new one. Codes start at 1000 so none has a leading zero that a keypad or a spreadsheet would drop.
 */
export function pickCode(inUse: ReadonlySet<string>, recent: ReadonlySet<string>, random: () => number = Math.random): string {
  for (let i = 0; i < 200; i++) {
    const c = String(1000 + Math.floor(random() * 9000));
    if (!inUse.has(c) && !recent.has(c)) return c;
  }
  for (let n = 1000; n <= 9999; n++) if (!inUse.has(String(n))) return String(n);
  throw new Error("more than 9000 active alerts");
}
