import { existsSync, readFileSync } from "node:fs";

/** One line of the daemon probe's event-loop file. */
export interface LagSample {
  t: number;
  pid: number;
  p99: number;
  max: number;
  totalP99: number;
  rssKiB: number;
}

export function readLag(file: string): LagSample[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LagSample);
}
