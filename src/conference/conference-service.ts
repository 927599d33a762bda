import type { CallEvent, ConferenceBridge } from "../ports/conference-bridge.js";
import { backoffDelay } from "../shared/backoff.js";
import { type Clock, type TimerHandle, systemClock } from "../shared/clock.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";
import { classifyCloseReason, isRetryable } from "./call-outcome.js";
import type { ConferenceConfig } from "./conference-config.js";
import type { ConferenceRegistry } from "./conference-registry.js";
import type { ConferenceStateJson, ConferenceStateName } from "./conference-state.js";
import type { DialStep } from "./dial-string.js";
import { readPin } from "./pin-source.js";

/**
 * Joins and leaves telephone conferences through a ConferenceBridge (one line per conference):
 *
 *   idle ─join─► dialling ─answer, pinDelayMs, PIN─► in-conference ─far end hangs up─► ended ─(wanted)─► dialling
 *                  │ busy / no answer: retry with backoff, bounded        │ leave ─► idle
 *                  └─ gives up or refused ─► failed (detail: the SIP reason)
 *
 * At most `maxSimultaneous` conferences are wanted at once (default 2, capability 2:6); a further join is
 * refused with SIP_CONFERENCE_LIMIT. While a conference with a talk group is in-conference, its patch (floor
 * policy) runs; it is stopped, and the terminal de-keyed, whenever the conference leaves that state.
 * The PIN is read at each join and lives only in the leg; it is never logged or published.
 */
export interface RetryPolicy {
  /** Attempts per join (the first included). */
  attempts: number;
  baseMs: number;
  capMs: number;
}

/** A running talk-group patch of one conference (see floor-policy.ts). */
export interface ConferencePatch {
  readonly talkgroup: string;
  start(): Promise<void>;
  /** De-keys and stops following the floor; never throws. */
  stop(): Promise<void>;
  phoneSpeech(active: boolean): void;
}

export interface ConferenceServiceDeps {
  bridge: ConferenceBridge;
  registry: ConferenceRegistry;
  log: Logger;
  publish: (state: ConferenceStateJson) => void;
  /** Who this gateway is in `participants` (the site name). Default "gateway". */
  site?: string;
  clock?: Clock;
  maxSimultaneous?: number;
  /** Ringing longer than this counts as no answer. Default 30 s. */
  answerTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Pause for each ',' in a PIN. Default 1000 ms. */
  pauseMs?: number;
  /** Gap between DTMF keys. Default 250 ms. */
  interDigitMs?: number;
  /** Wait before rejoining after the far end hung up. Default 2000 ms. */
  rejoinDelayMs?: number;
  /** A call that lasted this long resets the rejoin count. Default 60 s. */
  stableMs?: number;
  /** Builds the patch of a conference with a talk group; absent: no patching (no terminal). */
  patchFor?: (conference: ConferenceConfig) => ConferencePatch | undefined;
  random?: () => number;
  env?: NodeJS.ProcessEnv;
}

interface Leg {
  config: ConferenceConfig;
  state: ConferenceStateName;
  since: Date;
  detail: string | undefined;
  wanted: boolean;
  attempt: number;
  rejoins: number;
  pin: DialStep[];
  callId: string | undefined;
  inCall: boolean;
  establishedAt: number | undefined;
  timer: TimerHandle | undefined;
  /** Bumped whenever the leg's call changes; stale PIN sends and timers check it. */
  epoch: number;
  patch: ConferencePatch | undefined;
  /** Calls we hung up ourselves; their late `closed` events must not count against the next attempt. */
  abandoned: Set<string>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseMs: 2000, capMs: 20000 };

export class ConferenceService {
  private readonly legs = new Map<string, Leg>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly offs: Unsubscribe[] = [];
  private stopped = false;

