import { createHash } from "node:crypto";
import { GatewayError } from "../../src/shared/errors.js";
import { dirname } from "node:path";
import { StateDirectory, appendDurableSync, readFileIfExists } from "../../src/shared/durable-file.js";

/**
 * The durable inbox of received SMS: an append-only JSON-lines file, each line fsynced before the caller
 * goes on. The rule it serves: an SMS is on disk before `AT+CMGD` removes it from the SIM, so a crash or
 * power cut between the two gives a duplicate (recognised by the PDU's hash) and never a loss.
 *
 *   {"kind":"part", "key", "modem", "receivedAt", "from", "sentAt", "concat", "text", "pdu"}   one per PDU
 *   {"kind":"emitted", "id", "keys", "at"}                                                  after the event
 *
 * Parts without an `emitted` line are fed to the reassembler again after a restart.
 */
export interface InboxPart {
  kind: "part";
  key: string;
  modem: string;
  receivedAt: string;
  from: string | null;
  /** Service-centre time stamp, ISO 8601 UTC. */
  sentAt: string | null;
  concat: { reference: number; total: number; sequence: number } | null;
  /** Decoded text; `null` for data or an undecodable PDU (then `error` says why). */
  text: string | null;
  pdu: string;
  error?: string;
}

interface InboxEmitted {
  kind: "emitted";
  id: string;
  keys: string[];
  at: string;
}

type InboxLine = InboxPart | InboxEmitted;

/** Identity of one received PDU (it carries the SC time stamp, so a repeated text is a different key). */
export function pduKey(hex: string): string {
  return createHash("sha256").update(hex.toUpperCase()).digest("hex").slice(0, 32);
}

/** Append-only, fsynced inbox of one modem. */
export class InboxStore {
  private loaded = false;
  private readonly seen = new Set<string>();
  private readonly pending = new Map<string, InboxPart>();
  /** Keys remembered for duplicate detection; older ones are forgotten (the SIM holds at most a few hundred). */
  private static readonly MAX_KEYS = 50_000;

  private readonly dir: StateDirectory;

  constructor(readonly path: string) {
    this.dir = new StateDirectory(dirname(path));
  }

  /** True when this PDU is already on disk. */
  has(key: string): boolean {
    this.load();
    return this.seen.has(key);
  }

  /** Writes one received part and fsyncs it. Throws STORE_CORRUPT-free I/O errors as they are. */
  appendPart(part: Omit<InboxPart, "kind">): InboxPart {
    this.load();
    const line: InboxPart = { kind: "part", ...part };
    this.appendLine(JSON.stringify(line));
    this.remember(part.key);
    this.pending.set(part.key, line);
    return line;
  }

  /** Records that the parts `keys` were handed on as message `id`. */
  markEmitted(id: string, keys: readonly string[]): void {
    this.load();
    this.appendLine(JSON.stringify({ kind: "emitted", id, keys: [...keys], at: new Date().toISOString() } satisfies InboxEmitted));
    for (const k of keys) this.pending.delete(k);
  }

  /** Parts on disk that were never handed on (a restart during reassembly), oldest first. */
  pendingParts(): InboxPart[] {
    this.load();
    return [...this.pending.values()];
  }

  /** One record per line, fsynced before the caller acts on it (deletes the SMS from the SIM). */
  private appendLine(line: string): void {
    this.dir.writeSync(() => appendDurableSync(this.path, `${line}\n`));
  }

  private remember(key: string): void {
    if (this.seen.size >= InboxStore.MAX_KEYS) this.seen.delete(this.seen.values().next().value!);
    this.seen.add(key);
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const text = readFileIfExists(this.path);
    if (text === undefined) return;
    const lines = text.split("\n");
    const emitted = new Set<string>();
    lines.forEach((raw, i) => {
      if (raw.trim() === "") return;
      let rec: InboxLine;
      try {
        rec = JSON.parse(raw) as InboxLine;
      } catch (err) {
        // A torn last line (power cut mid-append) was never acted on; anything earlier is damage.
        if (i >= lines.length - 2) return;
        throw new GatewayError("STORE_CORRUPT", `${this.path}: line ${i + 1} is not JSON`, { cause: err });
      }
      if (rec.kind === "part") {
        this.remember(rec.key);
        if (!emitted.has(rec.key)) this.pending.set(rec.key, rec);
      } else if (rec.kind === "emitted") {
        for (const k of rec.keys) {
          emitted.add(k);
          this.pending.delete(k);
        }
      }
    });
  }
}
