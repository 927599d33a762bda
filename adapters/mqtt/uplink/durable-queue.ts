import { mkdir, open, readFile, copyFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../../src/shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../../../src/shared/typed-emitter.js";
import { removeStaleTemps, writeFileDurable } from "../../../src/shared/durable-file.js";
import { decodeRecord, encodeRecord, type JournalRecord } from "./journal-codec.js";

/**
 * Messages bound for the regional broker, kept in an fsynced append-only journal (journal-codec.ts) until
 * the broker PUBACKs them, so a link outage, a gateway restart or a power cut loses none of them and they
 * leave in their original order. Not lowdb: its writer never fsyncs (docs/reliability.md, lowdb #549).
 *
 * Appends are group-committed (one fdatasync per batch). Acks advance a head pointer over contiguous
 * sequence numbers. When the queue exceeds `maxMessages`/`maxBytes` the oldest messages are dropped and a
 * `dropped` event says how many and which topics. The journal is rewritten atomically (compaction) once
 * most of it is done.
 *
 * A retained message supersedes the pending retained message on its topic that has not been handed to the
 * broker yet: a retained topic carries a state, and the broker keeps only its last one anyway. Without
 * that, an outage while a 190-recipient alert ran held every version of its document (about 30 KB each,
 * 11 MiB in all; docs/reliability.md, R9). Messages that are not retained are never superseded. The journal
 * keeps no record of a superseding: reopened, the queue supersedes again (nothing is in flight then).
 */
export interface QueuedMessage {
  seq: number;
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

/** What the cap dropped: count, sequence range and a sample of topics. */
export interface DroppedReport {
  count: number;
  firstSeq: number;
  lastSeq: number;
  /** Up to 10 distinct topics of the dropped messages. */
  topics: string[];
}

/** Where the journal lives and how big the queue may grow. */
export interface DurableQueueOptions {
  dir: string;
  maxMessages: number;
  maxBytes: number;
  log: Logger;
  /** Rewrite the journal when this many done records have accumulated. Default 2000. */
  compactAfter?: number;
}

/** Done records a journal may hold at open before it is rewritten with only its pending messages. */
const COMPACT_AT_OPEN = 1000;

/** File name of the journal inside `dir`. */
export const JOURNAL_FILE = "uplink-queue.jsonl";

/** The upstream queue; open with `DurableQueue.open()`. */
export class DurableQueue {
  private readonly pending: QueuedMessage[] = [];
  private readonly acked = new Set<number>();
  /** The newest pending retained message of each topic, by seq. */
  private readonly retainedSeq = new Map<string, number>();
  private nextSeq = 1;
  private bytes = 0;
  private doneRecords = 0;
  private batch: { buf: Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private compactWanted = false;
  private readonly events: TypedEmitter<{ dropped: (r: DroppedReport) => void }>;

  private constructor(
    private readonly opts: DurableQueueOptions,
    private fh: FileHandle,
  ) {
    this.events = new TypedEmitter((err) => opts.log.error({ mod: "uplink-queue", err }, "listener failed"));
  }

  /** Opens (and recovers) the journal in `dir`. */
  static async open(opts: DurableQueueOptions): Promise<DurableQueue> {
    await mkdir(opts.dir, { recursive: true });
    const path = join(opts.dir, JOURNAL_FILE);
    const stale = await removeStaleTemps(path);
    if (stale.length > 0) opts.log.warn({ mod: "uplink-queue", event: "stale-temp-removed", removed: stale.length }, "temp files of an interrupted compaction removed");
    const recovered = await recover(path, opts.log);
    const fh = await open(path, "a", 0o600);
    const q = new DurableQueue(opts, fh);
    q.nextSeq = recovered.nextSeq;
    for (const m of recovered.messages) {
      q.pushPending(m);
      q.supersede(m, 0); // nothing is in flight yet
    }
    if (recovered.rewrite) await q.compactNow();
    opts.log.info({ mod: "uplink-queue", pending: q.pending.length, bytes: q.bytes, nextSeq: q.nextSeq }, "upstream queue opened");
    return q;
  }

  get size(): number {
    return this.pending.length;
  }
  get totalBytes(): number {
    return this.bytes;
  }
  /** Sequence number of the oldest pending message (or the next one to be appended). */
  get headSeq(): number {
    return this.pending[0]?.seq ?? this.nextSeq;
  }

  on(event: "dropped", fn: (r: DroppedReport) => void): Unsubscribe {
    return this.events.on(event, fn);
  }

  /**
   * Appends one message; resolves after it is fsynced. Returns its sequence number. A retained message
   * supersedes the pending retained one on its topic when that one's seq is `supersedeFrom` or later (the
   * caller's first seq not yet handed to the broker); the default supersedes none.
   */
  async append(m: Omit<QueuedMessage, "seq">, supersedeFrom = Infinity): Promise<number> {
    const head = this.headSeq;
    const msg: QueuedMessage = { ...m, seq: this.nextSeq++ };
    this.pushPending(msg);
    this.supersede(msg, supersedeFrom);
    const dropped = this.enforceCap();
    const headMoved = dropped || this.headSeq !== head;
    await this.write([encodeRecord({ t: "m", s: msg.seq, tp: msg.topic, p: msg.payload.toString("base64"), q: msg.qos, r: msg.retain, at: new Date().toISOString() }), ...(headMoved ? [encodeRecord({ t: "h", s: this.headSeq })] : [])]);
    return msg.seq;
  }

  /** Pending messages with `seq >= fromSeq`, oldest first, at most `max`. */
  peek(fromSeq: number, max: number): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    for (const m of this.pending) {
      if (m.seq < fromSeq) continue;
      out.push(m);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Marks one message done (PUBACKed). The head record is written with the next batch. */
  async ack(seq: number): Promise<void> {
    if (seq < this.headSeq || this.indexOf(seq) < 0) return; // already done, dropped or superseded
    this.acked.add(seq);
    let advanced = false;
    while (this.pending[0] && this.acked.has(this.pending[0].seq)) {
      this.release(this.pending.shift() as QueuedMessage);
      advanced = true;
    }
    if (!advanced) return;
    if (this.doneRecords >= (this.opts.compactAfter ?? 2000)) this.compactWanted = true;
    await this.write([encodeRecord({ t: "h", s: this.headSeq })]);
  }

  async close(): Promise<void> {
    await this.writing;
    await this.fh.close();
  }

  private pushPending(m: QueuedMessage): void {
    this.pending.push(m);
    this.bytes += m.payload.length;
  }

  /** Accounts for a message that left `pending` (done, dropped or superseded). */
  private release(m: QueuedMessage): void {
    this.acked.delete(m.seq);
    this.bytes -= m.payload.length;
    this.doneRecords++;
    if (this.retainedSeq.get(m.topic) === m.seq) this.retainedSeq.delete(m.topic);
  }

  /** Removes the pending retained message `m` supersedes (its topic's, with seq >= `from`), if any. */
  private supersede(m: QueuedMessage, from: number): void {
    if (!m.retain) return;
    const prev = this.retainedSeq.get(m.topic);
    this.retainedSeq.set(m.topic, m.seq);
    if (prev === undefined || prev < from) return;
    const i = this.indexOf(prev);
    if (i < 0) return;
    this.release(this.pending.splice(i, 1)[0] as QueuedMessage);
  }

  /** Index of `seq` in `pending` (sorted by seq), or -1. */
  private indexOf(seq: number): number {
    let lo = 0;
    let hi = this.pending.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = (this.pending[mid] as QueuedMessage).seq;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private enforceCap(): boolean {
    const dropped: QueuedMessage[] = [];
    while (this.pending.length > 1 && (this.pending.length > this.opts.maxMessages || this.bytes > this.opts.maxBytes)) {
      const m = this.pending.shift() as QueuedMessage;
      this.release(m);
      dropped.push(m);
    }
    if (dropped.length === 0) return false;
    const report: DroppedReport = { count: dropped.length, firstSeq: dropped[0]?.seq ?? 0, lastSeq: dropped.at(-1)?.seq ?? 0, topics: [...new Set(dropped.map((m) => m.topic))].slice(0, 10) };
    this.opts.log.warn({ mod: "uplink-queue", event: "queue-dropped", ...report, maxMessages: this.opts.maxMessages, maxBytes: this.opts.maxBytes }, "upstream queue full: oldest messages dropped");
    this.events.emit("dropped", report);
    return true;
  }

  /** Group commit: every buffer handed in while a write+fdatasync runs goes out in the next one. */
  private write(bufs: Buffer[]): Promise<void> {
    const p = new Promise<void>((resolve, reject) => this.batch.push({ buf: Buffer.concat(bufs), resolve, reject }));
    this.writing ??= this.drain();
    return p;
  }

  /** The only writer of the file: batches, then (when asked, and idle) compaction, never both at once. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.batch.length === 0) {
        if (!this.compactWanted) break;
        this.compactWanted = false;
        await this.compactNow().catch((err: unknown) => this.opts.log.error({ mod: "uplink-queue", err }, "journal compaction failed"));
        continue;
      }
      const items = this.batch;
      this.batch = [];
      try {
        await this.fh.write(Buffer.concat(items.map((i) => i.buf)));
        await this.fh.datasync();
        for (const i of items) i.resolve();
      } catch (err) {
        this.opts.log.error({ mod: "uplink-queue", err }, "journal write failed");
        for (const i of items) i.reject(err);
      }
    }
    this.writing = undefined;
  }

  /**
   * Rewrites the journal with only the pending messages (atomic: temp file, fsync, rename, fsync dir).
   * Runs only inside drain() or before the queue is shared, so no append can hit the old file meanwhile.
   */
  private async compactNow(): Promise<void> {
    const path = join(this.opts.dir, JOURNAL_FILE);
    const recs: JournalRecord[] = [{ t: "h", s: this.headSeq }, ...this.pending.map((m): JournalRecord => ({ t: "m", s: m.seq, tp: m.topic, p: m.payload.toString("base64"), q: m.qos, r: m.retain, at: "" }))];
    await writeFileDurable(path, Buffer.concat(recs.map(encodeRecord)));
    await this.fh.close();
    this.fh = await open(path, "a", 0o600);
    this.doneRecords = 0;
  }
}

interface Recovered {
  messages: QueuedMessage[];
  nextSeq: number;
  /** True when the file must be rewritten: it had a bad record, or mostly records of messages already done. */
  rewrite: boolean;
}

/** Reads the journal up to the first bad record (docs/reliability.md #35); keeps a copy of a damaged file. */
async function recover(path: string, log: Logger): Promise<Recovered> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { messages: [], nextSeq: 1, rewrite: false };
    throw err;
  }
  const lines = text.split("\n");
  // A record counts only with its newline (written in the same write, before the fsync that acknowledged
  // it). A last line without one was cut short — even when its CRC happens to pass (the cut fell right on
  // the newline) — and must go, or the next append would glue onto it and hide every later record.
  const unterminated = lines.at(-1) !== "";
  if (!unterminated) lines.pop();
  // Payloads stay base64 until the head is known: most records of a long-lived journal are done.
  const byseq = new Map<number, { seq: number; topic: string; p: string; qos: 0 | 1; retain: boolean }>();
  let head = 1;
  let maxSeq = 0;
  let bad = -1;
  for (const [i, line] of lines.entries()) {
    const r = unterminated && i === lines.length - 1 ? ({ ok: false, reason: "no newline: cut short" } as const) : decodeRecord(line);
    if (!r.ok) {
      bad = i;
      const tail = i === lines.length - 1;
      if (!tail) await copyFile(path, `${path}.corrupt-${Date.now()}`).catch(() => undefined);
      log[tail ? "warn" : "error"]({ mod: "uplink-queue", event: "journal-bad-record", line: i + 1, of: lines.length, reason: r.reason }, tail ? "torn last journal record discarded" : "journal damaged; records after the bad one are ignored (copy kept)");
      break;
    }
    const rec = r.value;
    maxSeq = Math.max(maxSeq, rec.s);
    if (rec.t === "h") head = Math.max(head, rec.s);
    else byseq.set(rec.s, { seq: rec.s, topic: rec.tp, p: rec.p, qos: rec.q, retain: rec.r });
  }
  const messages = [...byseq.values()]
    .filter((m) => m.seq >= head)
    .sort((a, b) => a.seq - b.seq)
    .map(({ p, ...m }): QueuedMessage => ({ ...m, payload: Buffer.from(p, "base64") }));
  // The running queue compacts after `compactAfter` done records, but counts from zero at every start: a
  // gateway restarted more often than that never compacted, and every start read it all (crash proof: 300
  // kills grew it to 250 MB, 1.9 s and 630 MiB to open). Done records beyond these are dropped at open.
  const done = lines.length - messages.length;
  return { messages, nextSeq: Math.max(maxSeq + 1, head), rewrite: bad >= 0 || done > COMPACT_AT_OPEN };
}
