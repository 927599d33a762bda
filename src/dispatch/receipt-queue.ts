import { join } from "node:path";
import type { Clock } from "../shared/clock.js";
import { readFileIfExists, writeFileDurable } from "../shared/durable-file.js";
import type { Logger } from "../shared/logger.js";
import type { StoredAlert } from "./alert-model.js";
import type { ChannelPorts } from "./channel-ports.js";

/** A `KVITTO …` the gateway owes an activator (README "Alerts and acknowledgements"). */
export interface OwedReceipt {
  /** `<alert id>:receipt:first|final`, also the send id (a resend after a restart is the same message). */
  id: string;
  alert: string;
  channel: "sds" | "sms";
  to: string;
  text: string;
  /** Wall time (ISO) after which the receipt is no longer worth sending. */
  notAfter: string;
}

/**
 * The receipt owed for an alert: bounded by the alert's deadline; a final receipt made at expiry gets one
 * answer timeout of grace.
 */
export function owedReceipt(a: Pick<StoredAlert, "id" | "deadline" | "ackTimeoutS">, to: Pick<OwedReceipt, "channel" | "to">, final: boolean, text: string, nowMs: number): OwedReceipt {
  const deadline = Date.parse(a.deadline);
  const notAfter = final ? Math.max(deadline, nowMs + a.ackTimeoutS * 1000) : deadline;
  return { id: `${a.id}:receipt:${final ? "final" : "first"}`, alert: a.id, ...to, text, notAfter: new Date(notAfter).toISOString() };
}

/** Where owed receipts are kept between restarts (the unit tests give an in-memory one). */
export interface OwedReceiptFile {
  load(): OwedReceipt[];
  save(list: readonly OwedReceipt[]): Promise<void>;
}

/** `<dir>/receipts-owed.json`, rewritten durably (fsync + rename + directory fsync) on every change. */
export function owedReceiptFile(dir: string, log: Logger): OwedReceiptFile {
  const path = join(dir, "receipts-owed.json");
  return {
    load(): OwedReceipt[] {
      try {
        const parsed = JSON.parse(readFileIfExists(path) ?? "[]") as unknown;
        return Array.isArray(parsed) ? (parsed as OwedReceipt[]).filter((r) => typeof r?.id === "string" && typeof r.to === "string") : [];
      } catch (err) {
        log.error({ err, path }, "owed receipts file unreadable; starting without it");
        return [];
      }
    },
    save: (list) => writeFileDurable(path, JSON.stringify(list)),
  };
}

/**
 * Receipts to activators that could not go out because their channel was not ready: kept durably and
 * sent when the link comes back, until the alert's deadline (`notAfter`). A receipt is recorded before it
 * is sent and forgotten once the link accepted it, so a crash in between sends it again (at-least-once).
 */
export class ReceiptQueue {
  private owed: OwedReceipt[];
  private readonly sending = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly d: { file: OwedReceiptFile; ports: ChannelPorts; clock: Clock; log: Logger }) {
    this.log = d.log.child({ mod: "dispatch-receipts" });
    this.owed = d.file.load();
  }

  pending(): readonly OwedReceipt[] {
    return this.owed;
  }

  async add(r: OwedReceipt): Promise<void> {
    if (this.owed.some((x) => x.id === r.id)) return;
    this.owed.push(r);
    await this.persist();
    await this.flush();
  }

  /** Sends every owed receipt whose channel is ready; drops those past their deadline. Call on link changes. */
  async flush(): Promise<void> {
    const now = this.d.clock.wallNow().getTime();
    const expired = this.owed.filter((r) => Date.parse(r.notAfter) < now);
    if (expired.length > 0) {
      for (const r of expired) this.log.warn({ event: "receipt-dropped", alert: r.alert, id: r.id }, "receipt not sent before the alert's deadline; dropped");
      this.owed = this.owed.filter((r) => !expired.includes(r));
      await this.persist();
    }
    await Promise.all(this.owed.filter((r) => !this.sending.has(r.id)).map((r) => this.trySend(r)));
  }

  private async trySend(r: OwedReceipt): Promise<void> {
    if (!this.d.ports.ready(r.channel)) return void this.log.warn({ event: "receipt-waiting", alert: r.alert, id: r.id }, "receipt owed: channel not ready; sent when it comes back");
    this.sending.add(r.id);
    try {
      await this.d.ports.send(r.channel, r.to, r.text, { priority: "operator", id: r.id, timeoutMs: 60_000, report: false });
      this.owed = this.owed.filter((x) => x.id !== r.id);
      await this.persist();
      this.log.info({ event: "receipt-sent", alert: r.alert, id: r.id }, "receipt sent to the activator");
    } catch (err) {
      this.log.warn({ err, alert: r.alert, id: r.id }, "receipt not sent; retried when the link changes");
    } finally {
      this.sending.delete(r.id);
    }
  }

  private async persist(): Promise<void> {
    await this.d.file.save(this.owed).catch((err: unknown) => this.log.error({ err }, "owed receipts not persisted"));
  }
}
