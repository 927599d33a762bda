import type { SendSmsOptions, SmsQueueStats, SmsSendResult } from "../../src/ports/sms-modem.js";
import { backoffDelay } from "../../src/shared/backoff.js";
import { sleep } from "../../src/shared/clock.js";
import { linkSignals } from "../../src/shared/linked-signal.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import type { AtEngine } from "../at/at-engine.js";
import { classifySendError, cmsText } from "./cms-errors.js";
import { moreMessagesToSend, submitPdu } from "./commands/sms-commands.js";
import type { ModemProfile } from "./modem-profile.js";
import { ConcatReferenceCounter, encodeSubmit, normalizeRecipient, type SmsEncodeResult } from "./pdu/index.js";
import { PriorityQueue, RateLimiter } from "./send-queue.js";
import type { SmsTracker } from "./sms-tracker.js";

/**
 * The send side of one modem: encode (PDU mode, `00` SMSC, rolling concatenation reference per recipient),
 * queue by priority, rate-limit, then `AT+CMGS` each part with per-part retries:
 * transient `+CMS ERROR`s back off and retry (smstools3 send_retries, errorsleeptime), permanent ones fail
 * the message at once with the code, and a part cut off by a lost link or a missing answer is sent once
 * more after the modem is back (at-least-once, reliability #17, #19).
 */
export interface SmsSenderDeps {
  engine: AtEngine;
  tracker: SmsTracker;
  profile: ModemProfile;
  log: Logger;
  /** An error when the modem cannot send at all now (SIM blocked, no SIM): fail fast, let the core fall back. */
  refusal: () => GatewayError | undefined;
  /** A part failed for a modem-level reason (no network, SIM busy, ME failure), or succeeded. */
  onModemResult: (ok: boolean) => void;
  /** Retry timing override (tests, benchmarks); default from the profile. */
  retry?: { attempts: number; baseMs: number; capMs: number };
  /** How long a part may wait for an absent modem before the message fails. Default 5 min. */
  linkWaitMs?: number;
  maxPerMinute?: number;
  /** Length of the rate window; 60 s (a minute) except in tests. */
  rateWindowMs?: number;
  now?: () => number;
}

interface Job {
  id: string;
  to: string;
  encoded: SmsEncodeResult;
  opts: SendSmsOptions;
  deadlineAt: number | undefined;
  resolve: (r: SmsSendResult) => void;
  reject: (e: Error) => void;
}

/** Queue, rate limit and per-part submission of one modem. */
export class SmsSender {
  private readonly queue = new PriorityQueue<Job>();
  private readonly limiter: RateLimiter;
  private readonly refs = new ConcatReferenceCounter();
  private readonly now: () => number;
  private running = false;
  /** Aborted by `close()`: ends rate-limit and backoff waits of the message in progress. */
  private readonly stopping = new AbortController();
  private cmmsActive = false;
  private cmmsRefused = false;
  private submittedParts = 0;
  private failedMessages = 0;

  constructor(private readonly deps: SmsSenderDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.limiter = new RateLimiter(deps.maxPerMinute ?? deps.profile.sms.maxPerMinute, deps.rateWindowMs ?? 60_000, this.now);
  }

  /** Validates and encodes now (bad numbers and texts fail at once), then queues. */
  send(rawTo: string, text: string, opts: SendSmsOptions = {}): Promise<SmsSendResult> {
    const { tracker, profile, log } = this.deps;
    const to = normalizeRecipient(rawTo);
    const base = { to, text, statusReport: opts.statusReport ?? false, flash: opts.flash ?? false, validity: profile.sms.validityOctet, maxParts: profile.sms.maxParts };
    // Encode once to learn the part count; take a reference only for a long text (never a constant one).
    let encoded = encodeSubmit({ ...base, reference: 0 });
    if (encoded.parts > 1) encoded = encodeSubmit({ ...base, reference: this.refs.next(to) });
    const id = opts.id ?? tracker.newId();
    const priority = opts.priority ?? "normal";
    return new Promise<SmsSendResult>((resolve, reject) => {
      if (opts.signal?.aborted) return reject(new GatewayError("AT_ABORTED", "send aborted before it was queued"));
      if (opts.withdraw?.aborted) return reject(new GatewayError("AT_ABORTED", "send withdrawn before it was queued"));
      // The deadline timer and the abort listeners end with the job: a sent message must not stay referenced
      // until its deadline, nor from a caller's signal that outlives it.
      let expiry: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => this.cancel(job, new GatewayError("AT_ABORTED", "send aborted"));
      const onWithdraw = (): void => this.cancel(job, new GatewayError("AT_ABORTED", "send withdrawn before it was sent"));
      const settled = (): void => {
        clearTimeout(expiry);
        opts.signal?.removeEventListener("abort", onAbort);
        opts.withdraw?.removeEventListener("abort", onWithdraw);
      };
      const job: Job = {
        id,
        to,
        encoded,
        opts,
        deadlineAt: opts.deadlineMs !== undefined ? this.now() + opts.deadlineMs : undefined,
        resolve: (r) => (settled(), resolve(r)),
        reject: (e) => (settled(), reject(e)),
      };
      tracker.track(id, to, encoded.parts, base.statusReport);
      log.info({ id, to, parts: encoded.parts, coding: encoded.coding, priority, statusReport: base.statusReport }, "sms queued");
      this.queue.push({ priority, enqueuedAt: this.now(), item: job });
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      opts.withdraw?.addEventListener("abort", onWithdraw, { once: true });
      if (opts.deadlineMs !== undefined) {
        expiry = setTimeout(() => this.cancel(job, new GatewayError("SMS_QUEUE_EXPIRED", `not sent within ${opts.deadlineMs} ms`)), opts.deadlineMs);
        expiry.unref?.();
      }
      void this.drain();
    });
  }

