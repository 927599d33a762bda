import { backoffDelay } from "../../src/shared/backoff.js";
import { sleep } from "../../src/shared/clock.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import type { ManagedLink } from "../serial-link/managed-link.js";
import type { AtEngine } from "./at-engine.js";
import { probeCommand } from "./basic-commands.js";
import type { LinkHealth, LinkHealthState } from "./link-health.js";

/**
 * The recovery ladder for one AT device (after zwave-js `handleMissingControllerACK`):
 *   1. the engine retries idempotent commands once;
 *   2. after `timeoutsToUnresponsive` consecutive timeouts (or an idle heartbeat miss) the link is
 *      `unresponsive`: the queue is held and `AT` probes are sent;
 *   3. when a probe is answered the device has come back (often after a reboot, which loses the PEI
 *      routing registrations): the init profile is run again, then the queue is released;
 *   4. after `probesBeforeReopen` unanswered probes the port is closed and reopened with backoff;
 *   5. a closed port (unplug) is `disconnected` and reopened by the managed link; init runs on open.
 * It never gives up: every step repeats with capped, jittered backoff.
 */
export interface LinkSupervisorOptions {
  name: string;
  log: Logger;
  link: ManagedLink;
  engine: AtEngine;
  /** The device's init profile; runs with `bypassHold` while the queue is held. */
  init: (signal: AbortSignal) => Promise<void>;
  /** Idle heartbeat period (R6: 2 s). 0 disables it. */
  heartbeatMs?: number;
  probeTimeoutMs?: number;
  timeoutsToUnresponsive?: number;
  probesBeforeReopen?: number;
}

export interface LinkSupervisorEvents {
  health: (h: LinkHealth) => void;
  /** Init succeeded (first start, after reconnect, after a detected reboot). */
  ready: () => void;
}

export class LinkSupervisor extends TypedEmitter<LinkSupervisorEvents> {
  private healthValue: LinkHealth = { state: "disconnected", since: new Date(), detail: "not started" };
  private consecutiveTimeouts = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private recovering: Promise<void> | undefined;
  private stopped = false;
  private echoesDuringInit = 0;
  private echoPersists = false;
  private readonly abort = new AbortController();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly opts: LinkSupervisorOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "supervisor listener failed"));
    // Commands queued before the first init wait for it instead of failing on a link that is not open.
    opts.engine.hold();
  }

  get health(): LinkHealth {
    return this.healthValue;
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
      engine.on("answered", () => this.onAnswered()),
      engine.on("echo", () => this.onEcho()),
    );
    const hb = this.opts.heartbeatMs ?? 2000;
    if (hb > 0) this.heartbeat = setInterval(() => this.beat(), hb);
    await link.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new GatewayError("AT_ABORTED", "supervisor stopped"));
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const off of this.offs.splice(0)) off();
    await this.opts.link.stop();
  }

  /** Resolves when the link is ready, or rejects after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void> {
    if (this.healthValue.state === "ready") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new GatewayError("LINK_NOT_OPEN", `${this.opts.name} not ready within ${timeoutMs} ms: ${this.healthValue.detail}`, { context: { health: this.healthValue.state } }));
      }, timeoutMs);
      const off = this.on("ready", () => {
        clearTimeout(t);
        off();
        resolve();
      });
    });
  }

  private setHealth(state: LinkHealthState, detail: string): void {
    if (this.healthValue.state === state && this.healthValue.detail === detail) return;
    const changed = this.healthValue.state !== state;
    this.healthValue = { state, since: changed ? new Date() : this.healthValue.since, detail };
    // Warn when the link got worse; a detail update within the same state (e.g. "initialising") is info.
    const level = state === "ready" || !changed ? "info" : "warn";
    this.opts.log[level]({ health: state, detail }, "link health");
    this.emit("health", this.healthValue);
  }

  private onTimeout(cmd: string): void {
    this.consecutiveTimeouts++;
    if (this.recovering) return;
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
   * otherwise make us re-initialise after every command, so echo stops counting as a restart sign when it
   * persists through an init (more echoes than the probe and ATE0 themselves).
   */
  private onEcho(): void {
    if (this.recovering) {
      this.echoesDuringInit++;
      return;
    }
    if (this.echoPersists) return;
    this.recover("command echo seen: device restarted");
  }

  private onAnswered(): void {
    this.consecutiveTimeouts = 0;
    if (this.healthValue.state === "degraded" && !this.recovering) this.setHealth("ready", "answering");
  }

  private beat(): void {
    const { engine } = this.opts;
    if (this.recovering || this.stopped || engine.isHeld || engine.queueLength > 0 || !this.opts.link.current) return;
    engine
      .execute(probeCommand, undefined, { priority: "housekeeping", timeoutMs: this.opts.probeTimeoutMs ?? 1000, retries: 0 })
      .catch((err: unknown) => this.opts.log.debug({ err: (err as Error).message }, "heartbeat failed"));
  }

  /** Runs the ladder once at a time; a second trigger while recovering is absorbed. */
  private recover(reason: string): void {
    if (this.stopped || this.recovering) return;
    this.recovering = this.runRecovery(reason).finally(() => (this.recovering = undefined));
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
        await this.probe();
        await this.opts.init(this.abort.signal);
        this.consecutiveTimeouts = 0;
        this.echoPersists = this.echoesDuringInit > 2;
        if (this.echoPersists) log.warn({ echoes: this.echoesDuringInit }, "device keeps echoing after ATE0; echo is no longer taken as a restart sign");
        this.setHealth("ready", "initialised");
        engine.release();
        this.emit("ready");
        return;
      } catch (err) {
        if (this.stopped) return;
        log.warn({ err: (err as Error).message, attempt }, "device initialisation failed");
        if (isGatewayError(err, ["LINK_LOST", "LINK_NOT_OPEN"])) return;
        if (attempt + 1 >= (this.opts.probesBeforeReopen ?? 3)) {
          this.setHealth("unresponsive", `no answer after ${attempt + 1} attempts; reopening port`);
          await link.reopen("device not answering");
          // The reopened link's "open" event fired inside reopen() while this run still counted as
          // recovering, so it was absorbed; returning here left the queue held for good. Carry on with a
          // fresh ladder on the new link (the loop returns if the reopen failed; "open" will call us again).
          attempt = -1;
          continue;
        }
        // Cut short by stop(): no timer may keep a stopped gateway's process alive.
        await sleep(backoffDelay(attempt, { baseMs: 500, capMs: 5000, minMs: 200 }), this.abort.signal).catch(() => undefined);
      }
    }
  }

  private async probe(): Promise<void> {
    const { engine } = this.opts;
    // ftl/tetra-pei ClearSyntaxErrors: partial input left in the terminal's buffer makes the first answers
    // `+CME ERROR: 35`; send AT until it answers OK (at most 3 tries).
    for (let i = 0; ; i++) {
      try {
        await engine.execute(probeCommand, undefined, { bypassHold: true, priority: "emergency", timeoutMs: this.opts.probeTimeoutMs ?? 1000, retries: 0 });
        return;
      } catch (err) {
        if (!isGatewayError(err, ["AT_CME_ERROR", "AT_ERROR"]) || i >= 2) throw err;
      }
    }
  }
}

