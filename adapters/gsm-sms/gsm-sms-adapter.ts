import { join } from "node:path";
import type { ModemHealth, ModemState, ReceivedSms, SendSmsOptions, SmsModem, SmsModemEvents, SmsProgress, SmsQueueStats, SmsSendResult, SmsStage } from "../../src/ports/sms-modem.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import { AtEngine, type UrcEvent } from "../at/at-engine.js";
import { retryPolicy } from "../at/retry-policy.js";
import { LinkSupervisor } from "../at/link-supervisor.js";
import type { ByteLinkFactory } from "../serial-link/byte-link.js";
import { ManagedLink } from "../serial-link/managed-link.js";
import { IncomingSms } from "./incoming-sms.js";
import { InboxStore } from "./inbox-store.js";
import { initialiseModem, readNetworkStatus, type InitResult } from "./modem-init.js";
import type { ModemProfile } from "./modem-profile.js";
import { ModemRecovery } from "./modem-recovery.js";
import { composeHealth, serviceOf } from "./modem-service.js";
import { PinStateStore, type PinSource } from "./pin-guard.js";
import { SmsSender } from "./sms-sender.js";
import { SmsTracker } from "./sms-tracker.js";
import type { DirectPdu, StoredIndication } from "./urc/modem-urcs.js";
import { MODEM_URCS } from "./urc/modem-urcs.js";

/**
 * One GSM/LTE modem (3GPP TS 27.005/27.007): the `SmsModem` port over the shared AT engine, built as the
 * Rakel adapter is. Several modems (different operators) are several instances.
 *
 *   ManagedLink (reopen) ─► AtEngine (queue, URCs) ◄─ LinkSupervisor (probe, init, reopen) ◄─ ModemRecovery (AT+CFUN)
 *                               │ urc
 *                               ├─► +CMTI/+CMT ─► IncomingSms (persist, delete, reassemble) ─► "sms"
 *                               ├─► +CDS/+CDSI ─► SmsTracker (TP-MR → delivered/failed) ─► "progress"
 *                               └─► +CREG/+CEREG ─► state ─► "state", "health"
 */
export interface GsmSmsAdapterOptions {
  name: string;
  log: Logger;
  profile: ModemProfile;
  linkFactory: ByteLinkFactory;
  /** Where the SIM PIN comes from (secret file or environment variable); never the main config. */
  pin?: PinSource;
  /** Directory for the inbox (`inbox-<name>.jsonl`) and, by default, the PIN facts. */
  stateDir: string;
  /** Shared by all modems of a process; default `<stateDir>/sim-pin-state.json`. */
  pinStore?: PinStateStore;
  /** Read, persist and delete incoming SMS. Off for one-shot CLI commands, which leave the SIM to the daemon. */
  receive?: boolean;
  heartbeatMs?: number;
  statusPollMs?: number;
  receivePollMs?: number;
  retry?: { attempts: number; baseMs: number; capMs: number };
  linkWaitMs?: number;
  maxPerMinute?: number;
  /** Rate window override (tests); default one minute. */
  rateWindowMs?: number;
  reassemblyTimeoutMs?: number;
  /** Incoming SMS are handed on only once this settles (IncomingSmsDeps.gate); default at once. */
  incomingGate?: Promise<void>;
}

/** Hides the PIN in wire traces: the engine logs command lines at trace level. */
function redactPin(line: unknown): unknown {
  return typeof line === "string" ? line.replace(/^(AT\+CPIN=).*/i, "$1[redacted]") : line;
}

/** The 27.005 modem adapter: one instance per modem. */
export class GsmSmsAdapter extends TypedEmitter<SmsModemEvents> implements SmsModem {
  readonly name: string;
  readonly engine: AtEngine;
  readonly pinStore: PinStateStore;
  private readonly log: Logger;
  private readonly link: ManagedLink;
  private readonly supervisor: LinkSupervisor;
  private readonly tracker: SmsTracker;
  private readonly sender: SmsSender;
  private readonly incoming: IncomingSms;
  private readonly recovery: ModemRecovery;
  private stateValue: ModemState = { identity: {}, sim: { status: "unknown" }, registration: {}, service: "initialising" };
  private refusal: InitResult["refusal"];
  private healthValue: ModemHealth = { state: "disconnected", since: new Date(), detail: "not started" };
  private readonly timers: ReturnType<typeof setInterval>[] = [];

