import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { decodeCrcLine, encodeCrcLine } from "../shared/crc-line.js";
import { fsyncDirectory, writeFileDurable } from "../shared/durable-file.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { keepNewest } from "../shared/newest-map.js";
import { listItem, type AlertListItem, type StoredAlert } from "./alert-model.js";
import { StoreLock } from "./store-lock.js";

/**
 * The durable alert store (durable before acting: the README, "Alerts and acknowledgements").
 *
 *   <dir>/dispatch.lock               one gateway per state directory
 *   <dir>/alerts.journal              CRC lines: {t:"a", a:<alert snapshot>} | {t:"x", id} (moved to the archive)
 *   <dir>/archive/alerts-000001.jsonl CRC lines of finished alerts, a new file every `alertsPerFile`
 *
 * Every `put` resolves only after its record is written and fdatasync'ed; puts made while a write runs are
 * group-committed, and several snapshots of one alert in a batch are written once: the alert is serialised
 * when its batch is written, not when `put` is called, so a 200-recipient alert whose slots all commit
 * together costs one JSON encoding per write instead of one per slot (the state written is then the newest,
 * which holds every change the earlier puts asked for). The journal
 * only ever holds active alerts plus recent history and is compacted to the active ones, so a write costs
 * the same with 10 000 archived alerts as with none. A torn last line (power cut) is dropped; a bad line
 * elsewhere means the file is damaged: it is moved aside, what could be read is kept, and `corruption` says
 * so (the gateway reports it loudly and starts). A full disk (ENOSPC) rejects the put with STORE_FULL and
 * leaves the journal as it was before the failed write.
 */
export interface AlertStoreOptions {
  dir: string;
  log: Logger;
  alertsPerFile: number;
  keepFiles: number;
  /** Compact the journal when it grows past this many bytes. Default 4 MiB. */
  compactBytes?: number;
}

export interface CorruptionReport {
  file: string;
  movedTo: string;
  badLines: number;
  recoveredAlerts: number;
}

type Rec = { t: "a"; a: StoredAlert } | { t: "x"; id: string };

const JOURNAL = "alerts.journal";
/** Finished alerts listed from memory (`alert/list` asks for at most 1000); a line is a few hundred bytes. */
const LISTED_MAX = 1000;
/**
 * Finished alerts kept whole in memory for `alert/get` right after they end. Few: a 200-recipient alert is
 * about 55 KB of JSON and several times that as objects; older ones are read from their archive file.
 */
const WHOLE_MAX = 20;

function isFull(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ENOSPC" || code === "EDQUOT";
}

export function storeError(err: unknown, path: string): GatewayError {
  if (err instanceof GatewayError) return err;
  if (isFull(err)) return new GatewayError("STORE_FULL", `the disk holding ${path} is full; free space (old archive files, logs) before new alerts can be accepted`, { cause: err, context: { path } });
  return new GatewayError("STORE_WRITE_FAILED", `could not write ${path}: ${(err as Error).message}`, { cause: err, context: { path } });
}

function isAlert(a: unknown): a is StoredAlert {
  const x = a as Partial<StoredAlert> | null;
  return typeof x === "object" && x !== null && typeof x.id === "string" && typeof x.code === "string" && Array.isArray(x.slots) && Array.isArray(x.recipients) && typeof x.state === "string";
}

function toRec(v: unknown): Rec | undefined {
  const r = v as { t?: unknown; a?: unknown; id?: unknown } | null;
  if (typeof r !== "object" || r === null) return undefined;
  if (r.t === "a" && isAlert(r.a)) return { t: "a", a: r.a };
  if (r.t === "x" && typeof r.id === "string") return { t: "x", id: r.id };
  return undefined;
}

