import { backoffDelay } from "../../src/shared/backoff.js";
import { type Clock, every, sleep, systemClock } from "../../src/shared/clock.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import type { ManagedLink } from "../serial-link/managed-link.js";
import type { AtEngine } from "./at-engine.js";
import { probeCommand } from "./basic-commands.js";
import type { LinkHealth, LinkHealthState } from "./link-health.js";

/**
 * The recovery ladder for one AT device (after zwave-js `handleMissingControllerACK`), one named phase at
 * a time (`RecoveryPhase`):
 *   1. the engine retries idempotent commands once;
 *   2. after `timeoutsToUnresponsive` consecutive timeouts (or an idle heartbeat miss) the link is
 *      `unresponsive`: the queue is held and `AT` probes are sent (Probing);
 *   3. when a probe is answered the device has come back (often after a reboot, which loses the PEI
 *      routing registrations): the init profile is run again (Initialising), then the queue is released;
 *   4. after `probesBeforeReopen` failed attempts (each followed by a Backoff pause) the port is closed
 *      and reopened (Reopening);
 *   5. a closed port (unplug) is `disconnected` and reopened by the managed link; init runs on open.
 * It never gives up: every step repeats with capped, jittered backoff. All time comes from the injected
 * `Clock`.
 */
export enum RecoveryPhase {
  /** Not recovering: the device is initialised, or the link is closed and waits for "open". */
  Idle = "idle",
  /** Sending `AT` until the device answers. */
  Probing = "probing",
  /** Running the device's init profile (queue held, init commands bypass the hold). */
  Initialising = "initialising",
  /** An attempt failed; pausing before the next one. */
  Backoff = "backoff",
  /** Attempts exhausted: closing and reopening the port. */
  Reopening = "reopening",
}

/** How command echo is read (echo after `ATE0` means the device restarted behind our back). */
export enum EchoRule {
  /** Echo outside init is a restart sign. */
  RestartSign = "restart-sign",
  /** The device kept echoing through an init that turned echo off: echo means nothing. */
  Ignored = "ignored",
}

export interface LinkSupervisorOptions {
  name: string;
  log: Logger;
  link: ManagedLink;
  engine: AtEngine;
  /**
   * The device's init profile; runs with `bypassHold` while the queue is held. `answerTimeoutMs` is the
   * probe timeout as adapted to this device: quick init commands should use it rather than the profile's
   * long command timeout, so a line that loses one of them costs about a second, not five.
   */
  init: (signal: AbortSignal, timing: { answerTimeoutMs: number }) => Promise<void>;
  /** Idle heartbeat period (R6: 2 s). 0 disables it. */
  heartbeatMs?: number;
  /** Timeout of the first `AT` probe and of heartbeats (default 1 s); adapted to measured answer times. */
  probeTimeoutMs?: number;
  /** Upper bound of the adapted probe timeout (default 4 × `probeTimeoutMs`). */
  maxProbeTimeoutMs?: number;
  timeoutsToUnresponsive?: number;
  probesBeforeReopen?: number;
  /** Time source for heartbeat, backoff and waits. Default: the system clock. */
  clock?: Clock;
}

export interface LinkSupervisorEvents {
  health: (h: LinkHealth) => void;
  /** Init succeeded (first start, after reconnect, after a detected reboot). */
  ready: () => void;
  /** The recovery ladder moved to another phase. */
  phase: (p: RecoveryPhase) => void;
}

