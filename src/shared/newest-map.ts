/**
 * Sets `key` as the newest entry of `m` (a key set again moves to the end, so insertion order is age order)
 * and drops entries from the front, oldest first, while there are more than `max` or the oldest is `expired`.
 * One walk from the front does both: the entries to drop are always at the front.
 */
export function keepNewest<V>(m: Map<string, V>, key: string, value: V, max: number, expired: (v: V) => boolean = () => false): void {
  m.delete(key);
  m.set(key, value);
  for (const [k, v] of m) {
    if (m.size <= max && !expired(v)) break;
    m.delete(k);
  }
}