export class AlertStore {
  /** Active (and not yet archived) alerts as recovered at open. */
  readonly recovered: StoredAlert[] = [];
  corruption: CorruptionReport | undefined;
  private fh!: FileHandle;
  private size = 0;
  private batch: { key: string; rec: { t: "a"; a: StoredAlert } | Buffer; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private readonly live = new Map<string, Buffer>();
  private archiveNo = 1;
  private archiveCount = 0;
  private archiveFh: FileHandle | undefined;
  private readonly archiveIndex = new Map<string, number>();
  private readonly listed = new Map<string, AlertListItem>();
  private readonly whole = new Map<string, StoredAlert>();
  private closed = false;

  private constructor(
    private readonly opts: AlertStoreOptions,
    private readonly lock: StoreLock,
  ) {}

  get journalPath(): string {
    return join(this.opts.dir, JOURNAL);
  }
  private get archiveDir(): string {
    return join(this.opts.dir, "archive");
  }

  static async open(opts: AlertStoreOptions): Promise<AlertStore> {
    await mkdir(join(opts.dir, "archive"), { recursive: true });
    const lock = StoreLock.acquire(join(opts.dir, "dispatch.lock"));
    const store = new AlertStore(opts, lock);
    try {
      await store.recover();
      await store.openArchive();
    } catch (err) {
      lock.release();
      throw err;
    }
    return store;
  }

  /**
   * Durably records the alert's current state. An alert already archived is not written again: its record
   * would land after the journal's removal record and bring it back as ended-but-not-archived (in memory
   * here, archived a second time at the next start). The dispatcher writes nothing after an alert's end;
   * this keeps the journal right if a late write slips through anyway.
   */
  put(a: StoredAlert): Promise<void> {
    if (this.archiveIndex.has(a.id)) {
      this.opts.log.warn({ mod: "alert-store", event: "alert-put-after-archive", alert: a.id, state: a.state }, "a write of an archived alert was ignored");
      return Promise.resolve();
    }
    return this.enqueue(a.id, { t: "a", a });
  }

  /** Moves a finished alert to the archive: archive line fsynced first, then the journal's removal record. */
  async archive(a: StoredAlert): Promise<void> {
    if (this.archiveCount >= this.opts.alertsPerFile || !this.archiveFh) await this.rotate();
    const fh = this.archiveFh as FileHandle;
    try {
      await writeAll(fh, encodeCrcLine(a), null);
      await fh.datasync();
    } catch (err) {
      throw storeError(err, this.archiveDir);
    }
    this.archiveCount++;
    this.archiveIndex.set(a.id, this.archiveNo);
    this.remember(a);
    this.live.delete(a.id);
    await this.enqueue(a.id, encodeCrcLine({ t: "x", id: a.id }));
  }

  /** A finished alert by id: recent ones from memory, older ones from their archive file. */
  async getArchived(id: string): Promise<StoredAlert | undefined> {
    const hit = this.whole.get(id);
    if (hit) return hit;
    const no = this.archiveIndex.get(id);
    if (no === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(join(this.archiveDir, archiveName(no)), "utf8");
    } catch {
      return undefined;
    }
    for (const line of text.split("\n")) {
      if (!line.includes(`"id":${JSON.stringify(id)}`)) continue;
      const r = decodeCrcLine(line);
      if (r.ok && isAlert(r.value) && r.value.id === id) return r.value;
    }
    return undefined;
  }

  hasArchived(id: string): boolean {
    return this.archiveIndex.has(id);
  }

  /** The most recently finished alerts (newest first, as list lines), at most `max` (and at most 1000). */
  recentArchived(max: number): AlertListItem[] {
    return [...this.listed.values()].reverse().slice(0, max);
  }

  /**
   * Fills the list lines of the last 1000 finished alerts from the archive files after a start (newest file
   * first), behind any alert archived since. Runs in the background: start-up does not wait for it.
   */
  async loadListed(): Promise<void> {
    const names = (await this.archiveFiles()).reverse();
    const older: AlertListItem[] = [];
    for (const name of names) {
      if (this.listed.size + older.length >= LISTED_MAX) break;
      const lines = (await readFile(join(this.archiveDir, name), "utf8").catch(() => "")).split("\n");
      for (let i = lines.length - 1; i >= 0 && this.listed.size + older.length < LISTED_MAX; i--) {
        const d = decodeCrcLine(lines[i] ?? "");
        if (d.ok && isAlert(d.value) && !this.listed.has(d.value.id)) older.push(listItem(d.value));
      }
    }
    const newer = [...this.listed];
    this.listed.clear();
    for (const item of older.reverse()) this.listed.set(item.id, item);
    for (const [id, item] of newer) this.listed.set(id, item);
  }

  /** Ids of archived alerts in the order they were archived, oldest first: the last `max` of them. */
  lastArchivedIds(max: number): string[] {
    const ids = [...this.archiveIndex.keys()];
    return ids.slice(Math.max(0, ids.length - max));
  }

  get archivedCount(): number {
    return this.archiveIndex.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writing;
    await this.fh.close().catch(() => undefined);
    await this.archiveFh?.close().catch(() => undefined);
    this.lock.release();
  }

  private remember(a: StoredAlert): void {
    keepNewest(this.listed, a.id, listItem(a), LISTED_MAX);
    keepNewest(this.whole, a.id, a, WHOLE_MAX);
  }

  private enqueue(key: string, rec: { t: "a"; a: StoredAlert } | Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new GatewayError("STORE_WRITE_FAILED", "the alert store is closed (gateway stopping)"));
    const p = new Promise<void>((resolve, reject) => this.batch.push({ key, rec, resolve, reject }));
    this.writing ??= this.drain();
    return p;
  }

  private async drain(): Promise<void> {
    while (this.batch.length > 0) {
      const items = this.batch;
      this.batch = [];
      const last = new Map<string, number>();
      items.forEach((it, i) => last.set(it.key, i));
      const out = Buffer.concat(
        items
          .filter((it, i) => last.get(it.key) === i)
          .map((it) => {
            if (Buffer.isBuffer(it.rec)) return it.rec;
            const buf = encodeCrcLine(it.rec);
            this.live.set(it.key, buf);
            return buf;
          }),
      );
      try {
        await writeAll(this.fh, out, this.size);
        await this.fh.datasync();
        this.size += out.length;
        for (const it of items) it.resolve();
      } catch (err) {
        // Leave the journal exactly as before this batch: a half-written record would read as damage later.
        await this.fh.truncate(this.size).catch(() => undefined);
        const e = storeError(err, this.journalPath);
        this.opts.log.error({ mod: "alert-store", code: e.code, err }, "alert journal write failed");
        for (const it of items) it.reject(e);
      }
      if (this.batch.length === 0 && this.size > (this.opts.compactBytes ?? 4 * 1024 * 1024)) {
        await this.compact().catch((err: unknown) => this.opts.log.error({ mod: "alert-store", err }, "alert journal compaction failed"));
      }
    }
    this.writing = undefined;
  }

