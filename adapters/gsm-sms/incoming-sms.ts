import type { ReceivedSms } from "../../src/ports/sms-modem.js";
import { isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { Mutex } from "../../src/shared/mutex.js";
import type { AtEngine, ExecuteOptions } from "../at/at-engine.js";
import { acknowledgeNew, deleteStored, listStored, readStored, type StoredPdu } from "./commands/sms-commands.js";
import { pduKey, type InboxPart, type InboxStore } from "./inbox-store.js";
import { decodePdu, SmsReassembler, type DecodedDeliver, type IncompleteMessage, type ReassembledMessage } from "./pdu/index.js";
import type { DirectPdu, StoredIndication } from "./urc/modem-urcs.js";

/**
 * Receiving: every SMS-DELIVER is persisted (fsynced) before `AT+CMGD` deletes it from the modem/SIM, then
 * reassembled (TS 23.040 9.2.3.24.1) and handed on as one typed event; status reports go to the tracker.
 *   +CMTI: "SM",3 ─► AT+CMGR=3 ─► decode ─► inbox (fsync) ─► AT+CMGD=3 ─► reassembler ─► "sms"
 *   +CMT / +CDS (routed directly) ─► same, without the delete;  AT+CMGL=4 sweep catches lost +CMTI.
 * A PDU already on disk (crash between fsync and delete) is deleted again but not handed on twice. A message
 * is marked handed on only after its listeners' durable work (`ReceivedSms.waitUntil`) has settled.
 */
export interface IncomingSmsDeps {
  engine: AtEngine;
  store: InboxStore;
  log: Logger;
  modemName: string;
  onSms: (sms: ReceivedSms) => void;
  onStatusReport: (recipient: string, reference: number, status: number) => void;
  /** `AT+CNMA` after each direct `+CMT`/`+CDS` (only when the modem runs `AT+CSMS=1`). */
  ackDirect: boolean;
  now?: () => number;
  /** Reassembly timeout (Gammu MultipartTimeout 600 s). */
  reassemblyTimeoutMs?: number;
  /**
   * Messages are read, persisted and deleted from the SIM at once, but handed on only when this settles:
   * the gateway opens it once alert dispatch listens, so an activation read at start-up (it arrived while
   * the gateway was down) is not handed to nobody. Default: hand on at once.
   */
  gate?: Promise<void>;
}

interface Assembly {
  keys: string[];
  sentAt: string;
}

/** Reads, persists, deletes and reassembles incoming SMS of one modem. */
export class IncomingSms {
  private readonly lock = new Mutex();
  private readonly reassembler: SmsReassembler;
  private readonly assemblies = new Map<string, Assembly>();
  private seq = 0;
  private readonly opts: ExecuteOptions = { priority: "normal" };

  constructor(private readonly deps: IncomingSmsDeps) {
    const now = deps.now ?? (() => performance.now());
    this.reassembler = new SmsReassembler({ now, timeoutMs: deps.reassemblyTimeoutMs ?? 600_000 });
  }

  /** Feeds parts that were persisted but never handed on (restart during reassembly). */
  resume(): void {
    for (const p of this.deps.store.pendingParts()) this.deliverPart(p);
  }

  onStored(ind: StoredIndication): Promise<void> {
    return this.lock.run(() => this.readAndDelete(ind.index));
  }

  onDirect(urc: DirectPdu): Promise<void> {
    return this.lock.run(async () => {
      this.handlePdu(urc.hex, urc.length);
      if (this.deps.ackDirect) await this.deps.engine.execute(acknowledgeNew, undefined, this.opts).catch((err: unknown) => this.deps.log.warn({ err: (err as Error).message }, "AT+CNMA failed"));
    });
  }

  /** Reads everything stored (`AT+CMGL=4`): messages whose indication was lost, or that came while we were away. */
  sweep(): Promise<number> {
    return this.lock.run(async () => {
      const list = await this.deps.engine.execute(listStored, { stat: 4 }, { ...this.opts, priority: "housekeeping" });
      let n = 0;
      for (const s of list) if (s.index !== undefined && (await this.handleStored(s, s.index))) n++;
      return n;
    });
  }

  /** Hands on messages whose missing parts did not come within the timeout, flagged incomplete. */
  expire(): void {
    for (const m of this.reassembler.sweep()) this.emitMessage(m, false);
  }

  private async readAndDelete(index: number): Promise<void> {
    const stored = await this.deps.engine.execute(readStored, { index }, this.opts);
    if (!stored) return;
    await this.handleStored(stored, index);
  }

  /** Returns true when the slot held something received and it was deleted. */
  private async handleStored(s: StoredPdu, index: number): Promise<boolean> {
    // 27.005 §3.1 <stat> 2/3 are stored outgoing messages: not ours to consume.
    if (s.stat === 2 || s.stat === 3) return false;
    this.handlePdu(s.hex, s.length);
    try {
      await this.deps.engine.execute(deleteStored, { index }, this.opts);
      return true;
    } catch (err) {
      // Left on the SIM: the next sweep reads it again and recognises it as already persisted.
      this.deps.log.warn({ index, code: isGatewayError(err) ? err.code : undefined }, "stored SMS not deleted");
      return false;
    }
  }

  /** Decodes, persists (fsync) and routes one PDU. Throws only when the disk write fails: then nothing is deleted. */
  private handlePdu(hex: string, length: number | undefined): void {
    const decoded = decodePdu(hex, length);
    if (decoded.ok && decoded.value.type === "status-report") {
      const r = decoded.value;
      this.deps.log.info({ reference: r.messageReference, status: r.status.code, class: r.status.class }, "sms status report");
      this.deps.onStatusReport(r.recipient.address, r.messageReference, r.status.code);
      return;
    }
    const key = pduKey(hex);
    if (this.deps.store.has(key)) {
      this.deps.log.info({ key }, "sms already persisted; duplicate not handed on");
      return;
    }
    const part = this.toPart(key, hex, decoded.ok && decoded.value.type === "deliver" ? decoded.value : undefined, decoded.ok ? undefined : decoded.reason);
    this.deliverPart(this.deps.store.appendPart(part));
  }

  private toPart(key: string, hex: string, d: DecodedDeliver | undefined, error: string | undefined): Omit<InboxPart, "kind"> {
    const base = { key, modem: this.deps.modemName, receivedAt: new Date().toISOString(), pdu: hex };
    if (!d) return { ...base, from: null, sentAt: null, concat: null, text: null, error: error ?? "not an SMS-DELIVER" };
    const concat = d.concat ? { reference: d.concat.reference, total: d.concat.total, sequence: d.concat.sequence } : null;
    const text = d.text ?? (d.dataHex !== null ? `[data ${d.dataHex}]` : null);
    return { ...base, from: d.originator.address, sentAt: d.timestamp.utc, concat, text };
  }

  private deliverPart(p: InboxPart): void {
    if (p.text === null || p.from === null) {
      this.deps.log.warn({ key: p.key, reason: p.error }, "received PDU not decodable; kept in the inbox file only");
      this.deps.store.markEmitted(`undecodable-${p.key}`, [p.key]);
      return;
    }
    const sentAt = p.sentAt ?? p.receivedAt;
    if (!p.concat || p.concat.total === 1) {
      return this.emitMessage({ originator: p.from, reference: 0, total: 1, text: p.text }, true, { keys: [p.key], sentAt });
    }
    const akey = JSON.stringify([p.from, p.concat.reference, p.concat.total]);
    const asm = this.assemblies.get(akey) ?? { keys: [], sentAt };
    asm.keys.push(p.key);
    this.assemblies.set(akey, asm);
    const r = this.reassembler.add({ originator: p.from, reference: p.concat.reference, total: p.concat.total, sequence: p.concat.sequence, text: p.text });
    if (r.status === "complete") this.emitMessage(r.message, true);
    else if (r.status === "pending" && r.evicted) this.emitMessage(r.evicted, false);
  }

  private emitMessage(m: ReassembledMessage | IncompleteMessage, complete: boolean, single?: Assembly): void {
    const akey = JSON.stringify([m.originator, m.reference, m.total]);
    const asm = single ?? this.assemblies.get(akey) ?? { keys: [], sentAt: new Date().toISOString() };
    this.assemblies.delete(akey);
    this.seq = (this.seq + 1) % 1e6;
    const id = `rx-${Date.now().toString(36)}-${this.seq}`;
    const sms: ReceivedSms = { id, from: m.originator, text: m.text, complete, parts: m.total, sentAt: asm.sentAt, receivedAt: new Date(), modem: this.deps.modemName };
    if ("missing" in m) sms.missing = m.missing;
    const work: Promise<unknown>[] = [];
    sms.waitUntil = (p) => void work.push(p);
    const handOn = (): void => {
      this.deps.log.info({ id, from: m.originator, parts: m.total, complete }, "sms received");
      this.deps.onSms(sms);
      // Marked handed on only once every listener's durable work has settled (ReceivedSms.waitUntil): a
      // crash before that hands the message on again after the restart instead of losing it.
      void Promise.allSettled(work).then(() => {
        try {
          this.deps.store.markEmitted(id, asm.keys);
        } catch (err) {
          this.deps.log.error({ id, err }, "inbox: could not mark an SMS handed on; it will be handed on again after a restart");
        }
      });
    };
    if (this.deps.gate) void this.deps.gate.then(handOn);
    else handOn();
  }
}
