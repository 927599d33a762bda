/**
 * Which finished alerts keep their retained `<base>/alerts/<id>` document: the newest `keep`; older ones are
 * cleared (README "Alerts and acknowledgements"). Without this every alert ever sent would stay in the
 * broker, its state file, the uplink's regional broker and the gateway's republish cache.
 */
export class AlertRetention {
  /** Archived alerts whose document may still be retained, oldest first. */
  private readonly kept: string[] = [];

  constructor(
    private readonly keep: number,
    private readonly clear: (id: string) => void,
  ) {}

  /** An alert was archived: its document is kept until `keep` newer alerts have finished. */
  finished(id: string): void {
    this.kept.push(id);
    this.trim();
  }

  /**
   * At start: the last archived alerts, oldest first. Clears of alerts archived just before a stop may have been
   * lost, so what lies beyond the kept ones is cleared again (clearing an absent document is harmless).
   */
  resume(archived: readonly string[]): void {
    const known = new Set(this.kept);
    this.kept.unshift(...archived.filter((id) => !known.has(id)));
    this.trim();
  }

  /** How far back `resume` should look: one more window than is kept. */
  get lookBack(): number {
    return 2 * this.keep + 1;
  }

  private trim(): void {
    const excess = this.kept.length - this.keep;
    if (excess > 0) for (const id of this.kept.splice(0, excess)) this.clear(id);
  }
}
