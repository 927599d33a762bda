/**
 * The V8 flags the daemon process runs with: `systemd/rakelgw.service` passes them on its ExecStart line
 * and the proof rig (proof/harness/rig.ts) starts the daemon with the same ones, so what the soak measures
 * is what the service runs (a unit test holds the two together).
 *
 * - `--max-old-space-size=256`: besides the cap, V8 picks the heap growing factor from it. Without a cap
 *   (a limit of 2 GiB or more on a machine of this size) V8 may reserve up to 4× the live data after a
 *   full collection; with a cap at or below 256 MiB the factor is at most 1.3. In the 2.4-hour soak the
 *   uncapped daemon's heap total rose 10 MiB for 4 MiB more live data (docs/reliability.md, R9). The daemon
 *   holds about 45 MiB of live data under soak load, so 256 leaves more than five times that.
 * - `--max-semi-space-size=8`: each of the young generation's two semi-spaces grows to 16 MiB by default
 *   on 64-bit and both stay resident; 8 halves that for a process that allocates at most a few MiB/s
 *   (GC cost measured by `npm run bench`). The broker child gets the same (broker-prefork.ts).
 */
export const DAEMON_V8_FLAGS: readonly string[] = ["--max-old-space-size=256", "--max-semi-space-size=8"];