  constructor(private readonly deps: ConferenceServiceDeps) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log.child({ mod: "conference" });
    for (const c of deps.registry.all()) {
      this.legs.set(c.id, { config: c, state: "idle", since: this.clock.wallNow(), detail: undefined, wanted: false, attempt: 0, rejoins: 0, pin: [], callId: undefined, inCall: false, establishedAt: undefined, timer: undefined, epoch: 0, patch: undefined, abandoned: new Set() });
    }
    this.offs.push(deps.bridge.on("call", (e) => this.onCall(e)));
    this.offs.push(deps.bridge.on("health", (h) => this.onHealth(h.state === "ready", h.detail)));
  }

  /** Publishes the initial (idle) state of every configured conference. */
  publishAll(): void {
    for (const leg of this.legs.values()) this.deps.publish(this.json(leg));
  }

  status(): ConferenceStateJson[] {
    return [...this.legs.values()].map((l) => this.json(l));
  }

  get(id: string): ConferenceStateJson {
    return this.json(this.leg(id));
  }

  /** Starts joining; resolves with the state at once (progress follows on the retained topic). */
  join(id: string): ConferenceStateJson {
    const leg = this.leg(id);
    if (this.stopped) throw new GatewayError("SIP_AGENT_DOWN", "the conference service is stopping");
    if (leg.wanted) return this.json(leg);
    const max = this.deps.maxSimultaneous ?? 2;
    const active = [...this.legs.values()].filter((l) => l.wanted).map((l) => l.config.id);
    if (active.length >= max) {
      throw new GatewayError("SIP_CONFERENCE_LIMIT", `already in ${active.length} conference(s) (${active.join(", ")}); at most ${max} at once: leave one first`, { context: { limit: max, active } });
    }
    leg.pin = readPin(leg.config.id, leg.config.pin, this.deps.env);
    leg.wanted = true;
    leg.attempt = 0;
    leg.rejoins = 0;
    this.log.info({ conference: id, event: "join" }, "conference join requested");
    this.dial(leg);
    return this.json(leg);
  }

  /** Leaves (hangs up, de-keys the patch); resolves once the agent took the hang-up. */
  async leave(id: string): Promise<ConferenceStateJson> {
    const leg = this.leg(id);
    this.log.info({ conference: id, event: "leave" }, "conference leave requested");
    leg.wanted = false;
    leg.pin = [];
    await this.endCall(leg, "left");
    this.setState(leg, "idle", "left");
    return this.json(leg);
  }

  /** Leaves every conference and de-keys every patch. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.offs.splice(0)) off();
    for (const leg of this.legs.values()) {
      if (leg.wanted || leg.inCall || leg.patch) await this.leave(leg.config.id).catch((err: unknown) => this.log.warn({ err, conference: leg.config.id }, "leave at shutdown failed"));
    }
  }

  private leg(id: string): Leg {
    const leg = this.legs.get(id);
    if (!leg) this.deps.registry.get(id); // throws SIP_UNKNOWN_CONFERENCE
    return leg!;
  }

  private json(leg: Leg): ConferenceStateJson {
    return {
      id: leg.config.id,
      name: leg.config.name,
      state: leg.state,
      since: leg.since.toISOString(),
      ...(leg.detail !== undefined ? { detail: leg.detail } : {}),
      ...(leg.patch ? { patchedTalkgroup: leg.patch.talkgroup } : {}),
      participants: leg.state === "in-conference" ? [{ who: this.deps.site ?? "gateway", since: leg.since.toISOString() }] : [],
    };
  }

  private setState(leg: Leg, state: ConferenceStateName, detail: string | undefined): void {
    if (leg.state === state && leg.detail === detail) return;
    if (leg.state !== state) leg.since = this.clock.wallNow();
    leg.state = state;
    leg.detail = detail;
    this.log.info({ conference: leg.config.id, state, detail }, "conference state");
    this.deps.publish(this.json(leg));
  }

  private clearTimer(leg: Leg): void {
    if (leg.timer !== undefined) this.clock.clearTimeout(leg.timer);
    leg.timer = undefined;
  }

  private dial(leg: Leg): void {
    this.clearTimer(leg);
    const epoch = ++leg.epoch;
    leg.attempt++;
    leg.callId = undefined;
    leg.establishedAt = undefined;
    const retry = this.deps.retry ?? DEFAULT_RETRY;
    const of = `attempt ${leg.attempt}/${retry.attempts}`;
    if (this.deps.bridge.health.state !== "ready") {
      leg.attempt--;
      this.setState(leg, "dialling", `waiting for the SIP agent (${this.deps.bridge.health.detail})`);
      return; // onHealth(ready) dials
    }
    this.setState(leg, "dialling", of);
    leg.inCall = true;
    this.deps.bridge.dial(leg.config.id, leg.config.uri).then(
      () => {
        // The answer can arrive before the agent acknowledges the dial command: no answer timer then.
        if (leg.epoch !== epoch || leg.establishedAt !== undefined) return;
        leg.timer = this.clock.setTimeout(() => {
          if (leg.epoch !== epoch) return;
          void this.deps.bridge.hangup(leg.config.id).catch(() => undefined);
          this.attemptFailed(leg, `no answer within ${Math.round((this.deps.answerTimeoutMs ?? 30000) / 1000)} s`);
        }, this.deps.answerTimeoutMs ?? 30000);
      },
      (err: unknown) => {
        if (leg.epoch !== epoch) return;
        this.attemptFailed(leg, err instanceof Error ? err.message : String(err));
      },
    );
  }

  /** One attempt failed with `reason`: retry with backoff while allowed, else failed. */
  private attemptFailed(leg: Leg, reason: string): void {
    this.dropCall(leg, true);
    if (!leg.wanted) return;
    const retry = this.deps.retry ?? DEFAULT_RETRY;
    const outcome = classifyCloseReason(reason);
    if (!isRetryable(outcome) || leg.attempt >= retry.attempts) {
      leg.wanted = false;
      leg.pin = [];
      this.setState(leg, "failed", reason);
      return;
    }
    const delay = backoffDelay(leg.attempt - 1, { baseMs: retry.baseMs, capMs: retry.capMs, minMs: retry.baseMs, ...(this.deps.random ? { random: this.deps.random } : {}) });
    this.setState(leg, "dialling", `${outcome}: ${reason}; retry ${leg.attempt + 1}/${retry.attempts} in ${Math.round(delay / 100) / 10} s`);
    leg.timer = this.clock.setTimeout(() => this.dial(leg), delay);
  }

  private onCall(e: CallEvent): void {
    const leg = this.legs.get(e.line);
    if (!leg) return;
    switch (e.kind) {
      case "ringing":
        if (!leg.inCall || leg.abandoned.has(e.callId)) return;
        leg.callId = e.callId;
        return this.setState(leg, "dialling", `ringing (attempt ${leg.attempt})`);
      case "established":
        if (!leg.inCall || leg.abandoned.has(e.callId)) return;
        leg.callId = e.callId;
        leg.establishedAt = this.clock.now();
        this.clearTimer(leg);
        this.setState(leg, "dialling", "answered; sending PIN");
        void this.sendPin(leg, leg.epoch);
        return;
      case "closed":
        return this.onClosed(leg, e.reason, e.callId);
      case "speech":
        leg.patch?.phoneSpeech(e.active);
        return;
      case "incoming":
        return; // conferences are dialled out; incoming calls are left to ring out
    }
  }

  /**
   * Forgets the leg's current call: its answer or retry timer is cleared, and its PIN send and timers stop
   * acting (the epoch moves on). `abandon`: its late events are ignored by call id as well. endCall does
   * the same in another order on purpose: the leg stays in the call until its patch is stopped and the
   * terminal de-keyed, so a close reported meanwhile is still handled as one.
   */
  private dropCall(leg: Leg, abandon: boolean): void {
    this.clearTimer(leg);
    if (abandon) this.abandon(leg);
    leg.epoch++;
    leg.inCall = false;
    leg.callId = undefined;
  }

  /** Remembers the current call as one we are done with (bounded: only the latest few matter). */
  private abandon(leg: Leg): void {
    if (leg.callId === undefined) return;
    leg.abandoned.add(leg.callId);
    if (leg.abandoned.size > 8) leg.abandoned.delete(leg.abandoned.values().next().value!);
  }

  private onClosed(leg: Leg, reason: string, callId: string | undefined): void {
    if (!leg.inCall || (callId !== undefined && leg.abandoned.has(callId))) return;
    const wasIn = leg.state === "in-conference";
    const lasted = leg.establishedAt === undefined ? 0 : this.clock.now() - leg.establishedAt;
    leg.establishedAt = undefined;
    if (!wasIn) return this.attemptFailed(leg, reason);
    this.dropCall(leg, false);
    void this.stopPatch(leg);
    this.setState(leg, "ended", reason);
    if (!leg.wanted) return;
    this.scheduleRejoin(leg, lasted);
  }

  private scheduleRejoin(leg: Leg, lastedMs: number): void {
    const retry = this.deps.retry ?? DEFAULT_RETRY;
    if (lastedMs >= (this.deps.stableMs ?? 60_000)) leg.rejoins = 0;
    if (++leg.rejoins > retry.attempts) {
      leg.wanted = false;
      leg.pin = [];
      this.setState(leg, "failed", `the far end ended the call ${retry.attempts + 1} times in a row; not rejoining`);
      return;
    }
    leg.attempt = 0;
    leg.timer = this.clock.setTimeout(() => this.dial(leg), this.deps.rejoinDelayMs ?? 2000);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }

  private async sendPin(leg: Leg, epoch: number): Promise<void> {
    const line = leg.config.id;
    try {
      await this.sleep(leg.config.pinDelayMs);
      let keyBefore = false;
      for (const step of leg.pin) {
        if (leg.epoch !== epoch) return;
        if (step.kind === "pause") {
          await this.sleep(this.deps.pauseMs ?? 1000);
          keyBefore = false;
          continue;
        }
        // The gap separates keys; none before the first key or after a pause, none after the last.
        if (keyBefore) await this.sleep(this.deps.interDigitMs ?? 250);
        if (leg.epoch !== epoch) return;
        await this.deps.bridge.sendDtmf(line, step.key);
        keyBefore = true;
      }
      if (leg.epoch !== epoch) return;
      leg.attempt = 0;
      // The patch is set before the state so the first in-conference publication names the talk group.
      const patch = leg.config.talkgroup ? this.deps.patchFor?.(leg.config) : undefined;
      leg.patch = patch;
      this.setState(leg, "in-conference", undefined);
      if (patch) await this.startPatch(leg, patch, epoch);
    } catch (err) {
      if (leg.epoch !== epoch) return;
      // A PIN that was only partly sent leaves us at the bridge's prompt: hang up and try again.
      this.log.warn({ conference: line, code: (err as GatewayError).code }, "PIN not sent; hanging up");
      this.abandon(leg);
      await this.deps.bridge.hangup(line).catch(() => undefined);
      this.attemptFailed(leg, `PIN not sent: ${(err as Error).message}`);
    }
  }

  private async startPatch(leg: Leg, patch: ConferencePatch, epoch: number): Promise<void> {
    try {
      await patch.start();
    } catch (err) {
      this.log.error({ conference: leg.config.id, talkgroup: patch.talkgroup, err }, "talk-group patch did not start; conference continues without it");
      if (leg.patch === patch) leg.patch = undefined;
      await patch.stop();
      this.deps.publish(this.json(leg));
      return;
    }
    if (leg.epoch !== epoch) await this.stopPatch(leg);
  }

  private async stopPatch(leg: Leg): Promise<void> {
    const p = leg.patch;
    if (!p) return;
    leg.patch = undefined;
    await p.stop();
  }

  private async endCall(leg: Leg, why: string): Promise<void> {
    this.clearTimer(leg);
    this.abandon(leg);
    leg.epoch++;
    await this.stopPatch(leg);
    if (leg.inCall) {
      leg.inCall = false;
      leg.callId = undefined;
      await this.deps.bridge.hangup(leg.config.id).catch((err: unknown) => this.log.warn({ conference: leg.config.id, err, why }, "hang-up not taken by the SIP agent"));
    }
  }

  private onHealth(ready: boolean, detail: string): void {
    for (const leg of this.legs.values()) {
      if (!leg.wanted) continue;
      if (!ready && leg.inCall) {
        // The agent went away (killed, restarting): its calls are gone with it.
        const wasIn = leg.state === "in-conference";
        this.dropCall(leg, false);
        void this.stopPatch(leg);
        this.setState(leg, wasIn ? "ended" : "dialling", `SIP agent lost: ${detail}`);
        leg.attempt = 0;
      } else if (ready && !leg.inCall && leg.timer === undefined) this.dial(leg);
    }
  }
}
