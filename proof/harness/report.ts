/** The figures of one proof: printed as a table; any missed goal makes the runner exit 1. */
export interface Figure {
  figure: string;
  value: string | number;
  /** The goal in words ("0", "≤ 5 s"); empty for figures that are only reported. */
  goal?: string;
  /** false = goal missed; undefined = no goal. */
  ok?: boolean;
}

export class Report {
  readonly rows: Figure[] = [];
  readonly notes: string[] = [];

  constructor(readonly proof: string) {}

  add(figure: string, value: string | number, goal?: string, ok?: boolean): void {
    this.rows.push({ figure, value, ...(goal !== undefined ? { goal } : {}), ...(ok !== undefined ? { ok } : {}) });
  }

  /**
   * A figure with an upper bound: a time or a memory size. With PROOF_TIMING_GOALS=report (what CI sets) a
   * missed bound is printed as "over goal" but does not fail the proof: speed and memory are figures for
   * the record (house rule: never timed assertions in CI), while loss, duplicates and refusals always fail.
   */
  atMost(figure: string, value: number, max: number, unit = ""): void {
    const within = value <= max;
    if (!within && process.env["PROOF_TIMING_GOALS"] === "report") this.add(figure, `${round(value)}${unit} (over goal, reported only)`, `≤ ${max}${unit}`);
    else this.add(figure, `${round(value)}${unit}`, `≤ ${max}${unit}`, within);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  get passed(): boolean {
    return this.rows.every((r) => r.ok !== false);
  }

  table(): string {
    const head = ["figure", "measured", "goal", "result"];
    const body = this.rows.map((r) => [r.figure, String(r.value), r.goal ?? "", r.ok === undefined ? "" : r.ok ? "ok" : "MISSED"]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
    const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
    return [
      `proof ${this.proof}: ${this.passed ? "PASSED" : "GOAL MISSED"}`,
      line(head),
      `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
      ...body.map(line),
      ...this.notes.map((n) => `note: ${n}`),
    ].join("\n");
  }
}

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}
