import { issiFromItsi } from "../../src/shared/addresses.js";
import type { ReportRequest, SdsProgress, SdsStage, TetraAddress } from "../../src/ports/radio-terminal.js";

/**
 * Follows each sent SDS from acceptance to delivery. Correlation is by SDS-TL message reference and
 * destination, never by the `+CMGS` instance (Motorola answers instance 0 every time, svxlink PR #576);
 * a transmission result without a usable reference (status messages) goes to the oldest send still
 * waiting for one, in FIFO order.
 */
interface Tracked {
  id: string;
  to: TetraAddress;
  refs: number[];
  report: ReportRequest;
  stage: SdsStage;
  acceptedEmitted?: boolean;
  /** Parts whose transmission result (`+CMGS: i,4,ref`) is still due. */
  awaitingSent: number;
  /** References whose delivery report is still due, per wanted stage. */
  awaitingReceived: Set<number>;
  awaitingConsumed: Set<number>;
  createdAt: number;
}

export type ProgressSink = (p: SdsProgress) => void;

/** Digits compared on the last 8, as ITSI strings vary in length between radios (docs/pei.md §3.3, §10.11). */
export function sameSsi(a: string, b: string): boolean {
  return issiFromItsi(a) === issiFromItsi(b);
}

export class SdsTracker {
  private readonly open = new Map<string, Tracked>();
  /** References of SDS sent without tracking (SDS-ACKs) whose transmission result is still due; bounded. */
  private readonly untracked: number[] = [];
  private nextRef = 1 + Math.floor(Math.random() * 255);
  private seq = 0;

  constructor(
    private readonly emit: ProgressSink,
    private readonly now: () => number = () => performance.now(),
    private readonly ttlMs = 15 * 60_000,
  ) {}

  newId(): string {
    this.seq = (this.seq + 1) % 1e6;
    return `sds-${Date.now().toString(36)}-${this.seq}`;
  }

  /**
   * `count` consecutive references (concatenated parts use base+i, docs/pei.md §5.4), 1-255, never 0 (ftl-cli)
   * and never one still waiting for a report from the same destination.
   */
  allocateRefs(to: TetraAddress, count: number): number[] {
    const busy = new Set<number>();
    for (const t of this.open.values()) if (sameSsi(t.to.ssi, to.ssi)) t.refs.forEach((r) => busy.add(r));
    const take = (): number[] => {
      // Parts carry base+i (docs/pei.md §5.4); keep them within 1-255 without wrapping through 0.
      if (this.nextRef + count - 1 > 255) this.nextRef = 1;
      const refs = Array.from({ length: count }, (_, i) => this.nextRef + i);
      this.nextRef = this.nextRef + count > 255 ? 1 : this.nextRef + count;
      return refs;
    };
    for (let tries = 0; tries < 255; tries++) {
      const refs = take();
      if (refs.every((r) => !busy.has(r))) return refs;
    }
    // Every reference is in use toward this destination: reuse the oldest rather than refuse an alert.
    return take();
  }

  track(id: string, to: TetraAddress, refs: number[], report: ReportRequest, parts: number): void {
    const wantsReceived = report === "received" || report === "both";
    const wantsConsumed = report === "consumed" || report === "both";
    this.open.set(id, {
      id,
      to,
      refs,
      report,
      stage: "accepted",
      awaitingSent: parts,
      awaitingReceived: new Set(wantsReceived ? refs : []),
      awaitingConsumed: new Set(wantsConsumed ? refs : []),
      createdAt: this.now(),
    });
  }

  accepted(id: string): void {
    const t = this.open.get(id);
    // `+CMGS: 0,4,ref` may arrive between `+CMGS: 0` and `OK` (docs/pei.md §1.4): then "sent" came first and
    // the stage never moves backwards. A send already closed (delivered) needs no "accepted" either.
    if (t && t.stage === "accepted" && !t.acceptedEmitted) {
      t.acceptedEmitted = true;
      this.progress(t, "accepted");
    }
  }

  failed(id: string, detail: string, deliveryStatus?: number): void {
    const t = this.open.get(id);
    if (!t) return;
    this.open.delete(id);
    this.progress(t, "failed", detail, deliveryStatus);
  }

