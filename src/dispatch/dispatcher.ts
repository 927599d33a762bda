import { randomUUID } from "node:crypto";
import type { Clock, TimerHandle } from "../shared/clock.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";
import { findTwin } from "./activation-dedup.js";
import { activationKey } from "./activation-parser.js";
import { pickCode } from "./alert-code.js";
import { isFinal, listItem, summarise, type AlertKind, type AlertListItem, type AlertOrigin, type Answer, type AlertState, type StoredAlert } from "./alert-model.js";
import type { AlertStore } from "./alert-store.js";
import type { ConferenceDirectory } from "../ports/conference-directory.js";
import { alertConference, followConference, textWithDialIn } from "./alert-conference.js";

/** What the dispatcher needs of the store (the unit tests give it an in-memory one). */
export type AlertRecords = Pick<AlertStore, "put" | "archive" | "getArchived" | "recentArchived" | "lastArchivedIds" | "loadListed" | "recovered">;
import { AlertPublisher } from "./alert-publisher.js";
import { AlertRetention } from "./alert-retention.js";
import { InFlightSends } from "./in-flight-sends.js";
import { SendRefs } from "./send-refs.js";
import type { ChannelPorts, Priority, Progress } from "./channel-ports.js";
import type { DispatchConfig } from "./dispatch-config.js";
import { alertDone, markUnreachedAfterLadder, markUnreachedAtDeadline, personAnswered, slotFilled } from "./escalation.js";
import { buildSlots, entryFor } from "./ladder.js";
import { owedReceipt, type ReceiptQueue } from "./receipt-queue.js";
import type { RosterIndex } from "./roster.js";
import { renderAlertText, renderReceipt } from "./templates.js";

/**
 * The alert dispatcher: creates alerts, escalates each recipient slot along its ladder, takes answers and
 * delivery reports, and ends alerts. Order of every change: decide → persist (fsync) → act → publish.
 * An alert is on disk before `send()` resolves and before the first byte of any send; a send is recorded
 * as in flight before it starts, so after a crash it is sent again (at-least-once: the only repeat window
 * is between the in-flight record and the record of its result, i.e. while the link accepts the message).
 * Timers run on the injected monotonic clock; wall times are only stored to resume after a restart.
 */
export interface DispatcherDeps {
  config: DispatchConfig;
  roster: () => RosterIndex;
  store: AlertRecords;
  ports: ChannelPorts;
  clock: Clock;
  log: Logger;
  publish: (id: string, doc: Record<string, unknown>) => Promise<void>;
  /** Clears an alert's retained document (finished alerts beyond `archive.retainedFinished`). */
  unpublish?: (id: string) => Promise<void>;
  /** Receipts owed to activators (durable; sent when their link is ready). */
  receipts: ReceiptQueue;
  random?: () => number;
  conferences?: ConferenceDirectory;
}

export interface SendRequest {
  id?: string;
  kind: AlertKind;
  priority?: Priority;
  text: string;
  recipients: string[];
  ackTimeoutS?: number;
  deadlineS?: number;
  /** A configured conference id: its dial-in text (number and PIN) is added to the text on the air. */
  conference?: string;
}

export interface SendOutcome {
  alert: StoredAlert;
  /** True when an existing alert was returned (repeated id, or the same activation by another channel). */
  existing: boolean;
}

const defaultPriority = (k: AlertKind): Priority => (k === "activation" || k === "conference" ? "emergency" : "operator");

export class Dispatcher {
  private readonly active = new Map<string, StoredAlert>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly refs: SendRefs;
  /** Monotonic end of each slot's answer wait (the stored wall `waitUntil` is only used after a restart). */
  private readonly due = new Map<string, number>();
  private readonly offs: Unsubscribe[] = [];
  private readonly sends = new InFlightSends();
  private readonly retention: AlertRetention;
  private readonly log: Logger;
  private stopped = false;

  private readonly publisher: AlertPublisher;

