/**
 * What the link-health core needs to tell whether the IP network works: one reachability probe to a named
 * host. The TCP/HTTP implementation is in `adapters/net-probes/`; tests inject their own. A probe resolves
 * (never rejects) with ok/detail within its timeout, so a monitor loop treats every failure the same way.
 */
export type ProbeSpec =
  | { kind: "tcp"; name: string; host: string; port: number }
  | { kind: "http"; name: string; url: string };

/** Outcome of one probe. */
export interface ProbeResult {
  ok: boolean;
  /** e.g. "connected in 12 ms", "ECONNREFUSED", "timeout after 1000 ms", "HTTP 503". */
  detail: string;
}

/** Runs one probe, bounded by `timeoutMs`. */
export type ReachabilityProbe = (spec: ProbeSpec, timeoutMs: number) => Promise<ProbeResult>;
