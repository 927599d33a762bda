import type { SdsBody, SdsSendResult, SendSdsOptions, TetraAddress } from "../../src/ports/radio-terminal.js";
import { linkSignals } from "../../src/shared/linked-signal.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { backoffDelay } from "../../src/shared/backoff.js";
import { sleep } from "../../src/shared/clock.js";
import type { AtEngine, ExecuteOptions } from "../at/at-engine.js";
import { selectSdsService, sendSdsPdu } from "./commands/sds-send.js";
import { encodeTextParts } from "./sds/concatenate.js";
import { encodeSdsAck, encodeStatus } from "./sds/encode-control.js";
import type { SdsTracker } from "./sds-tracker.js";
import type { TerminalProfile } from "./terminal-profile.js";
import { issiFromItsi, tetraAddress } from "../../src/shared/addresses.js";

/**
 * Encodes an SDS and puts each part through `AT+CTSDS` + `AT+CMGS`. Retries a part the terminal refused as
 * busy (`+CME ERROR: 42`/`3`: not accepted, so a retry cannot duplicate it; svxlink needed many retries
 * during group calls, docs/pei.md §10.6). A part whose `AT+CMGS` was cut off by a lost link may or may not have
 * been accepted: it is sent once more after the link returns (at-least-once, reliability goal R3).
 */
export interface SdsSenderDeps {
  engine: AtEngine;
  tracker: SdsTracker;
  profile: TerminalProfile;
  log: Logger;
  maxBits: () => number;
  /** Attempts per part on busy answers. Default 6. */
  busyAttempts?: number;
  /** False when the terminal is known not to be registered: CME 30 (out of service) is then final. */
  registered?: () => boolean | undefined;
}

interface Pdu {
  aiService: 12 | 13;
  hex: string;
  bits: number;
}

export class SdsSender {
  constructor(private readonly deps: SdsSenderDeps) {}

  async send(rawTo: TetraAddress, body: SdsBody, opts: SendSdsOptions): Promise<SdsSendResult> {
    const to = tetraAddress(rawTo.kind, rawTo.ssi);
    const { tracker, log } = this.deps;
    const { pdus, refs, report } = this.encode(to, body);
    const id = tracker.newId();
    tracker.track(id, to, refs, report, pdus.length);
    log.info({ id, to: to.ssi, kind: to.kind, type: body.type, parts: pdus.length, refs }, "sds send");
    let sentParts = 0;
    try {
      const deadline = opts.timeoutMs === undefined ? undefined : performance.now() + opts.timeoutMs;
      for (const pdu of pdus) {
        // `withdraw` counts until the first part is on its way; later parts always follow it.
        await this.sendPart(to, pdu, sentParts === 0 ? opts : { ...opts, withdraw: undefined }, deadline);
        sentParts++;
      }
    } catch (err) {
      // A multi-part text can fail after earlier parts went out: say so, with the id and references, so
      // the caller neither reports "not accepted" nor resends what the recipient already has.
      const e = isGatewayError(err) ? err : new GatewayError("AT_ERROR", (err as Error).message, { cause: err });
      Object.assign(e.context, { id, parts: pdus.length, sentParts, messageReferences: refs });
      tracker.failed(id, sentParts > 0 ? `${sentParts} of ${pdus.length} parts accepted, then: ${e.message}` : e.message);
      throw e;
    }
    tracker.accepted(id);
    return { id, messageReferences: refs, parts: pdus.length, acceptedAt: new Date() };
  }

  /**
   * Answers an SDS-REPORT that asked for an SDS-ACK (EN 300 392-2 clause 29.4.2.2, docs/pei.md §5.6). Never rejects.
   * The caller must hold the same lock as `send` (its AT+CTSDS/AT+CMGS pair must not interleave with another).
   */
  async acknowledgeReport(to: string, protocolId: number, reportStatus: number, messageReference: number): Promise<void> {
    // Delivery status table 29.16: 0x01 "receipt report acknowledged", 0x03 "consumed report acknowledged".
    const deliveryStatus = reportStatus === 0x00 ? 0x01 : reportStatus === 0x02 ? 0x03 : reportStatus;
    const pdu = encodeSdsAck({ protocolId, deliveryStatus, messageReference });
    // The ack's own `+CMGS: 0,4,<ref>` was credited to a tracked send still waiting for its result, which
    // then read "sent" although it failed on the air (sds-ack.test.ts).
    this.deps.tracker.expectUntracked(messageReference);
    try {
      // The sender may be named by its full TSI (15-17 digits, docs/pei.md §3.3); the SSI is its last 8 digits.
      // Bounded: an ack must never hold the send lock through a long link outage.
      await this.sendPart(tetraAddress("issi", issiFromItsi(to)), pdu, { priority: "normal" }, performance.now() + 10_000);
    } catch (err) {
      this.deps.tracker.forgetUntracked(messageReference);
      this.deps.log.warn({ err: (err as Error).message, to }, "SDS-ACK not sent");
    }
  }