  constructor(private readonly d: DispatcherDeps) {
    this.log = d.log.child({ mod: "dispatch" });
    this.refs = new SendRefs(() => d.clock.now());
    this.publisher = new AlertPublisher((id, doc) => d.publish(id, doc), this.log, d.unpublish);
    this.retention = new AlertRetention(d.config.archive.retainedFinished, (id) => void this.publisher.clear(id));
  }

  /** Resumes the alerts recovered from the store and starts listening to the ports. */
  async start(): Promise<void> {
    this.offs.push(this.d.ports.onProgress((p) => this.onProgress(p)), this.d.ports.onLinkChange(() => this.onLinksChanged()));
    if (this.d.conferences) this.offs.push(this.d.conferences.onStatus((s) => this.activeAlerts().forEach((a) => followConference(a.conference, s) && void this.commit(a))));
    for (const a of this.d.store.recovered) {
      this.active.set(a.id, a);
      this.refs.track(a);
    }
    // All at once: their writes are group-committed, so a restart with hundreds of alerts in flight costs a
    // few fsyncs, not one per alert (start-up, READY and incoming activations wait for this).
    await Promise.all([...this.active.values()].map((a) => this.resume(a)));
    this.retention.resume(this.d.store.lastArchivedIds(this.retention.lookBack));
    void this.d.store.loadListed().catch((err: unknown) => this.log.warn({ err }, "finished alerts not listed from the archive"));
    // Receipts owed from before a restart go out in the background: start-up must not wait for a send.
    void this.d.receipts.flush();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) this.d.clock.clearTimeout(t);
    this.timers.clear();
    for (const o of this.offs) o();
  }

  /** Alerts still dispatching (an ended alert stays in `active` only until it is archived). */
  activeAlerts(): StoredAlert[] {
    return [...this.active.values()].filter((a) => a.state === "active");
  }

  async get(idOrCode: string): Promise<StoredAlert | undefined> {
    return this.active.get(idOrCode) ?? this.byCode(idOrCode) ?? (await this.d.store.getArchived(idOrCode));
  }

  /** Newest first: alerts in memory, then recently archived ones (the last 1000). */
  list(state?: AlertState, max = 100): AlertListItem[] {
    const seen = new Set<string>();
    const all = [...[...this.active.values()].reverse().map(listItem), ...this.d.store.recentArchived(1000)].filter((a) => !seen.has(a.id) && seen.add(a.id));
    return all.filter((a) => state === undefined || a.state === state).slice(0, max);
  }

  byCode(code: string): StoredAlert | undefined {
    return this.activeAlerts().find((a) => a.code === code);
  }

  /** Creates an alert (durably) and starts dispatching it, or returns the existing one. */
  async send(req: SendRequest, origin: Omit<AlertOrigin, "arrivals">): Promise<SendOutcome> {
    const now = this.d.clock.wallNow();
    if (req.id) {
      const known = await this.get(req.id);
      if (known && known.id === req.id) return this.arrival(known, origin, now);
    }
    const dedupKey = req.kind === "activation" || req.kind === "test" ? activationKey(req.kind, req.recipients, req.text) : undefined;
    if (dedupKey && !req.id) {
      const twin = findTwin(this.activeAlerts(), { dedupKey, text: req.text, origin }, this.d.roster(), now.getTime(), this.d.config.dedupWindowS * 1000);
      if (twin) return this.arrival(twin, origin, now);
    }
    const conference = req.conference === undefined ? undefined : alertConference(this.d.conferences, req.conference, now);
    const slots = buildSlots(req.recipients, this.d.roster());
    const id = req.id ?? `${now.toISOString().slice(0, 10).replace(/-/g, "")}-${randomUUID().slice(0, 8)}`;
    const recentCodes = new Set(this.d.store.recentArchived(200).map((a) => a.code));
    const code = pickCode(new Set([...this.active.values()].map((a) => a.code)), recentCodes, this.d.random);
    const deadlineS = req.deadlineS ?? this.d.config.deadlineS;
    const alert: StoredAlert = {
      id,
      kind: req.kind,
      code,
      text: req.text,
      priority: req.priority ?? defaultPriority(req.kind),
      state: "active",
      createdAt: now.toISOString(),
      deadline: new Date(now.getTime() + deadlineS * 1000).toISOString(),
      ackTimeoutS: req.ackTimeoutS ?? this.d.config.ackTimeoutS,
      origin: { ...origin, arrivals: [{ via: origin.via, ...(origin.from ? { from: origin.from } : {}), at: now.toISOString() }] },
      ...(dedupKey ? { dedupKey } : {}),
      slots,
      recipients: [],
      receipts: { firstAnswer: false, final: false },
      ...(conference ? { conference } : {}),
      rev: 0,
    };
    // The first step of every slot is marked in flight in the same durable write that accepts the alert,
    // so the first byte on the air needs no second fsync.
    const first = slots.map((_, i) => this.claimNextStep(alert, i));
    alert.rev++;
    await this.d.store.put(alert); // throws STORE_FULL / STORE_WRITE_FAILED: nothing was accepted
    this.active.set(id, alert);
    this.log.info({ event: "alert-created", alert: id, code, kind: req.kind, via: origin.via, slots: slots.length }, "alert created");
    this.armDeadline(alert);
    first.forEach((step, i) => (step === undefined ? this.advance(alert, i) : void this.sendStep(alert, i, step)));
    void this.publisher.publish(alert);
    return { alert, existing: false };
  }

  private async arrival(a: StoredAlert, origin: Omit<AlertOrigin, "arrivals">, now: Date): Promise<SendOutcome> {
    a.origin.arrivals.push({ via: origin.via, ...(origin.from ? { from: origin.from } : {}), at: now.toISOString() });
    this.log.info({ event: "alert-duplicate", alert: a.id, via: origin.via }, "same alert arrived again; merged");
    if (!isFinal(a.state)) await this.commit(a);
    return { alert: a, existing: true };
  }

  /** Records an answer from a known person or address; returns false when it matches no recipient. */
  async answer(a: StoredAlert, match: (step: { person?: string; channel: string; address: string; group?: boolean }) => boolean, answer: Answer, source: string): Promise<boolean> {
    if (isFinal(a.state)) throw new GatewayError("ALERT_NOT_ACTIVE", `alert ${a.id} is ${a.state}`);
    const hits = a.slots.flatMap((s, slot) => s.ladder.filter((st) => !st.group && match(st)).map((step) => ({ slot, step })));
    if (hits.length === 0) return false;
    const at = this.d.clock.wallNow().toISOString();
    const touched = new Set<number>();
    for (const { slot, step } of hits) {
      const e = a.recipients[entryFor(a, slot, step)];
      if (!e || touched.has(slot)) continue;
      touched.add(slot);
      e.answer = answer;
      e.answeredAt = at;
      e.state = "acknowledged";
    }
    this.log.info({ event: "alert-answer", alert: a.id, answer, source }, "answer recorded");
    const first = !a.receipts.firstAnswer;
    a.receipts.firstAnswer = true;
    await this.commit(a);
    for (const slot of touched) this.advance(a, slot);
    this.checkDone(a);
    if (first && !isFinal(a.state)) this.receipt(a); // when the answer ended the alert, only the final receipt goes
    return true;
  }

  async cancel(a: StoredAlert): Promise<void> {
    if (isFinal(a.state)) throw new GatewayError("ALERT_NOT_ACTIVE", `alert ${a.id} is ${a.state}`);
    await this.finish(a, "cancelled");
  }

  // ---- escalation -------------------------------------------------------------------------------------

  private async resume(a: StoredAlert): Promise<void> {
    if (isFinal(a.state)) {
      // Ended before the crash but not yet archived: archive it now.
      await this.d.store.archive(a).then(
        () => this.retire(a),
        (err: unknown) => this.log.error({ err, alert: a.id }, "ended alert could not be archived"),
      );
      return;
    }
    if (Date.parse(a.deadline) <= this.d.clock.wallNow().getTime()) return this.finish(a, "expired");
    this.armDeadline(a);
    a.slots.forEach((s, i) => {
      const inflight = a.recipients.filter((r) => r.slot === i && r.inFlight);
      for (const r of inflight) {
        // The crash fell between "about to send" and its record: send again (at-least-once).
        s.step = Math.min(s.step, r.inFlight?.step ?? s.step);
        s.exhausted = false;
        delete s.waitUntil;
        r.resends = (r.resends ?? 0) + 1;
        this.log.warn({ event: "alert-resend", alert: a.id, slot: i, channel: r.inFlight?.channel, address: r.inFlight?.address }, "send interrupted by a restart: sending again (may repeat)");
        delete r.inFlight;
      }
    });
    await this.commit(a);
    a.slots.forEach((_, i) => this.advance(a, i));
    this.checkDone(a);
  }

  /** Picks the next step of a slot whose link is ready and marks it in flight (no I/O); undefined: none now. */
  private claimNextStep(a: StoredAlert, slot: number): number | undefined {
    const s = a.slots[slot];
    if (!s || s.exhausted || slotFilled(a, slot)) return undefined;
    while (s.step < s.ladder.length) {
      const i = s.step++;
      const step = s.ladder[i]!;
      if (personAnswered(a, slot, step.person)) continue;
      if (!this.d.ports.ready(step.channel)) {
        if (!s.skipped.includes(i)) s.skipped.push(i);
        continue;
      }
      return this.markInFlight(a, slot, i);
    }
    const again = s.skipped.findIndex((i) => this.d.ports.ready(s.ladder[i]!.channel) && !personAnswered(a, slot, s.ladder[i]!.person));
    if (again >= 0) {
      const i = s.skipped.splice(again, 1)[0]!;
      return this.markInFlight(a, slot, i);
    }
    s.skipped = s.skipped.filter((i) => !personAnswered(a, slot, s.ladder[i]!.person));
    return undefined;
  }

  private markInFlight(a: StoredAlert, slot: number, i: number): number {
    const step = a.slots[slot]!.ladder[i]!;
    const e = a.recipients[entryFor(a, slot, step)]!;
    e.inFlight = { channel: step.channel, address: step.address, since: this.d.clock.wallNow().toISOString(), step: i };
    if (e.state === "pending") e.state = "attempting";
    return i;
  }

  /** Moves a slot on when it is not waiting for an answer: next ready step, a retry later, or the end. */
  private advance(a: StoredAlert, slot: number): void {
    if (this.stopped || isFinal(a.state)) return;
    const s = a.slots[slot];
    if (!s) return;
    const key = `${a.id}/${slot}`;
    if (slotFilled(a, slot)) {
      this.clearTimer(key);
      this.due.delete(key);
      delete s.waitUntil;
      return;
    }
    if (a.recipients.some((r) => r.slot === slot && r.inFlight)) return;
    if (s.waitUntil) {
      const mono = this.due.get(key);
      const left = mono !== undefined ? mono - this.d.clock.now() : Date.parse(s.waitUntil) - this.d.clock.wallNow().getTime();
      const current = s.ladder[s.step - 1];
      // A device reached over MQTT gives no delivery report: its link going down ends the wait at once.
      const lost = (current?.channel === "mqtt" && !this.d.ports.ready("mqtt")) || personAnswered(a, slot, current?.person);
      if (left > 0 && !lost) return this.arm(key, left, () => this.advance(a, slot));
      delete s.waitUntil;
      this.due.delete(key);
    }
    const i = this.claimNextStep(a, slot);
    if (i !== undefined) {
      void this.commit(a).then(() => this.sendStep(a, slot, i));
      return;
    }
    if (s.skipped.length > 0) return this.arm(key, this.d.config.notReadyRetryS * 1000, () => this.advance(a, slot));
    if (!s.exhausted) {
      s.exhausted = true;
      markUnreachedAfterLadder(a, slot);
      this.log.info({ event: "alert-ladder-end", alert: a.id, slot }, "every step of a recipient was tried");
      void this.commit(a);
    }
    this.checkDone(a);
  }

  private async sendStep(a: StoredAlert, slot: number, i: number): Promise<void> {
    const s = a.slots[slot]!;
    const step = s.ladder[i]!;
    const ei = entryFor(a, slot, step);
    const e = a.recipients[ei]!;
    if (isFinal(a.state)) return; // ended while the claim was being written: nothing more goes out
    const { text } = renderAlertText(a.kind, a.code, textWithDialIn(a.text, a.conference, this.d.conferences, this.log, a.id), step.channel, { templates: this.d.config.templates, sdsMaxBits: this.d.config.sdsMaxBits });
    const remainingMs = Math.max(1000, Date.parse(a.deadline) - this.d.clock.wallNow().getTime());
    const sendId = `${a.id}:${ei}:${e.attempts.length}`;
    let ref: string | undefined;
    let detail: string | undefined;
    // A send may wait in the terminal's or modem's queue until the alert's deadline: a busy link is a
    // ready link, and a recipient behind 199 others is not "unreached" (the answer wait starts when the
    // send went out). Only the link ceasing to be ready ends the wait early, so the ladder moves on.
    const send = this.sends.start(step.channel, a.id);
    try {
      ref = await this.d.ports.send(step.channel, step.address, text, { group: step.group ?? false, priority: a.priority, id: sendId, timeoutMs: remainingMs, report: true, signal: send.signal, withdraw: send.withdraw });
    } catch (err) {
      detail = err instanceof GatewayError ? `${err.code}: ${err.message}` : String(err);
    } finally {
      send.done();
    }
    if (isFinal(a.state)) {
      // The alert ended while this send waited or was on the air, and finish() wrote its last state. A write
      // now would land after the journal's removal record (the alert back in memory, archived again at the
      // next start); this log line is the record.
      this.log.info({ event: "alert-attempt-after-end", alert: a.id, channel: step.channel, result: ref ? "sent" : "failed", detail, person: step.person }, "a send ended after its alert had ended; not recorded in the alert");
      return;
    }
    // Aborted because its link stopped being ready: the step is skipped like a link that was not ready,
    // and tried again when it comes back (the ladder moves on meanwhile), never the end of the ladder.
    if (send.signal.aborted && !s.skipped.includes(i)) s.skipped.push(i);
    const at = this.d.clock.wallNow().toISOString();
    delete e.inFlight;
    const attempt = { channel: step.channel, address: step.address, at, result: ref ? ("sent" as const) : ("failed" as const), ...(detail ? { detail } : {}), ...(ref ? { ref } : {}) };
    e.attempts.push(attempt);
    this.log.info({ event: "alert-attempt", alert: a.id, channel: step.channel, result: attempt.result, person: step.person }, "alert sent on a channel");
    if (ref) {
      this.refs.add(ref, { alert: a.id, entry: ei, attempt: e.attempts.length - 1 });
      if (step.group) e.state = "delivered";
      else {
        s.waitUntil = new Date(Date.parse(at) + a.ackTimeoutS * 1000).toISOString();
        this.due.set(`${a.id}/${slot}`, this.d.clock.now() + a.ackTimeoutS * 1000);
      }
    }
    await this.commit(a);
    const early = this.refs.takeEarly(ref);
    if (early) this.onProgress(early);
    this.advance(a, slot);
  }

  private onProgress(p: Progress): void {
    const where = this.refs.find(p);
    if (!where) return;
    const a = this.active.get(where.alert);
    const e = a?.recipients[where.entry];
    const t = e?.attempts[where.attempt];
    if (!a || !e || !t || t.result === "delivered") return;
    // Ended and being archived: a write now would bring it back (see sendStep); this log line is the record.
    if (isFinal(a.state)) return void this.log.info({ event: "alert-delivery-after-end", alert: a.id, channel: t.channel, result: p.stage }, "a delivery report came after its alert had ended; not recorded in the alert");
    t.result = p.stage === "delivered" ? "delivered" : "failed";
    if (p.detail) t.detail = p.detail;
    if (p.stage === "delivered" && e.state !== "acknowledged" && e.state !== "unreached") e.state = "delivered";
    this.log.info({ event: "alert-delivery", alert: a.id, channel: t.channel, result: t.result }, "delivery report");
    const s = a.slots[e.slot];
    if (p.stage === "failed" && s?.waitUntil && s.ladder[s.step - 1]?.address === t.address) {
      delete s.waitUntil; // failed delivery: the next channel now, not after the answer timeout
      this.due.delete(`${a.id}/${e.slot}`);
    }
    void this.commit(a).then(() => {
      this.advance(a, e.slot);
      this.checkDone(a);
    });
  }

  private onLinksChanged(): void {
    this.sends.abortChannels((channel) => !this.d.ports.ready(channel), (channel) => new GatewayError("LINK_NOT_OPEN", `the ${channel} link is no longer ready; moving on`));
    void this.d.receipts.flush();
    for (const a of this.active.values()) a.slots.forEach((s, i) => (s.skipped.length > 0 || s.waitUntil) && this.advance(a, i));
  }

  // ---- ending -----------------------------------------------------------------------------------------

  private checkDone(a: StoredAlert): void {
    if (!isFinal(a.state) && alertDone(a)) void this.finish(a, "completed");
  }

  private armDeadline(a: StoredAlert): void {
    this.arm(`${a.id}/deadline`, Date.parse(a.deadline) - this.d.clock.wallNow().getTime(), () => void this.finish(a, "expired"));
  }

  private async finish(a: StoredAlert, state: AlertState): Promise<void> {
    if (isFinal(a.state)) return;
    a.state = state;
    a.endedAt = this.d.clock.wallNow().toISOString();
    if (state !== "completed") markUnreachedAtDeadline(a);
    this.sends.abortAlert(a.id, new GatewayError("AT_ABORTED", `alert ${a.id} ended (${state}): its queued sends are withdrawn`));
    for (const k of [...this.timers.keys()]) if (k.startsWith(`${a.id}/`)) this.clearTimer(k);
    this.log.info({ event: "alert-ended", alert: a.id, state, ...summarise(a) }, "alert ended");
    await this.commit(a);
    this.receipt(a, true);
    try {
      await this.d.store.archive(a);
      this.retire(a); // only now: get() must find it all along
    } catch (err) {
      this.log.error({ err, alert: a.id }, "alert could not be archived; it stays in the journal and is archived at the next start");
    }
  }

  /** `KVITTO …` to the activator: once after the first answer, once at the end. */
  private receipt(a: StoredAlert, final = false): void {
    const o = a.origin;
    if (this.d.config.reportTo !== "activator" || !o.from || (o.via !== "sds" && o.via !== "sms")) return;
    if (final) {
      if (a.receipts.final) return;
      a.receipts.final = true;
    }
    void this.d.receipts.add(owedReceipt(a, { channel: o.via, to: o.from }, final, renderReceipt(a.code, summarise(a), this.d.config.templates), this.d.clock.wallNow().getTime()));
  }

  /** An archived alert leaves memory (the store answers for it now); its retained document is cleared later. */
  private retire(a: StoredAlert): void {
    this.active.delete(a.id);
    this.refs.forget(a);
    for (const k of [...this.due.keys()]) if (k.startsWith(`${a.id}/`)) this.due.delete(k);
    this.retention.finished(a.id);
  }

  // ---- plumbing ---------------------------------------------------------------------------------------

  /** Persist, then publish. A failed write (full disk) is logged; dispatch goes on (reaching people first). */
  private async commit(a: StoredAlert): Promise<void> {
    a.rev++;
    try {
      await this.d.store.put(a);
    } catch (err) {
      this.log.error({ err, alert: a.id }, "alert state not persisted; dispatch continues from memory");
    }
    await this.publisher.publish(a);
  }

  private arm(key: string, ms: number, fn: () => void): void {
    this.clearTimer(key);
    this.timers.set(
      key,
      this.d.clock.setTimeout(() => {
        this.timers.delete(key);
        fn();
      }, Math.max(0, ms)),
    );
  }

  private clearTimer(key: string): void {
    const t = this.timers.get(key);
    if (t !== undefined) this.d.clock.clearTimeout(t);
    this.timers.delete(key);
  }
}