export class LinkSupervisor extends TypedEmitter<LinkSupervisorEvents> {
  private readonly clock: Clock;
  private healthValue: LinkHealth;
  private consecutiveTimeouts = 0;
  private stopHeartbeat: (() => void) | undefined;
  private phaseValue = RecoveryPhase.Idle;
  private run: Promise<void> | undefined;
  private stopped = false;
  private echoesDuringInit = 0;
  private echoRule = EchoRule.RestartSign;
  /** Why the answering device is not fit for service (e.g. not registered), or undefined. */
  private serviceProblem: string | undefined;
  private probeTimeout: ProbeTimeout;
  private readonly abort = new AbortController();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly opts: LinkSupervisorOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "supervisor listener failed"));
    this.clock = opts.clock ?? systemClock;
    this.healthValue = { state: "disconnected", since: this.clock.wallNow(), detail: "not started" };
    const base = opts.probeTimeoutMs ?? 1000;
    this.probeTimeout = new ProbeTimeout(base, opts.maxProbeTimeoutMs ?? base * 4);
    // Commands queued before the first init wait for it instead of failing on a link that is not open.
    opts.engine.hold();
  }

  get health(): LinkHealth {
    return this.healthValue;
  }

  get recoveryPhase(): RecoveryPhase {
    return this.phaseValue;
  }

  async start(): Promise<void> {
    const { link, engine } = this.opts;
    engine.hold();
    this.offs.push(
      link.on("data", (chunk) => engine.receive(chunk)),
      link.on("open", () => this.recover("link opened")),
      link.on("lost", (info) => {
        engine.linkLost();
        // Our own reopen (recovery ladder step 4) is not a missing device: the state stays "unresponsive".
        if (!info.intentional) this.setHealth("disconnected", info.error?.message ?? "link closed");
      }),
      // The attempt count stays in the log: a detail that changed with every retry would republish the
      // health state (retained on MQTT) every few seconds while a device is unplugged.
      link.on("openFailed", (err) => this.setHealth("disconnected", `open failed: ${err.message}`)),
      engine.on("timeout", (cmd) => this.onTimeout(cmd)),
      engine.on("answered", (ms, command) => this.onAnswered(ms, command)),
      engine.on("echo", () => this.onEcho()),
    );
    const hb = this.opts.heartbeatMs ?? 2000;
    if (hb > 0) this.stopHeartbeat = every(this.clock, hb, () => this.beat());
    await link.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new GatewayError("AT_ABORTED", "supervisor stopped"));
    this.stopHeartbeat?.();
    for (const off of this.offs.splice(0)) off();
    await this.opts.link.stop();
  }

  /** Resolves when the link is ready, or rejects after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void> {
    if (this.healthValue.state === "ready") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = this.clock.setTimeout(() => {
        off();
        reject(new GatewayError("LINK_NOT_OPEN", `${this.opts.name} not ready within ${timeoutMs} ms: ${this.healthValue.detail}`, { context: { health: this.healthValue.state } }));
      }, timeoutMs);
      const off = this.on("ready", () => {
        this.clock.clearTimeout(t);
        off();
        resolve();
      });
    });
  }

  /**
   * The device answers but cannot serve (a terminal out of network coverage, a modem without SIM): the
   * link is `degraded` with `detail` until the problem is cleared with `undefined`. Not used for recovery.
   */
  setServiceProblem(detail: string | undefined): void {
    if (this.serviceProblem === detail) return;
    this.serviceProblem = detail;
    if (this.phaseValue !== RecoveryPhase.Idle) return;
    const s = this.healthValue.state;
    if (detail !== undefined && (s === "ready" || s === "degraded")) this.setHealth("degraded", detail);
    else if (detail === undefined && s === "degraded") this.setHealth("ready", "answering");
  }

  private setPhase(p: RecoveryPhase): void {
    if (this.phaseValue === p) return;
    this.phaseValue = p;
    this.opts.log.debug({ phase: p }, "recovery phase");
    this.emit("phase", p);
  }

  private setHealth(state: LinkHealthState, detail: string): void {
    if (this.healthValue.state === state && this.healthValue.detail === detail) return;
    const changed = this.healthValue.state !== state;
    this.healthValue = { state, since: changed ? this.clock.wallNow() : this.healthValue.since, detail };
    // Warn when the link got worse; a detail update within the same state (e.g. "initialising") is info.
    const level = state === "ready" || !changed ? "info" : "warn";
    this.opts.log[level]({ health: state, detail }, "link health");
    this.emit("health", this.healthValue);
  }

  /** `ready`, or `degraded` while a service problem is reported. */
  private setServing(detail: string): void {
    if (this.serviceProblem !== undefined) this.setHealth("degraded", this.serviceProblem);
    else this.setHealth("ready", detail);
  }

  private onTimeout(cmd: string): void {
    this.consecutiveTimeouts++;
    if (this.phaseValue !== RecoveryPhase.Idle) return;
    const limit = this.opts.timeoutsToUnresponsive ?? 2;
    if (this.consecutiveTimeouts >= limit) {
      // Step 2 of the ladder: the link is unresponsive as soon as the limit is reached (R6: down within
      // 2 heartbeat misses), not only after the first recovery probe has failed as well.
      this.setHealth("unresponsive", `${this.consecutiveTimeouts} commands unanswered (last ${cmd})`);
      this.recover(`${this.consecutiveTimeouts} commands unanswered (last ${cmd})`);
    } else if (this.healthValue.state === "ready") this.setHealth("degraded", `${cmd} timed out`);
  }

  /**
   * Echo after init turned it off means the terminal restarted behind our back (V.250: echo is on after
   * power-up) and lost its PEI routing. A terminal that keeps echoing although ATE0 was answered OK would
   * otherwise make us re-initialise after every command, so echo is ignored when it persists through an
   * init (more echoes than the probe and ATE0 themselves).
   */
  private onEcho(): void {
    if (this.phaseValue !== RecoveryPhase.Idle) {
      this.echoesDuringInit++;
      return;
    }
    if (this.echoRule === EchoRule.Ignored) return;
    this.recover("command echo seen: device restarted");
  }

  private onAnswered(ms: number, command: string): void {
    this.consecutiveTimeouts = 0;
    // Only probes measure the device's answer time: an AT+CMGS waits for the air interface.
    if (command === probeCommand.name) this.probeTimeout.answered(ms);
    if (this.healthValue.state === "degraded" && this.phaseValue === RecoveryPhase.Idle) this.setServing("answering");
  }

  private beat(): void {
    const { engine } = this.opts;
    if (this.phaseValue !== RecoveryPhase.Idle || this.stopped || engine.isHeld || engine.queueLength > 0 || !this.opts.link.current) return;
    engine
      .execute(probeCommand, undefined, { priority: "housekeeping", timeoutMs: this.probeTimeout.ms, retries: 0 })
      .catch((err: unknown) => this.opts.log.debug({ err: (err as Error).message }, "heartbeat failed"));
  }

  /** Runs the ladder once at a time; a second trigger while recovering is absorbed. */
  private recover(reason: string): void {
    if (this.stopped || this.run) return;
    this.setPhase(RecoveryPhase.Probing);
    this.run = this.runRecovery(reason).finally(() => {
      this.run = undefined;
      this.setPhase(RecoveryPhase.Idle);
    });
  }

  private async runRecovery(reason: string): Promise<void> {
    const { engine, link, log } = this.opts;
    engine.hold();
    log.info({ reason }, "initialising device");
    this.setHealth(this.healthValue.state === "ready" ? "degraded" : this.healthValue.state, `initialising: ${reason}`);
    this.echoesDuringInit = 0;
    for (let attempt = 0; !this.stopped; attempt++) {
      if (!link.current) return; // the managed link reopens and triggers us again on "open"
      if (attempt > 0) this.setHealth("unresponsive", `${reason}; recovery attempt ${attempt}`);
      try {
        this.setPhase(RecoveryPhase.Probing);
        // A new process on the port may find the device still waiting for the body of a message its
        // predecessor began (kill -9 during AT+CMGS): without this the first probe is swallowed as that
        // body and times out, and the device is ready seconds later than it could be (crash proof: 4 s).
        // Not awaited: a write that hangs on a dead port must not hold recovery; the probe's own timeout
        // (written after it, in order) says the device is not answering.
        if (attempt === 0) void engine.cancelPendingBody().catch(() => undefined);
        await this.probe();
        this.setPhase(RecoveryPhase.Initialising);
        await this.opts.init(this.abort.signal, { answerTimeoutMs: this.probeTimeout.ms });
        this.consecutiveTimeouts = 0;
        this.echoRule = this.echoesDuringInit > 2 ? EchoRule.Ignored : EchoRule.RestartSign;
        if (this.echoRule === EchoRule.Ignored) log.warn({ echoes: this.echoesDuringInit }, "device keeps echoing after ATE0; echo is no longer taken as a restart sign");
        this.setPhase(RecoveryPhase.Idle);
        this.setServing("initialised");
        engine.release();
        this.emit("ready");
        return;
      } catch (err) {
        if (this.stopped) return;
        log.warn({ err: (err as Error).message, attempt, phase: this.phaseValue }, "device initialisation failed");
        if (isGatewayError(err, ["LINK_LOST", "LINK_NOT_OPEN"])) return;
        if (attempt + 1 >= (this.opts.probesBeforeReopen ?? 3)) {
          this.setPhase(RecoveryPhase.Reopening);
          this.setHealth("unresponsive", `no answer after ${attempt + 1} attempts; reopening port`);
          await link.reopen("device not answering");
          // The reopened link's "open" event fired inside reopen() while this run still counted as
          // recovering, so it was absorbed; returning here left the queue held for good. Carry on with a
          // fresh ladder on the new link (the loop returns if the reopen failed; "open" will call us again).
          attempt = -1;
          continue;
        }
        this.setPhase(RecoveryPhase.Backoff);
        // Cut short by stop(): no timer may keep a stopped gateway's process alive.
        await sleep(backoffDelay(attempt, { baseMs: 500, capMs: 5000, minMs: 200 }), this.abort.signal, this.clock).catch(() => undefined);
      }
    }
  }

  private async probe(): Promise<void> {
    const { engine } = this.opts;
    // ftl/tetra-pei ClearSyntaxErrors: partial input left in the terminal's buffer makes the first answers
    // `+CME ERROR: 35`; send AT until it answers OK (at most 3 tries).
    for (let i = 0; ; i++) {
      try {
        await engine.execute(probeCommand, undefined, { bypassHold: true, priority: "emergency", timeoutMs: this.probeTimeout.ms, retries: 0 });
        return;
      } catch (err) {
        // A slow device (or a serial-over-TCP port server) is given longer on the next try.
        if (isGatewayError(err, ["AT_TIMEOUT"])) this.probeTimeout.missed();
        if (!isGatewayError(err, ["AT_CME_ERROR", "AT_ERROR"]) || i >= 2) throw err;
      }
    }
  }
}

/**
 * The probe timeout, adapted to the device: it doubles after a missed probe (up to `max`) and follows the
 * slowest of the recent answers (× 3, never below the configured base), so a terminal that takes 1.5 s
 * per answer comes up and stays up while a fast one is still found dead within the configured time.
 */
export class ProbeTimeout {
  private current: number;
  private readonly recent: number[] = [];

  constructor(
    private readonly base: number,
    private readonly max: number,
  ) {
    this.current = base;
  }

  get ms(): number {
    return this.current;
  }

  missed(): void {
    this.current = Math.min(this.max, this.current * 2);
  }

  answered(ms: number): void {
    this.recent.push(ms);
    if (this.recent.length > 16) this.recent.shift();
    this.current = Math.min(this.max, Math.max(this.base, Math.ceil(Math.max(...this.recent) * 3)));
  }
}
