/**
 * Rolling concatenation references, one counter per recipient. Two long messages to the same phone
 * must not share a reference, or the handset may merge their parts (TS 23.040 9.2.3.24.1: the
 * reference is "the same for all the short messages" of one concatenated message, and only that).
 */
import { normalizeRecipient } from "./address.js";

/** Options of `ConcatReferenceCounter`. */
export interface ConcatReferenceCounterOptions {
  /** Width of the reference: 8 (IE 0x00, default) or 16 (IE 0x08). */
  bits?: 8 | 16;
  /**
   * First reference for a recipient not seen yet. Default: random, so that after a restart the
   * counter does not hand out the references of the previous run again.
   */
  initial?: (recipient: string) => number;
  /** Recipients remembered before the least recently used is forgotten. Default 10 000. */
  maxRecipients?: number;
}

/** Hands out per-recipient rolling references for `encodeSubmit({ reference })`. */
export class ConcatReferenceCounter {
  private readonly next_ = new Map<string, number>();
  private readonly modulus: number;
  private readonly initial: (recipient: string) => number;
  private readonly maxRecipients: number;

  constructor(options: ConcatReferenceCounterOptions = {}) {
    this.modulus = options.bits === 16 ? 0x10000 : 0x100;
    this.initial = options.initial ?? ((): number => Math.floor(Math.random() * this.modulus));
    this.maxRecipients = Math.max(1, options.maxRecipients ?? 10_000);
  }

  /**
   * The reference to use now for `recipient` (validated and normalised like `encodeSubmit`'s `to`;
   * throws `SMS_INVALID` for an invalid one). `+46…` and `0…` forms are different keys: the counter
   * cannot know the country code.
   */
  next(recipient: string): number {
    const key = normalizeRecipient(recipient);
    const stored = this.next_.get(key);
    const current = stored ?? this.wrap(this.initial(key));
    this.next_.delete(key); // Why: re-insert so Map order is least-recently-used first.
    this.next_.set(key, (current + 1) % this.modulus);
    if (this.next_.size > this.maxRecipients) {
      const oldest = this.next_.keys().next();
      if (oldest.done !== true) this.next_.delete(oldest.value);
    }
    return current;
  }

  /** Number of recipients currently remembered. */
  get size(): number {
    return this.next_.size;
  }

  private wrap(n: number): number {
    const i = Number.isFinite(n) ? Math.trunc(n) : 0;
    return ((i % this.modulus) + this.modulus) % this.modulus;
  }
}