  constructor(private readonly opts: GsmSmsAdapterOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "modem listener failed"));
    this.name = opts.name;
    this.log = opts.log.child({ mod: "gsm-sms", link: opts.name });
    const { profile } = opts;
    this.pinStore = opts.pinStore ?? new PinStateStore(join(opts.stateDir, "sim-pin-state.json"));
    this.link = new ManagedLink({ factory: opts.linkFactory, log: this.log.child({ mod: "serial-link" }), name: opts.name });
    this.engine = new AtEngine({ name: opts.name, log: this.log.child({ mod: "at" }, { serializers: { line: redactPin } }), urcs: MODEM_URCS, write: (d) => this.link.write(d), retry: retryPolicy(profile.at.transientCme) });
    this.recovery = new ModemRecovery({ engine: this.engine, profile, log: this.log, onReset: (r) => this.updateHealth(`resetting modem: ${r}`) });
    this.supervisor = new LinkSupervisor({
      name: opts.name,
      log: this.log.child({ mod: "supervisor" }),
      link: this.link,
      engine: this.engine,
      init: (signal, timing) => this.initialise(signal, timing.answerTimeoutMs),
      heartbeatMs: opts.heartbeatMs ?? profile.at.heartbeatMs,
      probeTimeoutMs: profile.at.probeTimeoutMs,
    });
    this.tracker = new SmsTracker((p) => this.onProgress(p));
    this.sender = new SmsSender({
      engine: this.engine,
      tracker: this.tracker,
      profile,
      log: this.log,
      refusal: () => this.sendRefusal(),
      onModemResult: (ok) => this.recovery.sendResult(ok),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.linkWaitMs !== undefined ? { linkWaitMs: opts.linkWaitMs } : {}),
      ...(opts.maxPerMinute !== undefined ? { maxPerMinute: opts.maxPerMinute } : {}),
      ...(opts.rateWindowMs !== undefined ? { rateWindowMs: opts.rateWindowMs } : {}),
    });
    this.incoming = new IncomingSms({
      engine: this.engine,
      store: new InboxStore(join(opts.stateDir, `inbox-${opts.name.replace(/[^\w.-]/g, "_")}.jsonl`)),
      log: this.log,
      modemName: opts.name,
      onSms: (sms: ReceivedSms) => this.emit("sms", sms),
      onStatusReport: (to, ref, st) => this.tracker.report(to, ref, st),
      ackDirect: profile.sms.ackDirect,
      ...(opts.reassemblyTimeoutMs !== undefined ? { reassemblyTimeoutMs: opts.reassemblyTimeoutMs } : {}),
      ...(opts.incomingGate ? { gate: opts.incomingGate } : {}),
    });
    this.engine.on("urc", (ev) => this.onUrc(ev));
    this.supervisor.on("health", (h) => {
      if (h.state !== "ready") this.patchState({ service: h.state === "disconnected" ? "offline" : this.stateValue.service });
      this.updateHealth();
    });
  }

  get state(): ModemState {
    return this.stateValue;
  }

  get health(): ModemHealth {
    return this.healthValue;
  }

  get profile(): ModemProfile {
    return this.opts.profile;
  }

  /** Modem resets done by the recovery ladder since start. */
  get resets(): number {
    return this.recovery.resets;
  }

  async start(): Promise<void> {
    const every = (ms: number, fn: () => void): void => {
      if (ms > 0) this.timers.push(setInterval(fn, ms));
    };
    if (this.opts.receive ?? true) {
      this.incoming.resume();
      every(this.opts.receivePollMs ?? this.opts.profile.sms.receivePollMs, () => this.sweepInbox());
      every(30_000, () => this.incoming.expire());
    }
    every(this.opts.statusPollMs ?? this.opts.profile.at.statusPollMs, () => void this.refreshStatus().catch((err: unknown) => this.log.debug({ err: (err as Error).message }, "status check failed")));
    every(600_000, () => this.tracker.sweep());
    await this.supervisor.start();
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.sender.close();
    this.engine.close();
    await this.supervisor.stop();
  }

  /** Resolves once the modem answered and its init ran (the SIM may still be unusable: see `state.service`). */
  waitReady(timeoutMs: number): Promise<void> {
    return this.supervisor.waitReady(timeoutMs);
  }

  sendSms(to: string, text: string, opts: SendSmsOptions = {}): Promise<SmsSendResult> {
    return this.sender.send(to, text, opts);
  }

  queueStats(): SmsQueueStats {
    return this.sender.stats();
  }

  /** Reads registration, operator and signal again and publishes them. */
  async refreshStatus(): Promise<ModemState> {
    if (this.supervisor.health.state !== "ready" || this.stateValue.sim.status !== "ready") return this.stateValue;
    const net = await readNetworkStatus(this.engine, this.log, { priority: "housekeeping" });
    this.patchState({ ...net, registration: { ...this.stateValue.registration, ...net.registration }, checkedAt: new Date() });
    return this.stateValue;
  }

  /** Resolves with the first progress of `id` at one of `stages` (or failed); rejects after `timeoutMs`. */
  waitForProgress(id: string, stages: readonly SmsStage[], timeoutMs: number): Promise<SmsProgress> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new GatewayError("SMS_REPORT_TIMEOUT", `no ${stages.join("/")} for ${id} within ${timeoutMs} ms`, { context: { id } }));
      }, timeoutMs);
      const off = this.on("progress", (p) => {
        if (p.id !== id || (!stages.includes(p.stage) && p.stage !== "failed")) return;
        clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }

  private async initialise(signal: AbortSignal, answerTimeoutMs: number): Promise<void> {
    this.patchState({ service: "initialising" });
    let r: InitResult;
    try {
      r = await initialiseModem({ engine: this.engine, profile: this.opts.profile, log: this.log, signal, modemName: this.name, pinSource: this.opts.pin, pinStore: this.pinStore, stepTimeoutMs: Math.min(this.opts.profile.at.commandTimeoutMs, answerTimeoutMs) });
    } catch (err) {
      await this.recovery.initFailed(err, signal);
      throw err;
    }
    this.recovery.initSucceeded();
    this.sender.modemRestarted();
    this.refusal = r.refusal;
    const net = r.network ?? { registration: {} };
    this.patchState({ identity: r.identity, sim: r.sim, ...net, service: r.service, checkedAt: new Date() });
    this.log.info({ service: this.stateValue.service, operator: net.operator?.name, iccid: r.sim.iccid }, "modem initialised");
    if (r.service === "ready" && (this.opts.receive ?? true)) this.sweepInbox();
  }

  private sweepInbox(): void {
    if (this.stateValue.sim.status !== "ready") return;
    this.incoming.sweep().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "inbox sweep failed"));
  }

  private sendRefusal(): GatewayError | undefined {
    const r = this.refusal;
    if (!r || this.stateValue.service === "ready") return undefined;
    return new GatewayError("SMS_MODEM_NOT_READY", `${this.name} cannot send: ${r.reason}`, { context: { service: this.stateValue.service, refusal: r.code } });
  }

  private patchState(patch: Partial<ModemState>): void {
    const next = { ...this.stateValue, ...patch };
    next.service = serviceOf(next, patch.service ?? this.stateValue.service);
    this.stateValue = next;
    this.emit("state", next);
    this.updateHealth();
  }

  private updateHealth(note?: string): void {
    const h = composeHealth(this.supervisor.health, this.stateValue, this.refusal?.reason, note);
    if (h.state === this.healthValue.state && h.detail === this.healthValue.detail) return;
    this.healthValue = { ...h, since: h.state === this.healthValue.state ? this.healthValue.since : new Date() };
    this.log[h.state === "ready" ? "info" : "warn"]({ health: h.state, detail: h.detail }, "modem health");
    this.emit("health", this.healthValue);
  }

  private onProgress(p: SmsProgress): void {
    this.log.info({ id: p.id, to: p.to, stage: p.stage, refs: p.parts.map((x) => x.reference), code: p.error?.code, cms: p.error?.cms }, "sms progress");
    this.emit("progress", p);
  }

  private onUrc(ev: UrcEvent): void {
    switch (ev.name) {
      case "CMTI":
        if (this.opts.receive ?? true) void this.incoming.onStored(ev.value as StoredIndication).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "stored SMS not read"));
        else this.log.info({ index: (ev.value as StoredIndication).index }, "sms waiting on the SIM (left for the daemon)");
        return;
      case "CDSI":
        void this.incoming.onStored(ev.value as StoredIndication).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "stored status report not read"));
        return;
      case "CMT":
      case "CDS":
        void this.incoming.onDirect(ev.value as DirectPdu).catch((err: unknown) => this.log.error({ err: (err as Error).message }, "direct SMS not persisted"));
        return;
      case "CREG":
      case "CEREG": {
        const v = ev.value as { kind: "CREG" | "CEREG"; info: NonNullable<ModemState["registration"]["cs"]> };
        this.patchState({ registration: { ...this.stateValue.registration, [v.kind === "CREG" ? "cs" : "eps"]: v.info } });
        return;
      }
      case "RING":
        this.log.info({}, "incoming call ignored");
        return;
    }
  }
}