  /** An untracked SDS with this reference was handed to the terminal: its transmission result is not ours. */
  expectUntracked(reference: number): void {
    this.untracked.push(reference);
    if (this.untracked.length > 32) this.untracked.shift();
  }

  forgetUntracked(reference: number): void {
    const i = this.untracked.indexOf(reference);
    if (i >= 0) this.untracked.splice(i, 1);
  }

  /** `+CMGS: <instance>,<4|5>,<ref>`. Returns the id it was matched to. */
  transmission(status: number, reference: number | undefined): string | undefined {
    const waiting = [...this.open.values()].filter((t) => t.awaitingSent > 0);
    const byRef = reference !== undefined && reference > 0 ? waiting.find((w) => w.refs.includes(reference)) : undefined;
    // The result of an untracked SDS (an SDS-ACK) must not fall through to the FIFO fallback below.
    if (!byRef && reference !== undefined && this.untracked.includes(reference)) {
      this.forgetUntracked(reference);
      return undefined;
    }
    // A result naming a reference that no waiting send has (its send already closed by a report) must not
    // be credited to an unrelated send; only results without a usable reference (statuses) go FIFO.
    const t = byRef ?? (reference !== undefined && reference > 0 ? waiting.find((w) => w.refs.length === 0) : (waiting.find((w) => w.refs.length === 0) ?? waiting[0]));
    if (!t) return undefined;
    if (status === 5) {
      this.failed(t.id, "transmission over the air failed (+CMGS status 5)", status);
      return t.id;
    }
    t.awaitingSent--;
    if (t.awaitingSent === 0) {
      this.progress(t, "sent");
      this.closeIfDone(t);
    }
    return t.id;
  }

  /** SDS-REPORT or short report from `from` for `reference`. `kind` says what the destination confirmed. */
  report(from: string, reference: number, kind: "received" | "consumed" | "failed", deliveryStatus: number): string | undefined {
    const t = [...this.open.values()].find((x) => x.refs.includes(reference) && sameSsi(x.to.ssi, from));
    if (!t) return undefined;
    if (kind === "failed") {
      this.failed(t.id, "destination reported failed delivery", deliveryStatus);
      return t.id;
    }
    // "consumed" implies "received" (EN 300 392-2 clause 29.4.3.2).
    t.awaitingReceived.delete(reference);
    if (kind === "consumed") t.awaitingConsumed.delete(reference);
    if (t.awaitingReceived.size === 0 && t.stage !== "delivered" && t.stage !== "consumed") {
      if (t.awaitingSent > 0) t.awaitingSent = 0; // a report proves the transmission
      this.progress(t, "delivered", undefined, deliveryStatus);
    }
    if (kind === "consumed" && t.awaitingConsumed.size === 0 && (t.report === "consumed" || t.report === "both")) {
      this.progress(t, "consumed", undefined, deliveryStatus);
    }
    this.closeIfDone(t);
    return t.id;
  }

  /** Drops sends whose reports never came (they stay "sent"). Returns how many were dropped. */
  sweep(): number {
    const cutoff = this.now() - this.ttlMs;
    let n = 0;
    for (const [id, t] of this.open) {
      if (t.createdAt >= cutoff) continue;
      this.open.delete(id);
      n++;
      // Accepted but never reported sent (the terminal restarted or the result was lost): say so, so no
      // send stays "accepted" for ever. A send that was sent and only lacks its report stays "sent".
      if (t.awaitingSent > 0) this.progress(t, "failed", "no transmission result from the terminal (restarted or lost?)");
    }
    return n;
  }

  get size(): number {
    return this.open.size;
  }

  private closeIfDone(t: Tracked): void {
    if (t.awaitingSent === 0 && t.awaitingReceived.size === 0 && t.awaitingConsumed.size === 0) this.open.delete(t.id);
  }

  private progress(t: Tracked, stage: SdsStage, detail?: string, deliveryStatus?: number): void {
    t.stage = stage;
    const p: SdsProgress = { id: t.id, to: t.to, stage, messageReferences: t.refs, at: new Date() };
    if (detail !== undefined) p.detail = detail;
    if (deliveryStatus !== undefined) p.deliveryStatus = deliveryStatus;
    this.emit(p);
  }
}
