/**
 * The V8 flags the daemon process runs with: `systemd/rakelgw.service` passes them on its ExecStart line
 * and the proof rig (proof/harness/rig.ts) starts the daemon with the same ones, so what the soak measures
 * is what the service runs (a unit test holds the two together).
 *
 * V8 sizes its heap from the memory it sees. Under the unit (`MemoryMax=768M`) Node reports 768 MiB and V8
 * picks a heap limit of about 396 MiB and 4 MiB young-generation semi-spaces; without a memory limit (a
 * daemon started by hand, the soak rig, CI) it sizes for the whole machine: 16 MiB semi-spaces, a limit of
 * about 4 GiB on 24 GiB, and heap reservations of up to four times the live data after a full collection
 * (the growing factor falls to at most 1.3 for a cap of 256 MiB or less). Measured in a 768 MiB cgroup and
 * without one (docs/reliability.md, R9). The flags pin the service's sizes for every start:
 * - `--max-old-space-size=256`: the daemon holds about 45 MiB of live data under soak load; 256 is five
 *   times that, below what V8 would pick under the unit, and sets the growing factor to its lowest;
 * - `--max-semi-space-size=4`: what V8 picks under the unit. The broker child gets the same
 *   (`mqtt.broker.maxSemiSpaceMb`, broker-prefork.ts);
 * - `--optimize-for-size`: V8's low-memory mode (smaller young generation, the lowest heap growing factor,
 *   full collections that compact more). With the two caps alone the soak's daemon held a steady 34 MiB
 *   of live data while its heap total kept wandering up between 50 and 56 MiB (docs/reliability.md, R9).
 *   Measured on the dispatch bench: 16 MiB less resident, about 10 % more CPU time (garbage collection 8 %
 *   of it instead of 5 %), SDS rate within 3 %; the box spends its days idle, so memory that stays flat
 *   weighs more than that CPU.
 * `npm run bench -- v8-flags` measures their cost in GC time and throughput.
 */
export const DAEMON_V8_FLAGS: readonly string[] = ["--max-old-space-size=256", "--max-semi-space-size=4", "--optimize-for-size"];
