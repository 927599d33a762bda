/**
 * glibc malloc settings for the gateway's processes, read by glibc when a process starts (so they must be
 * in its environment, not set from JavaScript):
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates concurrently an arena of its own, up to
 *   eight per core; Node's thread pool (file writes and fsyncs of the journal, password checks) and V8's
 *   helper threads each leave one behind, and memory freed in an arena stays resident until its top is
 *   free. Two serve a process whose JavaScript runs on one thread.
 * - `MALLOC_MMAP_THRESHOLD_=1048576`: blocks of 1 MiB or more come from mmap and go back to the system
 *   when freed. Without it glibc raises its threshold to the size of the largest block it has given back
 *   (up to 32 MiB), and later blocks of that size stay in the arenas.
 * The broker child starts with them (broker-prefork.ts: its scrypt checks), the systemd unit gives them to
 * the daemon (`Environment=`), and the proof rig starts its daemon with them (docs/reliability.md, R9).
 * An operator's own values win.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: String(1 << 20),
};

/** `env` with the settings above added where it has none of its own. */
export function withMallocDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [k, v] of Object.entries(MALLOC_ENV)) out[k] = env[k] ?? v;
  return out;
}
