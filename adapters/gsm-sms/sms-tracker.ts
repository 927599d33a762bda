import type { SmsPartProgress, SmsProgress, SmsStage } from "../../src/ports/sms-modem.js";
import { classifyStatus } from "./pdu/index.js";

/**
 * Follows each SMS from the queue to the handset. Each part's TP-MR (`+CMGS: <mr>`) is recorded; a status
 * report (`+CDS`, TS 23.040 9.2.2.3) is matched to the newest submitted part with that TP-MR and the same
 * recipient (TP-MR is 0-255 and modem-assigned, so it repeats: the recipient disambiguates, and the
 * newest wins, as smstools3 pairs reports). "Delivered" means every part reached the handset; it is a
 * state, not an acknowledgement by a person.
 */
interface Tracked {
  id: string;
  to: string;
  statusReport: boolean;
  stage: SmsStage;
  parts: SmsPartProgress[];
  createdAt: number;
  submittedAt: number | undefined;
}

/** Receives every progress change. */
export type SmsProgressSink = (p: SmsProgress) => void;

/** Same subscriber? Compared on the last 8 digits: the SC reports `+46701234567` for a `0701234567` we sent. */
export function sameNumber(a: string, b: string): boolean {
  const norm = (s: string): string => s.replace(/\D/g, "").slice(-8);
  const x = norm(a);
  return x.length > 0 && x === norm(b);
}

/** Open messages by id, with their parts and TP-MRs. */
export class SmsTracker {
  private readonly open = new Map<string, Tracked>();
  private seq = 0;

  constructor(
    private readonly emit: SmsProgressSink,
    private readonly now: () => number = () => performance.now(),
    /** How long a submitted message waits for its reports (validity is 24 h by default). */
    private readonly ttlMs = 24 * 3600_000,
    private readonly maxTracked = 10_000,
  ) {}

  newId(): string {
    this.seq = (this.seq + 1) % 1e6;
    return `sms-${Date.now().toString(36)}-${this.seq}`;
  }

  get size(): number {
    return this.open.size;
  }

  track(id: string, to: string, parts: number, statusReport: boolean): void {
    if (this.open.size >= this.maxTracked) this.sweep(true);
    const list = Array.from({ length: parts }, (_, i): SmsPartProgress => ({ sequence: i + 1, status: "queued" }));
    const t: Tracked = { id, to, statusReport, stage: "queued", parts: list, createdAt: this.now(), submittedAt: undefined };
    this.open.set(id, t);
    this.progress(t, "queued");
  }

  /** One part was accepted by the SC with TP-MR `reference`. */
  partSubmitted(id: string, sequence: number, reference: number): void {
    const part = this.open.get(id)?.parts[sequence - 1];
    if (!part) return;
    part.reference = reference;
    part.status = "submitted";
  }

  /** Every part was accepted. Without status reports the message is then done. */
  submitted(id: string): void {
    const t = this.open.get(id);
    if (!t) return;
    t.submittedAt = this.now();
    this.progress(t, "submitted");
    if (!t.statusReport) this.open.delete(id);
  }

  failed(id: string, detail: string, error: { code: string; cms?: number }): void {
    const t = this.open.get(id);
    if (!t) return;
    this.open.delete(id);
    for (const p of t.parts) if (p.status === "queued") p.status = "failed";
    this.progress(t, "failed", detail, error);
  }

  /** A status report for TP-MR `reference` to `recipient` with TP-ST `status`. Returns the message id it matched. */
  report(recipient: string, reference: number, status: number): string | undefined {
    let best: { t: Tracked; part: SmsPartProgress } | undefined;
    for (const t of this.open.values()) {
      if (!t.statusReport || !sameNumber(t.to, recipient)) continue;
      for (const part of t.parts) {
        if (part.reference !== reference || (part.status !== "submitted" && part.status !== "pending")) continue;
        if (!best || (t.submittedAt ?? t.createdAt) >= (best.t.submittedAt ?? best.t.createdAt)) best = { t, part };
      }
    }
    if (!best) return undefined;
    const { t, part } = best;
    const cls = classifyStatus(status);
    part.deliveryStatus = cls.code;
    if (cls.class === "failed") {
      part.status = "failed";
      this.open.delete(t.id);
      this.progress(t, "failed", `part ${part.sequence}: ${cls.text}`, { code: "SMS_DELIVERY_FAILED" });
      return t.id;
    }
    if (cls.class === "pending") {
      part.status = "pending";
      this.progress(t, t.stage, `part ${part.sequence}: ${cls.text}`);
      return t.id;
    }
    part.status = "delivered";
    if (t.parts.every((p) => p.status === "delivered")) {
      this.open.delete(t.id);
      this.progress(t, "delivered", cls.text);
    }
    return t.id;
  }

  /** Forgets messages whose reports never came (they stay "submitted"); `force` also drops the oldest tenth. */
  sweep(force = false): number {
    const cutoff = this.now() - this.ttlMs;
    let n = 0;
    const drop = (id: string): void => {
      this.open.delete(id);
      n++;
    };
    for (const [id, t] of this.open) if (t.stage !== "queued" && t.createdAt < cutoff) drop(id);
    if (force && this.open.size >= this.maxTracked) {
      for (const [id, t] of [...this.open].slice(0, Math.ceil(this.maxTracked / 10))) if (t.stage !== "queued") drop(id);
    }
    return n;
  }

  private progress(t: Tracked, stage: SmsStage, detail?: string, error?: { code: string; cms?: number }): void {
    t.stage = stage;
    const p: SmsProgress = { id: t.id, to: t.to, stage, parts: t.parts.map((x) => ({ ...x })), at: new Date() };
    if (detail !== undefined) p.detail = detail;
    if (error !== undefined) p.error = error;
    this.emit(p);
  }
}
