/**
 * Reassembly of concatenated SMS (TS 23.040 9.2.3.24.1). Parts are keyed by (originator, reference,
 * total), may arrive in any order, duplicates are ignored, and unfinished messages are handed back
 * (never dropped silently) when they time out or when too many are open at once.
 * Time comes from an injected `now()`; nothing here sets timers.
 */
import type { DecodedDeliver } from "./types.js";

/** One received part. */
export interface ReassemblyPart {
  originator: string;
  reference: number;
  total: number;
  /** 1-based part number. */
  sequence: number;
  text: string;
}

/** A message whose parts all arrived. */
export interface ReassembledMessage {
  originator: string;
  reference: number;
  total: number;
  text: string;
}

/** A message given up on: its text has `gapMarker` where parts are missing. */
export interface IncompleteMessage extends ReassembledMessage {
  received: number[];
  missing: number[];
  firstSeenAt: number;
  reason: "timeout" | "evicted";
}

/** What `add` did with a part. */
export type ReassemblyResult =
  | { status: "complete"; message: ReassembledMessage }
  | { status: "pending"; received: number; total: number; evicted: IncompleteMessage | null }
  | { status: "duplicate" }
  | { status: "invalid"; reason: string };

/** Options of `SmsReassembler`. */
export interface SmsReassemblerOptions {
  /** Clock in milliseconds (monotonic is best). */
  now: () => number;
  /** Time from the first part after which `sweep` gives up. Default 600 000 ms (gammu's MultipartTimeout). */
  timeoutMs?: number;
  /** Most unfinished messages kept; the oldest is evicted for a new one. Default 64. */
  maxOpen?: number;
  /** Placeholder for a missing part in an incomplete text. Default "[…]". */
  gapMarker?: string;
}

interface Open {
  originator: string;
  reference: number;
  total: number;
  parts: Map<number, string>;
  firstSeenAt: number;
}

/** The reassembly part carried by a decoded SMS-DELIVER, or `null` if it is not a text part. */
export function partFromDeliver(d: DecodedDeliver): ReassemblyPart | null {
  if (d.concat === null || d.text === null) return null;
  const { reference, total, sequence } = d.concat;
  return { originator: d.originator.address, reference, total, sequence, text: d.text };
}

/** Collects concatenated parts into whole messages. */
export class SmsReassembler {
  private readonly open = new Map<string, Open>();
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxOpen: number;
  private readonly gapMarker: string;

  constructor(options: SmsReassemblerOptions) {
    this.now = options.now;
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.maxOpen = Math.max(1, options.maxOpen ?? 64);
    this.gapMarker = options.gapMarker ?? "[…]";
  }

  /** Number of unfinished messages held. */
  get openCount(): number {
    return this.open.size;
  }

  /** Adds one part; returns the whole message once its last missing part arrives. */
  add(part: ReassemblyPart): ReassemblyResult {
    const { originator, reference, total, sequence, text } = part;
    if (!Number.isInteger(total) || total < 1 || total > 255) return { status: "invalid", reason: "total must be 1-255" };
    if (!Number.isInteger(sequence) || sequence < 1 || sequence > total) {
      return { status: "invalid", reason: `sequence ${sequence} outside 1-${total}` };
    }
    if (total === 1) return { status: "complete", message: { originator, reference, total, text } };
    const key = JSON.stringify([originator, reference, total]);
    let entry = this.open.get(key);
    let evicted: IncompleteMessage | null = null;
    if (entry === undefined) {
      if (this.open.size >= this.maxOpen) evicted = this.evictOldest();
      entry = { originator, reference, total, parts: new Map(), firstSeenAt: this.now() };
      this.open.set(key, entry);
    }
    if (entry.parts.has(sequence)) return { status: "duplicate" };
    entry.parts.set(sequence, text);
    if (entry.parts.size < total) return { status: "pending", received: entry.parts.size, total, evicted };
    this.open.delete(key);
    return { status: "complete", message: { originator, reference, total, text: this.join(entry) } };
  }

  /** Removes and returns the unfinished messages whose first part is at least `timeoutMs` old. */
  sweep(): IncompleteMessage[] {
    const now = this.now();
    const expired: IncompleteMessage[] = [];
    for (const [key, entry] of this.open) {
      if (now - entry.firstSeenAt >= this.timeoutMs) {
        this.open.delete(key);
        expired.push(this.incomplete(entry, "timeout"));
      }
    }
    return expired;
  }

  private evictOldest(): IncompleteMessage | null {
    let oldestKey: string | null = null;
    let oldest: Open | null = null;
    for (const [key, entry] of this.open) {
      if (oldest === null || entry.firstSeenAt < oldest.firstSeenAt) {
        oldest = entry;
        oldestKey = key;
      }
    }
    if (oldestKey === null || oldest === null) return null;
    this.open.delete(oldestKey);
    return this.incomplete(oldest, "evicted");
  }

  private join(entry: Open): string {
    let text = "";
    for (let s = 1; s <= entry.total; s++) text += entry.parts.get(s) ?? this.gapMarker;
    return text;
  }

  private incomplete(entry: Open, reason: IncompleteMessage["reason"]): IncompleteMessage {
    const received: number[] = [];
    const missing: number[] = [];
    for (let s = 1; s <= entry.total; s++) (entry.parts.has(s) ? received : missing).push(s);
    return {
      originator: entry.originator,
      reference: entry.reference,
      total: entry.total,
      text: this.join(entry),
      received,
      missing,
      firstSeenAt: entry.firstSeenAt,
      reason,
    };
  }
}
