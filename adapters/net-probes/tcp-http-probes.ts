import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { ProbeResult, ProbeSpec, ReachabilityProbe } from "../../src/ports/reachability-probe.js";

/**
 * The reachability probes of the `ip` link (the ReachabilityProbe port). Each resolves (never rejects) with ok/detail so a monitor loop can
 * treat every failure the same way. Both are bounded by `timeoutMs`: a black-holed route must count as a
 * failure within one probe interval, not after the kernel's ~2 min TCP SYN retries (Linux tcp_syn_retries=6).
 */
/** Runs one probe of either kind. */
export const runProbe: ReachabilityProbe = (spec: ProbeSpec, timeoutMs: number): Promise<ProbeResult> => {
  switch (spec.kind) {
    case "tcp":
      return tcpProbe(spec.host, spec.port, timeoutMs);
    case "http":
      return httpProbe(spec.url, timeoutMs);
  }
};

/** Opens and closes a TCP connection. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect({ host, port });
    const done = (r: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `timeout after ${timeoutMs} ms` }), timeoutMs);
    socket.once("connect", () => done({ ok: true, detail: `connected in ${Math.round(performance.now() - t0)} ms` }));
    socket.once("error", (err: NodeJS.ErrnoException) => done({ ok: false, detail: err.code ?? err.message }));
  });
}

/** HTTP(S) GET; any status below 500 counts as reachable (a 404 still proves the path works). */
export function httpProbe(url: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    const timers: { hard?: ReturnType<typeof setTimeout> } = {};
    const finish = (r: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timers.hard);
      resolve(r);
    };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      finish({ ok: false, detail: "bad url" });
      return;
    }
    const req = (parsed.protocol === "https:" ? httpsRequest : httpRequest)(parsed, { method: "GET", timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      finish({ ok: status > 0 && status < 500, detail: `HTTP ${status}` });
      req.destroy();
    });
    // `timeout` is an idle timer; the hard timer bounds a server that trickles bytes.
    timers.hard = setTimeout(() => {
      finish({ ok: false, detail: `timeout after ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.once("timeout", () => {
      finish({ ok: false, detail: `timeout after ${timeoutMs} ms` });
      req.destroy();
    });
    req.once("error", (err: NodeJS.ErrnoException) => finish({ ok: false, detail: err.code ?? err.message }));
    req.end();
  });
}