  private encode(to: TetraAddress, body: SdsBody): { pdus: Pdu[]; refs: number[]; report: "none" | "received" | "consumed" | "both" } {
    if (body.type === "status") {
      const pdu = encodeStatus(body.value);
      return { pdus: [pdu], refs: [], report: "none" };
    }
    const group = to.kind === "gssi";
    const report = body.simple ? "none" : (body.report ?? "none");
    if (group && report !== "none") {
      throw new GatewayError("SDS_INVALID", "delivery reports cannot be requested from a group (EN 300 392-2 clause 29.4.3.2: status 0x47)");
    }
    const base = { group, deliveryReport: report, maxBits: this.deps.maxBits() } as const;
    if (body.simple) {
      const enc = encodeTextParts(body.text, { simple: true, immediate: body.immediate ?? false, maxBits: base.maxBits });
      return { pdus: enc.parts.map((p) => ({ aiService: 12 as const, ...p })), refs: [], report };
    }
    // Encode once to learn the part count, then with references reserved for that many parts.
    const probe = encodeTextParts(body.text, { ...base, messageReference: 1, immediate: body.immediate ?? false });
    const refs = this.deps.tracker.allocateRefs(to, probe.parts.length);
    const enc = encodeTextParts(body.text, { ...base, messageReference: refs[0]!, immediate: body.immediate ?? false });
    return { pdus: enc.parts.map((p) => ({ aiService: 12 as const, ...p })), refs, report };
  }

  private async sendPart(to: TetraAddress, pdu: Pdu, opts: SendSdsOptions, deadline?: number): Promise<void> {
    const { engine, profile, log } = this.deps;
    const attempts = this.deps.busyAttempts ?? 6;
    let linkRetryUsed = false;
    let orphanRetryUsed = false;
    for (let attempt = 1; ; attempt++) {
      const exec: ExecuteOptions = { priority: opts.priority ?? "normal" };
      if (opts.signal) exec.signal = opts.signal;
      if (opts.withdraw) exec.withdraw = opts.withdraw;
      // A bounded send: commands that cannot start before the deadline (link down, queue full of other
      // work) fail with AT_EXPIRED instead of waiting for ever, so the caller can fall back to SMS.
      if (deadline !== undefined) exec.deadlineMs = Math.max(1, deadline - performance.now());
      try {
        // Profile timeout rather than the command's fixed 3 s (as for the state reads, fault-timing.test.ts).
        await engine.execute(selectSdsService, { aiService: pdu.aiService, e2ee: profile.pei.e2ee }, { ...exec, timeoutMs: profile.pei.commandTimeoutMs });
        await engine.execute(sendSdsPdu, { ssi: to.ssi, bits: pdu.bits, hex: pdu.hex }, { ...exec, timeoutMs: profile.pei.sendTimeoutMs });
        return;
      } catch (err) {
        // 3/42: busy or wrong state; 30: out of service, e.g. just after a reboot before registration
        // (EN 300 392-5 error list, docs/pei.md §1.3). None of them accepted the message, so a retry cannot duplicate it.
        // 30 is retried only while registration is unknown (just after a reboot): a terminal known to be out
        // of service would burn every attempt on it while the caller should already be falling back.
        const cme = isGatewayError(err, "AT_CME_ERROR") ? Number(err.context["cme"]) : undefined;
        const busy = cme !== undefined && (profile.pei.transientCme.includes(cme) || (cme === 30 && this.deps.registered?.() !== false));
        const lost = isGatewayError(err, "LINK_LOST") && !linkRetryUsed;
        // CME 36: user data arrived without its AT+CMGS line (lost on the wire), proof that nothing was sent:
        // one more try at once is safe.
        const orphan = cme === 36 && !orphanRetryUsed;
        if (!(busy && attempt < attempts) && !lost && !orphan) throw err;
        if (lost) linkRetryUsed = true;
        if (orphan) orphanRetryUsed = true;
        // A rate-limiting terminal answers 42 until its window has passed: pauses from the profile (at least
        // `baseMs` each), not six quick repeats within 3 s. A lost link is retried after a short pause.
        const { baseMs, capMs } = profile.pei.busyBackoff;
        const delay = orphan ? 0 : lost ? backoffDelay(0, { baseMs: 250, capMs: 250, minMs: 200 }) : backoffDelay(attempt - 1, { baseMs, capMs, minMs: baseMs });
        if (deadline !== undefined && performance.now() + delay > deadline) throw err;
        log.warn({ to: to.ssi, attempt, code: (err as GatewayError).code, retryInMs: delay }, "sds part not accepted; retrying");
        // A withdrawal (part 1 only) ends the pause too: a cancelled alert must not hold the send lock for it.
        const wake = linkSignals(opts.signal, opts.withdraw);
        try {
          await sleep(delay, wake.signal);
        } finally {
          wake.dispose();
        }
      }
    }
  }
}
