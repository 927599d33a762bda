import type { TalkgroupReader } from "../ports/talkgroup-reader.js";
import { systemClock, type Clock, type TimerHandle } from "../shared/clock.js";
import { GatewayError, isGatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { Mutex } from "../shared/mutex.js";
import { TypedEmitter } from "../shared/typed-emitter.js";
import type { TalkgroupCheckReport } from "./check-report.js";
import { runTalkgroupCheck, type RequestedMethod, type RunCheckOptions } from "./check-runner.js";
import type { TalkgroupCheckStore } from "./check-store.js";
import { nextDailyRun, parseDailyTime, type DailyTime } from "./daily-schedule.js";
import type { TalkgroupPlan } from "./plan-schema.js";

/**
 * Talk-group checks in the daemon: on demand (the MQTT verb `talkgroups/check`) and on a daily schedule, for
 * several terminals. Checks of one terminal run one at a time; different terminals run independently. A
 * scheduled check never starts while the terminal is in a call: it is postponed and, after `maxPostponeMs`,
 * skipped for the day. Every result is stored, then emitted (`result`) for the retained
 * `<base>/talkgroups/<terminal>/check` topic.
 */

/** A plan, or a function giving the current one (so an edited plan file is picked up without a restart). */
export type PlanSource = TalkgroupPlan | (() => TalkgroupPlan | Promise<TalkgroupPlan>);

/** One terminal the service checks. */
export interface TerminalCheckConfig {
  /** Terminal id: store key and MQTT topic segment. */
  id: string;
  reader: TalkgroupReader;
  plan: PlanSource;
  role?: string;
  method?: RequestedMethod;
  /** Daily check at this local time, `HH:MM`. */
  schedule?: string;
}

/** An on-demand check (the MQTT `talkgroups/check` payload, minus transaction and terminal). */
export interface CheckRequest {
  /** Plan name, resolved with `resolvePlan`; the terminal's plan when absent. */
  plan?: string;
  method?: RequestedMethod;
  role?: string;
}

/** Dependencies and policy of {@link TalkgroupCheckService}. */
export interface TalkgroupCheckServiceOptions {
  store: TalkgroupCheckStore;
  log: Logger;
  clock?: Clock;
  /** Resolves a plan name from a request (e.g. `loadPlan(name).plan`). */
  resolvePlan?: (name: string) => TalkgroupPlan | Promise<TalkgroupPlan>;
  /** Retry period while a scheduled check waits for a call to end. Default 5 min. */
  postponeMs?: number;
  /** Give up on today's scheduled check after this long. Default 2 h. */
  maxPostponeMs?: number;
  /** Passed to every check (timeouts, tuning). */
  checkOptions?: Pick<RunCheckOptions, "timeoutMs" | "restoreTimeoutMs" | "tuning" | "currentModeOnly">;
}

/** `result` after every stored check; `skipped` when a scheduled check gave up waiting for a call; `error` when a scheduled check failed or a result could not be stored. */
export interface TalkgroupCheckServiceEvents {
  result: (terminalId: string, report: TalkgroupCheckReport, trigger: "request" | "schedule") => void;
  skipped: (terminalId: string, reason: string) => void;
  error: (terminalId: string, err: unknown) => void;
}

interface TerminalEntry {
  cfg: TerminalCheckConfig;
  daily: DailyTime | undefined;
  lock: Mutex;
  timer: TimerHandle | undefined;
  running: AbortController | undefined;
  last: TalkgroupCheckReport | undefined;
}

/** Talk-group checks for several terminals, on demand and daily; see the file comment. */
export class TalkgroupCheckService extends TypedEmitter<TalkgroupCheckServiceEvents> {
  private readonly entries = new Map<string, TerminalEntry>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private started = false;
  private stopped = false;

  constructor(private readonly o: TalkgroupCheckServiceOptions) {
    super((err, ev) => o.log.error({ err, ev }, "talkgroup service listener failed"));
    this.clock = o.clock ?? systemClock;
    this.log = o.log.child({ mod: "talkgroups" });
  }

  /** Adds (or replaces) a terminal; its schedule starts at once if the service runs. */
  addTerminal(cfg: TerminalCheckConfig): void {
    const daily = cfg.schedule === undefined ? undefined : parseDailyTime(cfg.schedule);
    this.removeTerminal(cfg.id);
    const entry: TerminalEntry = { cfg, daily, lock: new Mutex(), timer: undefined, running: undefined, last: undefined };
    this.entries.set(cfg.id, entry);
    if (this.started) this.arm(entry);
  }

  removeTerminal(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
    e.running?.abort();
    this.entries.delete(id);
  }

  terminals(): string[] {
    return [...this.entries.keys()];
  }

  /** The last result of this service run (not the store's). */
  lastResult(id: string): TalkgroupCheckReport | undefined {
    return this.entries.get(id)?.last;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of this.entries.values()) this.arm(e);
  }

  /** Cancels timers and running checks (their restore still runs) and waits for them to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    const pending: Promise<unknown>[] = [];
    for (const e of this.entries.values()) {
      if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
      e.timer = undefined;
      e.running?.abort();
      pending.push(e.lock.run(() => Promise.resolve()));
    }
    await Promise.all(pending);
  }

  /** Runs a check now (queued behind a running one of the same terminal), stores and emits it. */
  checkNow(id: string, req: CheckRequest = {}): Promise<TalkgroupCheckReport> {
    return this.run(id, req, "request");
  }

  private run(id: string, req: CheckRequest, trigger: "request" | "schedule"): Promise<TalkgroupCheckReport> {
    const e = this.entries.get(id);
    if (!e) return Promise.reject(new GatewayError("TG_UNKNOWN_TERMINAL", `no terminal "${id}" (known: ${this.terminals().join(", ") || "none"})`, { context: { terminal: id } }));
    return e.lock.run(async () => {
      if (this.stopped) throw new GatewayError("AT_ABORTED", "talk-group service stopped");
      const plan = await this.planFor(e, req);
      const ctl = new AbortController();
      e.running = ctl;
      try {
        const report = await runTalkgroupCheck({ ...this.o.checkOptions, reader: e.cfg.reader, plan, log: this.log, clock: this.clock, method: req.method ?? e.cfg.method ?? "auto", role: req.role ?? e.cfg.role, signal: ctl.signal });
        e.last = report;
        await this.o.store.append(id, report).catch((err: unknown) => {
          this.log.error({ terminal: id, err: (err as Error).message }, "talkgroup check not stored");
          this.emit("error", id, err);
        });
        this.emit("result", id, report, trigger);
        return report;
      } finally {
        e.running = undefined;
      }
    });
  }

  private async planFor(e: TerminalEntry, req: CheckRequest): Promise<TalkgroupPlan> {
    if (req.plan !== undefined) {
      if (!this.o.resolvePlan) throw new GatewayError("CFG_INVALID", "this gateway cannot load plans by name");
      return this.o.resolvePlan(req.plan);
    }
    return typeof e.cfg.plan === "function" ? e.cfg.plan() : e.cfg.plan;
  }

  private arm(e: TerminalEntry, at?: Date, firstDue?: Date): void {
    if (!e.daily || this.stopped) return;
    const when = at ?? nextDailyRun(this.clock.wallNow(), e.daily);
    const delay = Math.max(0, when.getTime() - this.clock.wallNow().getTime());
    e.timer = this.clock.setTimeout(() => void this.onDue(e, firstDue ?? when), delay);
    this.log.debug({ terminal: e.cfg.id, at: when.toISOString() }, "talkgroup check scheduled");
  }

  /** A scheduled check is due: run it unless a call is active, in which case wait (bounded) for the call to end. */
  private async onDue(e: TerminalEntry, due: Date): Promise<void> {
    e.timer = undefined;
    if (this.stopped || this.entries.get(e.cfg.id) !== e) return;
    const waited = this.clock.wallNow().getTime() - due.getTime();
    if (e.cfg.reader.isCallActive()) {
      if (waited + (this.o.postponeMs ?? 300_000) > (this.o.maxPostponeMs ?? 7_200_000)) {
        this.skip(e, "a call was active the whole time the check was allowed to wait");
        return this.arm(e);
      }
      this.log.info({ terminal: e.cfg.id }, "scheduled talkgroup check postponed: call active");
      return this.arm(e, new Date(this.clock.wallNow().getTime() + (this.o.postponeMs ?? 300_000)), due);
    }
    try {
      await this.run(e.cfg.id, {}, "schedule");
    } catch (err) {
      if (isGatewayError(err, "TG_CALL_ACTIVE")) {
        this.arm(e, new Date(this.clock.wallNow().getTime() + (this.o.postponeMs ?? 300_000)), due);
        return;
      }
      this.log.error({ terminal: e.cfg.id, err: (err as Error).message }, "scheduled talkgroup check failed");
      this.emit("error", e.cfg.id, err);
    }
    this.arm(e);
  }

  private skip(e: TerminalEntry, reason: string): void {
    this.log.warn({ terminal: e.cfg.id, reason }, "scheduled talkgroup check skipped");
    this.emit("skipped", e.cfg.id, reason);
  }
}
