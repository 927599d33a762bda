/**
 * Orders two strings by their UTF-16 code units, as `Array.prototype.sort()` does by default: the same order
 * on every machine, whatever its locale. Use it instead of `String.prototype.localeCompare`, which builds an
 * ICU collator on its first call: in the daemon that paged in about 1.7 MiB of Node's embedded ICU collation
 * data and kept the collator in the malloc arena for the rest of the process (docs/reliability.md, R9), to
 * sort ISO-8601 timestamps, which code units already order. The lint config refuses `localeCompare`.
 */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