  stats(): SmsQueueStats {
    const oldest = this.queue.oldest();
    return { depth: this.queue.length, oldestAgeMs: oldest === undefined ? 0 : Math.round(this.now() - oldest), byPriority: this.queue.countBy(), submittedParts: this.submittedParts, failedMessages: this.failedMessages };
  }

  /** The modem restarted: its `+CMMS` setting is gone. */
  modemRestarted(): void {
    this.cmmsActive = false;
    this.cmmsRefused = false;
  }

  /** Fails everything still queued (adapter stop). */
  close(): void {
    this.stopping.abort(new GatewayError("AT_ABORTED", "modem adapter stopped"));
    for (let q = this.queue.shift(); q; q = this.queue.shift()) this.fail(q.item, new GatewayError("AT_ABORTED", "modem adapter stopped"));
  }

  private cancel(job: Job, err: GatewayError): void {
    if (this.queue.remove((j) => j === job)) this.fail(job, err);
  }

  private fail(job: Job, err: GatewayError): void {
    this.failedMessages++;
    const cms = err.context["cms"];
    this.deps.tracker.failed(job.id, err.message, typeof cms === "number" ? { code: err.code, cms } : { code: err.code });
    job.reject(err);
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let q = this.queue.shift(); q; q = this.queue.shift()) await this.sendJob(q.item);
      if (this.cmmsActive) await this.setCmms(0);
    } finally {
      this.running = false;
    }
  }

  private async sendJob(job: Job): Promise<void> {
    const refusal = this.deps.refusal();
    if (refusal) return this.fail(job, refusal);
    const references: number[] = [];
    // `whole` ends the message even on the wire (link lost, adapter stopping); `beforeFirst` also fires on a
    // withdrawal (its alert ended), which counts only until part 1's AT+CMGS is written: then every part goes.
    const whole = linkSignals(job.opts.signal, this.stopping.signal);
    const beforeFirst = linkSignals(whole.signal, job.opts.withdraw);
    const parts = job.encoded.pdus.length;
    try {
      // The deadline counts the whole message and only before its first part: a message is begun only when
      // the rate limit lets every part go before the deadline, and once a part is out the rest follows (the
      // recipient must never get half an alert because the deadline passed between two parts).
      const wait = this.limiter.waitMs(parts);
      if (job.deadlineAt !== undefined && this.now() + wait > job.deadlineAt) {
        const left = Math.max(0, Math.round(job.deadlineAt - this.now()));
        throw new GatewayError("SMS_QUEUE_EXPIRED", `${job.id}: ${parts} part(s) cannot all be sent within the ${left} ms left (rate limit ${this.limiter.capacity}/min; next slots in ${Math.round(wait)} ms); nothing was sent`);
      }
      await this.limiter.waitFor(parts, beforeFirst.signal);
      for (const [i, pdu] of job.encoded.pdus.entries()) {
        if (i === 0) this.checkDeadline(job);
        await this.limiter.take(i === 0 ? beforeFirst.signal : whole.signal);
        const moreToCome = i < parts - 1 || this.queue.length > 0;
        if (moreToCome && this.deps.profile.sms.moreMessagesToSend && !this.cmmsActive && !this.cmmsRefused) await this.setCmms(2);
        const mr = await this.sendPart(job, pdu, i + 1, { signal: whole.signal, ...(i === 0 ? { withdraw: job.opts.withdraw, wake: beforeFirst.signal } : { wake: whole.signal }) });
        references.push(mr);
        this.submittedParts++;
        this.deps.tracker.partSubmitted(job.id, i + 1, mr);
      }
    } catch (err) {
      const e = isGatewayError(err) ? err : new GatewayError("SMS_SEND_FAILED", (err as Error).message, { cause: err });
      // Every result says which parts went out: a caller that retries must know the recipient has part 1.
      Object.assign(e.context, { id: job.id, parts, sentParts: references.length, references: [...references] });
      return this.fail(job, e);
    } finally {
      beforeFirst.dispose();
      whole.dispose();
    }
    this.deps.tracker.submitted(job.id);
    job.resolve({ id: job.id, to: job.to, parts: references.length, references, coding: job.encoded.coding, submittedAt: new Date() });
  }

  private checkDeadline(job: Job): void {
    if (job.deadlineAt !== undefined && this.now() > job.deadlineAt) throw new GatewayError("SMS_QUEUE_EXPIRED", `${job.id} passed its deadline before its first part was sent; nothing was sent`);
  }

  /** How long a part may wait for the modem: the deadline bounds only the first part. */
  private waitBudget(job: Job, first: boolean): number {
    const link = this.deps.linkWaitMs ?? 300_000;
    return job.deadlineAt === undefined || !first ? link : Math.max(1, Math.min(link, job.deadlineAt - this.now()));
  }

  /** `signal` ends the part even on the wire; `withdraw` only before it is written; `wake` ends a retry pause. */
  private async sendPart(job: Job, pdu: { hex: string; length: number }, sequence: number, s: { signal: AbortSignal; withdraw?: AbortSignal | undefined; wake: AbortSignal }): Promise<number> {
    const { engine, profile, log } = this.deps;
    const first = sequence === 1;
    const retry = this.deps.retry ?? profile.sms.retry;
    let ambiguousUsed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const exec = { priority: "operator" as const, timeoutMs: profile.at.sendTimeoutMs, deadlineMs: this.waitBudget(job, first), signal: s.signal, ...(s.withdraw ? { withdraw: s.withdraw } : {}) };
        const { reference } = await engine.execute(submitPdu, pdu, exec);
        this.deps.onModemResult(true);
        return reference;
      } catch (err) {
        const cls = classifySendError(err);
        const cms = isGatewayError(err, "AT_CMS_ERROR") ? Number(err.context["cms"]) : undefined;
        const context = { id: job.id, part: sequence, attempt, code: (err as GatewayError).code, cms };
        if (isGatewayError(err, "AT_EXPIRED")) throw new GatewayError("SMS_QUEUE_EXPIRED", `modem not available within ${this.waitBudget(job, first)} ms (${job.id} part ${sequence})`, { cause: err, context });
        if (isGatewayError(err, "AT_ABORTED")) throw err;
        if (cls === "permanent") {
          throw new GatewayError("SMS_REJECTED", `part ${sequence} rejected: ${cms !== undefined ? `+CMS ERROR: ${cms} (${cmsText(cms)})` : (err as Error).message}`, { cause: err, context });
        }
        if (cls === "modem") this.deps.onModemResult(false);
        const lastChance = cls === "ambiguous" ? ambiguousUsed : attempt >= retry.attempts;
        if (lastChance) {
          throw new GatewayError("SMS_SEND_FAILED", `part ${sequence} not sent after ${attempt} attempt(s): ${(err as Error).message}`, { cause: err, context });
        }
        if (cls === "ambiguous") ambiguousUsed = true;
        // After a lost link the engine holds the retry until the modem is back and initialised: no extra pause.
        const delay = isGatewayError(err, "LINK_LOST") ? 0 : backoffDelay(attempt - 1, { baseMs: retry.baseMs, capMs: retry.capMs, minMs: Math.min(retry.baseMs, 200) });
        log.warn({ ...context, class: cls, retryInMs: delay }, "sms part not sent; retrying");
        if (delay > 0) await sleep(delay, s.wake);
      }
    }
  }

  private async setCmms(mode: 0 | 2): Promise<void> {
    try {
      await this.deps.engine.execute(moreMessagesToSend, { mode }, { priority: "operator", timeoutMs: this.deps.profile.at.commandTimeoutMs });
      this.cmmsActive = mode === 2;
    } catch (err) {
      // Optional feature (27.005 §3.5.6): a modem that refuses it just sends without keeping the link.
      this.deps.log.debug({ mode, code: (err as GatewayError).code }, "AT+CMMS refused");
      this.cmmsActive = false;
      if (isGatewayError(err, ["AT_ERROR", "AT_CME_ERROR", "AT_CMS_ERROR"])) this.cmmsRefused = true;
    }
  }
}