  /** Rewrites the journal with the newest snapshot of each active alert (atomic replace). */
  private async compact(): Promise<void> {
    const data = Buffer.concat([...this.live.values()]);
    await writeFileDurable(this.journalPath, data);
    await this.fh.close();
    this.fh = await open(this.journalPath, "r+");
    this.size = data.length;
  }

  private async recover(): Promise<void> {
    const path = this.journalPath;
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const lines = text.split("\n");
    const tornTail = lines.at(-1) !== "";
    if (!tornTail) lines.pop();
    const alerts = new Map<string, StoredAlert>();
    let bad = 0;
    lines.forEach((line, i) => {
      const d = decodeCrcLine(line);
      const rec = d.ok ? toRec(d.value) : undefined;
      if (!rec) {
        if (i === lines.length - 1 && tornTail) {
          this.opts.log.warn({ mod: "alert-store", event: "journal-torn-tail" }, "torn last alert-journal record dropped (power cut during a write; it was never acknowledged)");
        } else bad++;
        return;
      }
      if (rec.t === "a") {
        const prev = alerts.get(rec.a.id);
        if (!prev || prev.rev <= rec.a.rev) alerts.set(rec.a.id, rec.a);
      } else alerts.delete(rec.id);
    });
    for (const a of alerts.values()) {
      this.recovered.push(a);
      this.live.set(a.id, encodeCrcLine({ t: "a", a }));
    }
    if (bad > 0) {
      const movedTo = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, "")}`;
      await rename(path, movedTo);
      this.corruption = { file: path, movedTo, badLines: bad, recoveredAlerts: alerts.size };
      this.opts.log.error({ mod: "alert-store", event: "store-corrupt", ...this.corruption }, "ALERT JOURNAL DAMAGED: moved aside; alerts that could be read are resumed, check the moved file");
    }
    // Start every run from a clean, compacted journal (drops a torn tail and old snapshots).
    const data = Buffer.concat([...this.live.values()]);
    await writeFileDurable(path, data);
    this.fh = await open(path, "r+");
    this.size = data.length;
  }

  /** The archive files' names, oldest first (the number in the name grows with each rotation). */
  private async archiveFiles(): Promise<string[]> {
    return (await readdir(this.archiveDir)).filter((n) => ARCHIVE_FILE.test(n)).sort();
  }

  private async openArchive(): Promise<void> {
    const names = await this.archiveFiles();
    for (const name of names) {
      const no = archiveNumber(name);
      const text = await readFile(join(this.archiveDir, name), "utf8");
      let count = 0;
      for (const m of text.matchAll(/^[0-9a-f]{8} \{"id":("(?:[^"\\]|\\.)*")/gm)) {
        this.archiveIndex.set(JSON.parse(m[1] ?? '""') as string, no);
        count++;
      }
      this.archiveNo = no;
      this.archiveCount = count;
    }
    if (names.length > 0) this.archiveFh = await open(join(this.archiveDir, archiveName(this.archiveNo)), "a", 0o600);
  }

  private async rotate(): Promise<void> {
    if (this.archiveFh) {
      await this.archiveFh.close();
      this.archiveNo++;
    }
    this.archiveCount = 0;
    const path = join(this.archiveDir, archiveName(this.archiveNo));
    try {
      this.archiveFh = await open(path, "a", 0o600);
      await fsyncDirectory(this.archiveDir);
    } catch (err) {
      throw storeError(err, path);
    }
    const names = await this.archiveFiles();
    for (const old of names.slice(0, Math.max(0, names.length - this.opts.keepFiles))) {
      const no = archiveNumber(old);
      await unlink(join(this.archiveDir, old)).catch(() => undefined);
      for (const [id, n] of this.archiveIndex) if (n === no) this.archiveIndex.delete(id);
      this.opts.log.info({ mod: "alert-store", file: old }, "old alert archive file removed");
    }
  }
}

/** Writes all of `buf`: a nearly full disk takes part of a write without an error, the next one says ENOSPC. */
async function writeAll(fh: FileHandle, buf: Buffer, position: number | null): Promise<void> {
  for (let off = 0; off < buf.length; ) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position === null ? null : position + off);
    if (bytesWritten === 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    off += bytesWritten;
  }
}

const ARCHIVE_FILE = /^alerts-\d{6}\.jsonl$/;
const archiveName = (no: number): string => `alerts-${String(no).padStart(6, "0")}.jsonl`;
/** The number in an archive file's name (`alerts-000042.jsonl` → 42). */
const archiveNumber = (name: string): number => Number(name.slice(7, 13));
