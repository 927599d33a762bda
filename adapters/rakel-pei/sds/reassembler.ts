/**
 * Reassembly of texts concatenated with a user data header (PID 0x8A, docs/pei.md §5.10). Parts are keyed by
 * sender and UDH reference, may arrive in any order, duplicates are ignored (terminals and vendor framing
 * repeat SDS, docs/pei.md §4.2), incomplete sets expire, and the number of open sets is capped so a flood of
 * stray parts cannot grow memory. Pure: time comes from an injected `now()`, there are no timers; call
 * {@link SdsReassembler.sweep} periodically.
 */
import { replaceLoneSurrogates } from "./charsets.js";
import type { ConcatenatedPartSds } from "./types.js";

/** Options of {@link SdsReassembler}. */
export interface ReassemblerOptions {
  /** Monotonic milliseconds; default `performance.now()`. */
  now?: () => number;
  /** Drop an incomplete set this long after its last new part; default 60 000 ms. */
  timeoutMs?: number;
  /** Maximum simultaneously open sets; the least recently active is dropped first. Default 32. */
  maxOpenSets?: number;
}

/** A completely reassembled text. */
export interface ReassembledText {
  source: string;
  reference: number;
  referenceBits: 8 | 16;
  total: number;
  text: string;
  protocolId: number;
  /** Coding schemes used by the parts (usually one). */
  codingSchemes: number[];
  /** SDS-TL message reference of each part, in part order (for delivery reports). */
  messageReferences: (number | null)[];
  /** The parts in order. */
  parts: ConcatenatedPartSds[];
}

/** An incomplete set that was dropped. */
export interface DroppedSet {
  source: string;
  reference: number;
  total: number;
  reason: "timeout" | "capacity" | "conflict";
  /** Part numbers received, ascending. */
  received: number[];
  /** Part numbers never received. */
  missing: number[];
  /** Received text in order with "…" where parts are missing, so nothing is silently lost. */
  partialText: string;
  parts: ConcatenatedPartSds[];
}

/** Outcome of {@link SdsReassembler.add}. */
export type AddResult =
  | { status: "complete"; message: ReassembledText }
  | { status: "pending"; received: number; total: number }
  | { status: "duplicate"; received: number; total: number }
  | { status: "rejected"; reason: string };

interface OpenSet {
  source: string;
  reference: number;
  referenceBits: 8 | 16;
  total: number;
  parts: Map<number, ConcatenatedPartSds>;
  lastActivity: number;
}

function joinText(parts: readonly ConcatenatedPartSds[]): string {
  // Parts keep raw UTF-16 code units, so a surrogate pair split by the sender rejoins here.
  return replaceLoneSurrogates(parts.map((p) => p.text).join(""));
}

/** Reassembles concatenated-part SDS into whole texts. */
export class SdsReassembler {
  private readonly sets = new Map<string, OpenSet>();
  private dropped: DroppedSet[] = [];
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxOpenSets: number;

  constructor(options: ReassemblerOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxOpenSets = Math.max(1, options.maxOpenSets ?? 32);
  }

  /** Number of incomplete sets held. */
  get openSets(): number {
    return this.sets.size;
  }

  /**
   * Add one part received from `source` (the calling identity of the `+CTSDSR` header).
   * Returns the whole text when this part completes its set.
   */
  add(source: string, part: ConcatenatedPartSds): AddResult {
    if (!Number.isInteger(part.total) || part.total < 1 || part.total > 255) return { status: "rejected", reason: `invalid total ${part.total}` };
    if (!Number.isInteger(part.part) || part.part < 1 || part.part > part.total) {
      return { status: "rejected", reason: `part ${part.part} outside 1–${part.total}` };
    }
    const now = this.now();
    const key = `${source}\u0000${part.referenceBits}:${part.reference}`;
    let set = this.sets.get(key);
    if (set && now - set.lastActivity >= this.timeoutMs) {
      this.drop(key, set, "timeout");
      set = undefined;
    }
    if (set && set.total !== part.total) {
      // Same reference, different length: the sender reused the reference for a new text.
      this.drop(key, set, "conflict");
      set = undefined;
    }
    if (!set) {
      this.makeRoom();
      set = { source, reference: part.reference, referenceBits: part.referenceBits, total: part.total, parts: new Map(), lastActivity: now };
      this.sets.set(key, set);
    }
    if (set.parts.has(part.part)) return { status: "duplicate", received: set.parts.size, total: set.total };
    set.parts.set(part.part, part);
    set.lastActivity = now;
    if (set.parts.size < set.total) return { status: "pending", received: set.parts.size, total: set.total };

    this.sets.delete(key);
    const parts = [...set.parts.values()].sort((a, b) => a.part - b.part);
    return {
      status: "complete",
      message: {
        source,
        reference: set.reference,
        referenceBits: set.referenceBits,
        total: set.total,
        text: joinText(parts),
        protocolId: parts[0]!.protocolId,
        codingSchemes: [...new Set(parts.map((p) => p.codingScheme))],
        messageReferences: parts.map((p) => p.messageReference),
        parts,
      },
    };
  }

  /** Drop sets idle for `timeoutMs` and return them, together with sets dropped since the last sweep. */
  sweep(): DroppedSet[] {
    const now = this.now();
    for (const [key, set] of this.sets) if (now - set.lastActivity >= this.timeoutMs) this.drop(key, set, "timeout");
    const out = this.dropped;
    this.dropped = [];
    return out;
  }

  /** Forget everything (open sets and not yet swept drops). */
  clear(): void {
    this.sets.clear();
    this.dropped = [];
  }

  private makeRoom(): void {
    while (this.sets.size >= this.maxOpenSets) {
      let oldestKey: string | undefined;
      let oldest: OpenSet | undefined;
      for (const [key, set] of this.sets) {
        if (!oldest || set.lastActivity < oldest.lastActivity) {
          oldest = set;
          oldestKey = key;
        }
      }
      if (oldestKey === undefined || !oldest) return;
      this.drop(oldestKey, oldest, "capacity");
    }
  }

  private drop(key: string, set: OpenSet, reason: DroppedSet["reason"]): void {
    this.sets.delete(key);
    const parts = [...set.parts.values()].sort((a, b) => a.part - b.part);
    const missing: number[] = [];
    let partialText = "";
    for (let n = 1; n <= set.total; n++) {
      const p = set.parts.get(n);
      if (p) partialText += p.text;
      else {
        if (missing[missing.length - 1] !== n - 1) partialText += "…"; // one marker per run of missing parts
        missing.push(n);
      }
    }
    this.dropped.push({
      source: set.source,
      reference: set.reference,
      total: set.total,
      reason,
      received: parts.map((p) => p.part),
      missing,
      partialText: replaceLoneSurrogates(partialText),
      parts,
    });
    // Bound the drop queue too, in case nobody sweeps.
    if (this.dropped.length > 4 * this.maxOpenSets) this.dropped.splice(0, this.dropped.length - 4 * this.maxOpenSets);
  }
}
