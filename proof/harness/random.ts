/** A small seeded generator (mulberry32), so a failing run can be repeated with `--seed`. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickWeighted<T>(rnd: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rnd() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1]![0];
}

/** (√5 − 1) / 2, the golden ratio's fractional part. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * The golden-ratio (Weyl) sequence frac(start + k·GOLDEN), k = 0, 1, 2, …: values in [0, 1) that, unlike
 * independent draws, spread evenly over the interval in every run of consecutive values (its discrepancy
 * falls as log N / N; Kuipers & Niederreiter, Uniform Distribution of Sequences, ch. 1 §3). A sum over a
 * sliding window of them hardly moves: what the soak needs of the recipients its open alerts hold at once.
 */
export function goldenSequence(start: number): () => number {
  let k = 0;
  return () => (start + GOLDEN * k++) % 1;
}

/**
 * Picks weighted items in a fixed, interleaved order (smooth weighted round-robin, as nginx balances
 * upstreams): in every `Σ weights` picks each item comes `weight` times, spread out rather than in runs.
 */
export function weightedCycle<T>(items: readonly (readonly [T, number])[]): () => T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  const current = items.map(() => 0);
  return () => {
    let best = 0;
    items.forEach(([, w], i) => {
      current[i]! += w;
      if (current[i]! > current[best]!) best = i;
    });
    current[best]! -= total;
    return items[best]![0];
  };
}
