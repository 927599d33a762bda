import type { Logger } from "../shared/logger.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";
import { Hysteresis } from "./hysteresis.js";
import type { LinkHealthRegistry } from "./link-registry.js";
import type { LinkState } from "./link-state.js";
import type { ProbeResult, ProbeSpec, ReachabilityProbe } from "../ports/reachability-probe.js";

/**
 * Health of the `ip` link: the uplink's own state plus reachability probes to named hosts (the regional
 * broker's load balancer, the county's router, a public resolver), each behind its own hysteresis.
 *
 *   all probes up                      → ready
 *   some up                            → degraded   ("probe <name> failing")
 *   none up, uplink ready              → degraded   (probes blocked, but the broker answers)
 *   none up, uplink not ready          → disconnected
 *   no probes: uplink ready → ready; otherwise → unresponsive (cannot tell IP from broker faults)
 *
 * Defaults (1 s interval, 1 s timeout, down after 3, up after 2) flag a dead network within ~4 s, inside
 * the 5 s budget of reliability goal R5.
 */
export interface IpHealthOptions {
  probes: ProbeSpec[];
  /** Milliseconds between probe rounds. Default 1000. */
  intervalMs?: number;
  /** Per-probe timeout in milliseconds. Default 1000. */
  timeoutMs?: number;
  downAfter?: number;
  upAfter?: number;
  /** Name of the uplink's link in the registry. Default "upstream". */
  uplinkLink?: string;
}

/** Registry to report to, log, and the probe (the TCP/HTTP adapter in the daemon, a fake in tests). */
export interface IpHealthDeps {
  registry: LinkHealthRegistry;
  log: Logger;
  probe: ReachabilityProbe;
}

/** Name of the IP link. */
export const IP_LINK = "ip";

/** Probe loop plus uplink follower that keeps `links/ip` current. */
export class IpHealthMonitor {
  private readonly verdicts: Map<string, { hyst: Hysteresis; last: ProbeResult | undefined }>;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;
  private offRegistry: Unsubscribe | undefined;

  constructor(
    private readonly opts: IpHealthOptions,
    private readonly deps: IpHealthDeps,
  ) {
    this.verdicts = new Map(opts.probes.map((p) => [p.name, { hyst: new Hysteresis({ downAfter: opts.downAfter ?? 3, upAfter: opts.upAfter ?? 2 }), last: undefined }]));
  }

  /** Starts the probe loop and follows the uplink's state in the registry. */
  start(): void {
    if (this.timer) return;
    const uplink = this.opts.uplinkLink ?? "upstream";
    this.offRegistry = this.deps.registry.on("change", (link) => {
      if (link === uplink) this.evaluate();
    });
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.deps.log.error({ mod: "ip-health", err }, "probe round failed")), this.opts.intervalMs ?? 1000);
    this.timer.unref();
    void this.tick().catch((err: unknown) => this.deps.log.error({ mod: "ip-health", err }, "probe round failed"));
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.offRegistry?.();
  }

  /** Runs one round of probes (skipped if the previous round is still running) and re-evaluates. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const probe = this.deps.probe;
      const timeout = this.opts.timeoutMs ?? 1000;
      const results = await Promise.all(this.opts.probes.map(async (p) => [p.name, await probe(p, timeout)] as const));
      for (const [name, r] of results) {
        const v = this.verdicts.get(name);
        if (!v) continue;
        v.last = r;
        const step = v.hyst.record(r.ok);
        if (step.changed) this.deps.log.info({ mod: "ip-health", probe: name, up: step.up, detail: r.detail }, "probe verdict changed");
      }
    } finally {
      this.running = false;
    }
    this.evaluate();
  }

  private evaluate(): void {
    const uplinkState = this.deps.registry.get(this.opts.uplinkLink ?? "upstream")?.state;
    const [state, detail] = decideIpState([...this.verdicts].map(([name, v]) => ({ name, up: v.hyst.up, detail: v.last?.detail })), uplinkState);
    this.deps.registry.set(IP_LINK, state, detail);
  }
}

/** The table above as a pure function (exported for tests). */
export function decideIpState(probes: { name: string; up: boolean; detail?: string | undefined }[], uplink: LinkState | undefined): [LinkState, string] {
  const uplinkReady = uplink === "ready" || uplink === "degraded";
  if (probes.length === 0) {
    if (uplink === undefined) return ["ready", "not monitored (no probes, no uplink)"];
    return uplinkReady ? ["ready", "uplink connected"] : ["unresponsive", `uplink ${uplink}, no probes configured`];
  }
  const down = probes.filter((p) => !p.up);
  if (down.length === 0) return ["ready", `${probes.length} of ${probes.length} probes answer`];
  const names = down.map((p) => `${p.name}${p.detail ? ` (${p.detail})` : ""}`).join(", ");
  if (down.length < probes.length) return ["degraded", `probe failing: ${names}`];
  return uplinkReady ? ["degraded", `all probes failing but uplink connected: ${names}`] : ["disconnected", `no probe answers: ${names}`];
}
