/**
 * Memory trend figures of the soak proof (docs/reliability.md R9). A least-squares slope over the whole run
 * mostly measures warm-up: V8 growing its heap to its steady size, glibc keeping freed blocks in per-thread
 * arenas (the broker's scrypt logins: 16 MiB each on libuv's pool, RFC 7914 §2 parameters). The slope over
 * the last half of the run is the figure for a leak; the V8 heap's post-GC floor (the smallest heap-used
 * sample of each window) tells a JavaScript leak from native growth.
 */
export interface Point {
  /** Seconds. */
  t: number;
  kib: number;
}

/** Least-squares slope of `points` in MiB per hour; NaN with fewer than two points. */
export function slopeMiBPerHour(points: readonly Point[]): number {
  if (points.length < 2) return NaN;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.kib, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mx) * (p.kib - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mx) ** 2, 0);
  return den === 0 ? 0 : ((num / den) * 3600) / 1024;
}

/** The points at or after `fraction` of the span from the first to the last point. */
export function tail(points: readonly Point[], fraction: number): Point[] {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return [];
  const from = first.t + (last.t - first.t) * fraction;
  return points.filter((p) => p.t >= from);
}

/** The smallest value of each `windowS`-second window (one point per window, at its smallest sample). */
export function floor(points: readonly Point[], windowS: number): Point[] {
  const first = points[0];
  if (!first) return [];
  const byWindow = new Map<number, Point>();
  for (const p of points) {
    const w = Math.floor((p.t - first.t) / windowS);
    const cur = byWindow.get(w);
    if (!cur || p.kib < cur.kib) byWindow.set(w, p);
  }
  return [...byWindow.values()];
}

/** Work that is held from `from` (seconds) for `holdS` seconds: an alert's recipients until its deadline. */
export interface Held {
  from: number;
  weight: number;
}

/**
 * The mean of the work held at once over each `windowS`-second window from `startS` to `endS`, sampled every
 * `stepS` seconds. The soak prints its spread: memory follows the work held, so a slope can only be read as
 * a leak when this stays flat.
 */
export function heldMeans(held: readonly Held[], holdS: number, startS: number, endS: number, windowS = 600, stepS = 60): number[] {
  const means: number[] = [];
  for (let w = startS; w + windowS <= endS + 1e-9; w += windowS) {
    let sum = 0;
    let n = 0;
    for (let t = w; t < w + windowS; t += stepS, n++) for (const h of held) if (h.from <= t && t < h.from + holdS) sum += h.weight;
    means.push(sum / n);
  }
  return means;
}
