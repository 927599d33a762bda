import type { FloorEvent, PttControl, RadioTerminal, RadioTerminalEvents, ReceivedSds, SdsBody, SdsProgress, SdsSendResult, SendSdsOptions, TerminalState, TetraAddress } from "../../src/ports/radio-terminal.js";
import { type Clock, every, systemClock } from "../../src/shared/clock.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { Mutex } from "../../src/shared/mutex.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import type { AtCommand } from "../at/at-command.js";
import { AtEngine, type ExecuteOptions, type UrcEvent } from "../at/at-engine.js";
import { LinkSupervisor, RecoveryPhase } from "../at/link-supervisor.js";
import type { LinkHealth } from "../at/link-health.js";
import type { ByteLinkFactory } from "../serial-link/byte-link.js";
import { ManagedLink } from "../serial-link/managed-link.js";
import { readRegistration } from "./commands/identity.js";
import { registrationReported, runInitScript, readTerminalState } from "./terminal-init.js";
import { IncomingSdsHandler } from "./incoming-sds.js";
import { isDeliveryFailure } from "./sds/delivery-status.js";
import { SdsSender } from "./sds-sender.js";
import { SdsTracker, sameSsi } from "./sds-tracker.js";
import { type TerminalProfile, terminalRetryPolicy } from "./terminal-profile.js";
import { PEI_URCS, type IncomingSdsUrc } from "./urc/pei-urcs.js";
import { dialGroup, hangUp, setGroupCallParameters, transmitCease, transmitDemand } from "./commands/call-control.js";
import { selectGroup as selectGroupCmd } from "./commands/mode-and-group.js";

/**
 * A Rakel terminal on its PEI (ETSI EN 300 392-5): the `RadioTerminal` port over the shared AT engine.
 *
 *   ManagedLink (reopen) ─► AtEngine (queue, URCs) ◄─ LinkSupervisor (health, init after every (re)start)
 *          ▲                     │ urc
 *     ByteLinkFactory            ├─► state (CTGS, CTOM, CREG, calls) ─► "state"
 *                                ├─► IncomingSdsHandler (decode, dedup) ─► "sds"
 *                                └─► SdsTracker (CMGS results, reports) ─► "progress"
 */
export interface RakelPeiAdapterOptions {
  name: string;
  log: Logger;
  profile: TerminalProfile;
  linkFactory: ByteLinkFactory;
  /** Suppress the same SDS from the same source within this window (docs/pei.md §4.2). Default 30 s. */
  dedupWindowMs?: number;
  /** Incomplete concatenated SDS are handed on, marked incomplete, after this long. Default 60 s. */
  reassemblyTimeoutMs?: number;
  /** Override the profile's heartbeat (tests). */
  heartbeatMs?: number;
  /**
   * Whether direct mode (DMO) counts as ready for dispatch (site config). Default false: in DMO only radios
   * in simplex range hear a send, so the link is `degraded` and alerts fall back to SMS.
   */
  dmoReadyForDispatch?: boolean;
  /** Time source of link, engine, supervisor and the adapter's own timers. Default: the system clock. */
  clock?: Clock;
  /** The ISSI this terminal must have: a send through another radio on the port is refused (LINK_TERMINAL_MISMATCH). */
  expectedIssi?: string;
  /**
   * Incoming SDS are handed on (the `sds` event) only once this settles, in arrival order: the gateway
   * opens it when alert dispatch listens, so an activation arriving while the daemon starts is not handed
   * to nobody. Default: at once.
   */
  incomingGate?: Promise<void>;
}

export class RakelPeiAdapter extends TypedEmitter<RadioTerminalEvents> implements RadioTerminal, PttControl {
  readonly name: string;
  private readonly log: Logger;
  private readonly link: ManagedLink;
  readonly engine: AtEngine;
  private readonly supervisor: LinkSupervisor;
  private readonly tracker: SdsTracker;
  private readonly sender: SdsSender;
  private readonly incoming: IncomingSdsHandler;
  private readonly sendLock = new Mutex();
  private stateValue: TerminalState = { identity: {}, callActive: false };
  private readonly activeCalls = new Set<number>();
  /** CC instance of the newest active call (PTT acts on it). */
  private currentCc: number | undefined;
  /** ATD succeeded but the call's CC instance has not been reported yet. */
  private dialPending = false;
  private readonly clock: Clock;
  private stopSweep: (() => void) | undefined;
  private stopRegistrationPoll: (() => void) | undefined;
  /** The terminal refused unsolicited `+CREG` reports: registration is polled instead. */
  private pollRegistration = false;

