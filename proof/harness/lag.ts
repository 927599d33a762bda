import { existsSync, readFileSync } from "node:fs";

/** One line of the daemon probe's event-loop file (proof/harness/daemon-probe.mjs), one per process. */
export interface LagSample {
  t: number;
  pid: number;
  /** Absent in files written before the probe reached the broker child. */
  ppid?: number;
  role?: "daemon" | "child";
  p99: number;
  max: number;
  totalP99: number;
  rssKiB: number;
  heapUsedKiB?: number;
  heapTotalKiB?: number;
  externalKiB?: number;
  mallocedKiB?: number;
  /** Size V8 reserves per heap space ("new", "old", "code", "large_object", …); absent in older files. */
  spacesKiB?: Record<string, number>;
}

export function readLag(file: string): LagSample[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LagSample);
}

/** The lines of the daemon `pid` and those of its broker child (or children, across broker restarts). */
export function splitByProcess(lines: readonly LagSample[], daemonPid: number | undefined): { daemon: LagSample[]; child: LagSample[] } {
  return {
    daemon: lines.filter((l) => l.pid === daemonPid),
    child: lines.filter((l) => l.role === "child" && l.ppid === daemonPid),
  };
}
