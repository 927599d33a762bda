import { mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { appendDurable } from "../shared/durable-file.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { Mutex } from "../shared/mutex.js";
import type { TalkgroupCheckReport } from "./check-report.js";

/**
 * Where check results are kept for the record: one JSON line per check with its time, terminal identity and
 * plan version. Appends are durable (docs/reliability.md: fsync the file; fsync the directory when the file is
 * new) and atomic in practice: each record is one `write()` to a file opened with O_APPEND. A record torn by
 * a power cut is a last line without its newline: the next append starts on a fresh line, and readers skip
 * lines that do not parse.
 */

/** A stored check: the report plus the terminal id it was stored under. */
export type StoredCheck = TalkgroupCheckReport & { terminalId: string; recordVersion: 1 };

/** The store the check service and the CLI write to. */
export interface TalkgroupCheckStore {
  append(terminalId: string, report: TalkgroupCheckReport): Promise<void>;
  /** The newest stored check of a terminal. */
  latest(terminalId: string): Promise<StoredCheck | undefined>;
}

/** File name of the check log inside the store directory. */
export const CHECK_LOG_FILE = "talkgroup-checks.jsonl";

/** Where {@link JsonlCheckStore} writes. */
export interface JsonlCheckStoreOptions {
  dir: string;
  log?: Logger;
  fileName?: string;
}

/** The JSON-lines check store (see the file comment for its durability rules). */
export class JsonlCheckStore implements TalkgroupCheckStore {
  readonly path: string;
  private readonly lock = new Mutex();

  constructor(private readonly o: JsonlCheckStoreOptions) {
    this.path = join(o.dir, o.fileName ?? CHECK_LOG_FILE);
  }

  append(terminalId: string, report: TalkgroupCheckReport): Promise<void> {
    const record: StoredCheck = { recordVersion: 1, terminalId, ...report };
    return this.lock.run(async () => {
      try {
        await mkdir(this.o.dir, { recursive: true, mode: 0o700 });
        const prior = await stat(this.path).catch(() => undefined);
        const needsNewline = prior !== undefined && prior.size > 0 && !(await this.endsWithNewline(prior.size));
        await appendDurable(this.path, `${needsNewline ? "\n" : ""}${JSON.stringify(record)}\n`);
        this.o.log?.info({ mod: "talkgroups", terminal: terminalId, path: this.path, outcome: report.summary.outcome }, "talkgroup check stored");
      } catch (err) {
        throw new GatewayError("STORE_WRITE_FAILED", `cannot append the check to ${this.path}: ${(err as Error).message}`, { cause: err, context: { path: this.path } });
      }
    });
  }

  /** Every readable record, oldest first; torn or foreign lines are skipped (and counted in the log). */
  async readAll(): Promise<StoredCheck[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw new GatewayError("STORE_CORRUPT", `cannot read ${this.path}: ${(err as Error).message}`, { cause: err, context: { path: this.path } });
    }
    const out: StoredCheck[] = [];
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const rec = JSON.parse(line) as StoredCheck;
        if (rec.recordVersion === 1 && typeof rec.terminalId === "string") out.push(rec);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    if (skipped > 0) this.o.log?.warn({ mod: "talkgroups", path: this.path, skipped }, "unreadable check records skipped");
    return out;
  }

  async latest(terminalId: string): Promise<StoredCheck | undefined> {
    return (await this.readAll()).filter((r) => r.terminalId === terminalId).at(-1);
  }

  private async endsWithNewline(size: number): Promise<boolean> {
    const fh = await open(this.path, "r");
    try {
      const buf = Buffer.alloc(1);
      await fh.read(buf, 0, 1, size - 1);
      return buf[0] === 0x0a;
    } finally {
      await fh.close();
    }
  }
}