  constructor(private readonly opts: RakelPeiAdapterOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "radio listener failed"));
    this.name = opts.name;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log.child({ mod: "rakel-pei", link: opts.name });
    const pei = opts.profile.pei;
    // R6: reopened within 5 s of the device reappearing. The link's default 10 s cap let a long unplug wait
    // up to 10 s after the replug (8 s measured, unplug.test.ts); a 4 s cap leaves room for init.
    this.link = new ManagedLink({
      factory: opts.linkFactory,
      log: this.log.child({ mod: "serial-link" }),
      name: opts.name,
      backoff: { baseMs: 250, capMs: 4000, minMs: 100 },
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.engine = new AtEngine({
      name: opts.name,
      log: this.log.child({ mod: "at" }),
      urcs: PEI_URCS,
      write: (data) => this.link.write(data),
      terminator: pei.commandTerminator,
      bodySeparator: pei.userDataSeparator,
      retry: terminalRetryPolicy(opts.profile),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.supervisor = new LinkSupervisor({
      name: opts.name,
      log: this.log.child({ mod: "supervisor" }),
      link: this.link,
      engine: this.engine,
      init: (signal, timing) => this.initialise(signal, timing.answerTimeoutMs),
      heartbeatMs: opts.heartbeatMs ?? pei.heartbeatMs,
      // Worst case to "unresponsive" = 2 heartbeats + probe timeout = 5 s with the defaults (R6). A slower
      // radio sets a longer probe in its profile; the supervisor also adapts it to measured answers.
      probeTimeoutMs: pei.probeTimeoutMs,
      maxProbeTimeoutMs: Math.max(pei.probeTimeoutMs, pei.commandTimeoutMs, pei.probeTimeoutMs * 4),
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    this.tracker = new SdsTracker((p) => this.onProgress(p));
    this.sender = new SdsSender({ engine: this.engine, tracker: this.tracker, profile: opts.profile, log: this.log, maxBits: () => this.maxSdsBits(), registered: () => this.stateValue.registration?.registered });
    this.incoming = new IncomingSdsHandler({ log: this.log, dedupWindowMs: opts.dedupWindowMs ?? 30_000, reassemblyTimeoutMs: opts.reassemblyTimeoutMs ?? 60_000, now: () => this.clock.now() });
    this.engine.on("urc", (ev) => this.onUrc(ev));
    this.supervisor.on("health", (h) => this.emit("health", h));
  }

  get state(): TerminalState {
    return this.stateValue;
  }

  get health(): LinkHealth {
    return this.supervisor.health;
  }

  get profile(): TerminalProfile {
    return this.opts.profile;
  }

  async start(): Promise<void> {
    const sweepMs = Math.max(50, Math.min(5_000, (this.opts.reassemblyTimeoutMs ?? 60_000) / 2));
    this.stopSweep = every(
      this.clock,
      sweepMs,
      () => {
        this.tracker.sweep();
        for (const sds of this.incoming.sweep()) this.handOn(sds);
      },
      { unref: true },
    );
    this.stopRegistrationPoll = every(this.clock, this.opts.profile.pei.registrationPollMs, () => void this.pollRegistrationOnce(), { unref: true });
    await this.supervisor.start();
  }

  async stop(): Promise<void> {
    this.stopSweep?.();
    this.stopRegistrationPoll?.();
    this.engine.close();
    await this.supervisor.stop();
  }

  /** Resolves once the terminal answered and its init profile ran; rejects with LINK_NOT_OPEN after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void> {
    return this.supervisor.waitReady(timeoutMs);
  }

  /** Runs one command through the shared engine (talk-group checks and other features build on this). */
  execute<A, T>(cmd: AtCommand<A, T>, args: A, opts?: ExecuteOptions): Promise<T> {
    return this.engine.execute(cmd, args, opts);
  }

  /** Reads identity and state again and publishes it. */
  async refreshState(): Promise<TerminalState> {
    // The profile's command timeout, not each read's built-in 3 s: a Sepura profile asks for 4 s, test
    // profiles for less (fault-timing.test.ts: a dropped answer held refreshState for 3 s per read).
    const next = await readTerminalState(this.engine, this.log, { timeoutMs: this.opts.profile.pei.commandTimeoutMs });
    this.updateState({ ...next, callActive: this.activeCalls.size > 0 });
    return this.stateValue;
  }

  async sendSds(to: TetraAddress, body: SdsBody, opts: SendSdsOptions = {}): Promise<SdsSendResult> {
    // The bound counts from the call, not from when the send lock is free: a send queued behind another one
    // waiting for a lost link must still fail in time for the caller's fallback (reliability goal R5).
    const deadline = opts.timeoutMs === undefined ? undefined : performance.now() + opts.timeoutMs;
    // One send at a time: AT+CTSDS and its AT+CMGS must not be split by another send's AT+CTSDS.
    return this.sendLock.run(() => {
      const left = deadline === undefined ? undefined : deadline - performance.now();
      if (left !== undefined && left <= 0) {
        return Promise.reject(new GatewayError("AT_EXPIRED", `SDS to ${to.ssi} not started within ${opts.timeoutMs} ms (terminal busy or link down)`));
      }
      if (opts.signal?.aborted) return Promise.reject(new GatewayError("AT_ABORTED", "SDS send aborted before start"));
      if (opts.withdraw?.aborted) return Promise.reject(new GatewayError("AT_ABORTED", "SDS send withdrawn before start"));
      // A swapped radio would send under a foreign identity, and its recipients' answers would never reach us.
      const issi = this.stateValue.identity.issi;
      const expected = this.opts.expectedIssi;
      if (expected && issi && !sameSsi(issi, expected)) {
        return Promise.reject(new GatewayError("LINK_TERMINAL_MISMATCH", `terminal ISSI ${issi} is not the configured ${expected}; SDS to ${to.ssi} not sent`, { context: { issi, expected } }));
      }
      return this.sender.send(to, body, left === undefined ? opts : { ...opts, timeoutMs: left }).then((r) => {
        const dmo = this.directModeWarning();
        return dmo ? { ...r, warnings: [...(r.warnings ?? []), dmo] } : r;
      });
    });
  }

  /** Selects a talk group (`AT+CTGS=1,<gssi>`); operator priority so a patch is not stuck behind housekeeping. */
  async selectGroup(gssi: string): Promise<void> {
    await this.engine.execute(selectGroupCmd, { gssi }, { priority: "operator" });
    this.updateState({ selectedGroup: gssi });
  }

  /** PTT pressed: a transmit demand in the active call, or a new group call on `gssi` (docs/pei.md §8.2). */
  async pressPtt(gssi: string): Promise<void> {
    const cc = this.currentCc;
    if (cc !== undefined) return this.engine.execute(transmitDemand, { cc }, { priority: "emergency" });
    await this.engine.execute(setGroupCallParameters, undefined, { priority: "emergency" });
    await this.engine.execute(dialGroup, { gssi }, { priority: "emergency" });
    if (this.currentCc === undefined) this.dialPending = true;
  }

  /** PTT released (`AT+CUTXC`); nothing to do without an active call. Emergency priority: de-keying never waits. */
  async releasePtt(): Promise<void> {
    // Our own ATD's OK comes before its +CTCC: wait a moment for the CC instance, then end the call instead.
    if (this.currentCc === undefined && this.dialPending) await this.callReported(2000);
    const cc = this.currentCc;
    if (cc !== undefined) return this.engine.execute(transmitCease, { cc }, { priority: "emergency" });
    if (!this.dialPending) return;
    this.dialPending = false;
    await this.engine.execute(hangUp, undefined, { priority: "emergency" });
  }

  private callReported(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const clock = this.clock;
      const timer = clock.setTimeout(done, timeoutMs);
      const off = this.on("floor", () => {
        if (this.currentCc !== undefined) done();
      });
      function done(): void {
        clock.clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  /** Resolves with the first progress event of `id` at one of `stages` (or "failed"), or rejects after `timeoutMs`. */
  waitForProgress(id: string, stages: readonly SdsProgress["stage"][], timeoutMs: number): Promise<SdsProgress> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        off();
        reject(new GatewayError("SDS_REPORT_TIMEOUT", `no ${stages.join("/")} for ${id} within ${timeoutMs} ms`, { context: { id } }));
      }, timeoutMs);
      const off = this.on("progress", (p) => {
        if (p.id !== id || (!stages.includes(p.stage) && p.stage !== "failed")) return;
        this.clock.clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }

  private maxSdsBits(): number {
    const advertised = this.stateValue.maxSdsBits;
    const profile = this.opts.profile.pei.maxSdsBits;
    return advertised !== undefined ? Math.min(advertised, profile) : profile;
  }

  /** True while the recovery ladder runs (probe, re-initialisation, reopen): the terminal may have lost mode and group. */
  get recovering(): boolean {
    return this.supervisor.recoveryPhase !== RecoveryPhase.Idle;
  }

  private async initialise(signal: AbortSignal, answerTimeoutMs: number): Promise<void> {
    // Init steps and state reads answer at once: the device's probe timeout (adapted to it), not the
    // profile's long command timeout, bounds each, so a lost line costs about a second.
    const timeoutMs = Math.min(this.opts.profile.pei.commandTimeoutMs, answerTimeoutMs);
    const { refused } = await runInitScript(this.engine, this.opts.profile, this.log, signal, timeoutMs);
    this.pollRegistration = !registrationReported(this.opts.profile, refused);
    if (this.pollRegistration) this.log.info({ everyMs: this.opts.profile.pei.registrationPollMs }, "terminal sends no +CREG reports; polling registration");
    const next = await readTerminalState(this.engine, this.log, { bypassHold: true, timeoutMs });
    // A (re)initialised terminal is described afresh: after a replug it may be another terminal, and a
    // field it now refuses must read unknown, not keep the old terminal's value. Calls seen before a
    // reboot or unplug are over or unknown; keeping them would block talk-group checks for good.
    this.activeCalls.clear();
    this.currentCc = undefined;
    this.stateValue = { ...next, callActive: false };
    this.supervisor.setServiceProblem(this.serviceProblem());
    this.emit("state", this.stateValue);
  }

  private updateState(patch: Partial<TerminalState>): void {
    this.stateValue = { ...this.stateValue, ...patch, identity: { ...this.stateValue.identity, ...patch.identity } };
    this.supervisor.setServiceProblem(this.serviceProblem());
    this.emit("state", this.stateValue);
  }

  /**
   * Why the answering terminal is not fit for dispatch, or undefined: not registered with the network
   * (in trunked mode every send would fail with CME 30), or in direct mode unless the site counts DMO as
   * ready. The link is `degraded` meanwhile, so alerts fall back to SMS before the radio is tried.
   */
  private serviceProblem(): string | undefined {
    const s = this.stateValue;
    const dmo = this.directModeWarning();
    if (dmo) return this.opts.dmoReadyForDispatch ? undefined : dmo;
    if (s.registration && !s.registration.registered) return `not registered with the network (+CREG stat ${s.registration.stat})`;
    return undefined;
  }

  /** The direct-mode warning while the terminal is in DMO, else undefined. */
  private directModeWarning(): string | undefined {
    const mode = this.stateValue.mode?.name;
    return mode === "dmo" || mode === "dmo-dual-watch" ? "direct mode (DMO): only radios in simplex range hear sends" : undefined;
  }

  /** Reads registration when the terminal refused unsolicited reports (and only while it is initialised). */
  private async pollRegistrationOnce(): Promise<void> {
    if (!this.pollRegistration || this.recovering || this.engine.isHeld) return;
    try {
      const registration = await this.engine.execute(readRegistration, undefined, { priority: "housekeeping", timeoutMs: this.opts.profile.pei.commandTimeoutMs, retries: 0 });
      const before = this.stateValue.registration;
      if (before?.stat !== registration.stat) this.updateState({ registration });
    } catch (err) {
      this.log.debug({ code: (err as GatewayError).code }, "registration poll failed");
    }
  }

  private onProgress(p: SdsProgress): void {
    this.log.info({ id: p.id, to: p.to.ssi, stage: p.stage, refs: p.messageReferences, deliveryStatus: p.deliveryStatus }, "sds progress");
    this.emit("progress", p);
  }

  private onUrc(ev: UrcEvent): void {
    switch (ev.name) {
      case "CTSDSR":
        return this.onIncomingSds(ev.value as IncomingSdsUrc);
      case "CMGS-REPORT": {
        const v = ev.value as { status?: number; reference?: number };
        if (v.status !== undefined) this.tracker.transmission(v.status, v.reference);
        return;
      }
      case "CTGS":
        return this.updateState({ selectedGroup: (ev.value as { gssi?: string }).gssi });
      case "CTOM":
        return this.updateState({ mode: ev.value as TerminalState["mode"] & object });
      case "CREG":
        return this.updateState({ registration: ev.value as TerminalState["registration"] & object });
      default:
        return this.onCallUrc(ev);
    }
  }

  private onCallUrc(ev: UrcEvent): void {
    const v = ev.value as { cc?: number; active?: boolean; fields?: string[] };
    if (v.cc !== undefined) {
      if (v.active === true) {
        this.currentCc = v.cc;
        this.dialPending = false;
      }
      if (v.active === false && this.currentCc === v.cc) this.currentCc = undefined;
      const floor = floorEventOf(ev.name, v.cc, v.fields ?? [], this.stateValue.identity.issi);
      if (floor) this.emit("floor", floor);
    }
    if (v.active === undefined || v.cc === undefined) return;
    const before = this.activeCalls.size > 0;
    if (v.active) this.activeCalls.add(v.cc);
    else this.activeCalls.delete(v.cc);
    const now = this.activeCalls.size > 0;
    if (now !== before) {
      this.log.info({ callActive: now, cc: v.cc, urc: ev.name }, "call state");
      this.updateState({ callActive: now });
    }
  }

  private onIncomingSds(urc: IncomingSdsUrc): void {
    const sds: ReceivedSds | undefined = this.incoming.handle(urc);
    if (!sds) return;
    const p = sds.payload;
    if (sds.from !== undefined && (p.kind === "report" || p.kind === "short-report")) {
      const ref = Number(p["messageReference"]);
      if (p.kind === "report") {
        const status = Number(p["deliveryStatus"]);
        // 0x06 "concatenation part received by destination" is how a receiver reports each 0x8A part
        // (concatenate.ts); ignoring it left long texts stuck at "sent" (send-text.test.ts).
        const kind = status === 0 || status === 6 ? "received" : status === 2 ? "consumed" : isDeliveryFailure(status) ? "failed" : undefined;
        if (kind) this.tracker.report(sds.from, ref, kind, status);
        // Under the send lock: the ack's AT+CTSDS=12 landed between a status send's AT+CTSDS=13 and its
        // AT+CMGS, which then went out as SDS type 4 (sds-ack.test.ts).
        const from = sds.from;
        if (p["ackRequired"] === true) void this.sendLock.run(() => this.sender.acknowledgeReport(from, Number(p["protocolId"]), status, ref));
      } else {
        const t = String(p["reportType"]);
        const kind = t === "received" ? "received" : t === "consumed" ? "consumed" : "failed";
        this.tracker.report(sds.from, ref, kind, t === "received" ? 0 : t === "consumed" ? 2 : 0x4a);
      }
    }
    this.handOn(sds);
    const whole = this.incoming.assemble(sds);
    if (whole) this.handOn(whole);
  }

  /** Emits `sds`, after `incomingGate` when there is one (then-callbacks run in registration order). */
  private handOn(sds: ReceivedSds): void {
    if (this.opts.incomingGate) void this.opts.incomingGate.then(() => this.emit("sds", sds));
    else this.emit("sds", sds);
  }
}


/**
 * Floor event of a call URC (docs/pei.md §8.2). `+CTXG: <cc>,<TxGrant>,<TxRqPrmsn>,<e2ee>[,<TPI type>,<TPI>]`:
 * TxGrant 0 granted, 1 not granted, 2 queued, 3 granted to another; a talker identity (6 fields) other
 * than our own ISSI means someone else holds the floor.
 */
export function floorEventOf(urc: string, cc: number, fields: readonly string[], ownIssi: string | undefined): FloorEvent | undefined {
  switch (urc) {
    case "CTICN":
    case "CTOCP":
    case "CTCC":
      return { kind: "call-started", cc };
    case "CTXG": {
      const grant = Number(fields[1]);
      const talker = fields[5]?.replace(/^0+(?=\d)/, "");
      const own = ownIssi !== undefined && talker !== undefined && (talker === ownIssi || talker.endsWith(ownIssi));
      if (grant === 3 || (grant === 0 && talker !== undefined && talker !== "" && !own)) return { kind: "other-talking", cc, ...(talker ? { talker } : {}) };
      if (grant === 0) return { kind: "granted", cc };
      if (grant === 1 || grant === 2) return { kind: "not-granted", cc, queued: grant === 2 };
      return undefined;
    }
    case "CDTXC":
      return { kind: "ceased", cc };
    case "CTXI":
      return { kind: "interrupted", cc };
    case "CTCR": {
      const cause = Number(fields[1]);
      return { kind: "released", cc, ...(Number.isInteger(cause) ? { cause } : {}) };
    }
    default:
      return undefined;
  }
}
