/**
 * MSB-first bit reader and writer. TETRA air-interface PDUs (EN 300 392-2 clause 29, TS 100 392-18-1 LIP)
 * are defined as bit fields transmitted most significant bit first; most SDS-TL fields happen to be
 * octet-aligned but LIP and the optional fields are not.
 */

/** Thrown by {@link BitReader} when a PDU is shorter than its fields need; decoders turn it into a `ParseResult`. */
export class BitUnderflowError extends Error {
  override readonly name = "BitUnderflowError";
}

/** Reads unsigned fields of up to 32 bits from an octet buffer, never past `limitBits`. */
export class BitReader {
  private pos = 0;

  /**
   * @param bytes source octets
   * @param limitBits number of meaningful bits (defaults to all octets)
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly limitBits: number = bytes.length * 8,
  ) {}

  /** Current bit offset from the start. */
  get position(): number {
    return this.pos;
  }

  /** Bits left before the limit. */
  get remaining(): number {
    return this.limitBits - this.pos;
  }

  /** Read `n` (0–32) bits as an unsigned number. */
  read(n: number, what = "field"): number {
    if (n > this.remaining) {
      throw new BitUnderflowError(`PDU too short: ${what} needs ${n} bits at bit ${this.pos}, only ${this.remaining} left`);
    }
    let v = 0;
    for (let i = 0; i < n; i++) {
      const bit = this.pos + i;
      const byte = this.bytes[bit >> 3] ?? 0;
      v = v * 2 + ((byte >> (7 - (bit & 7))) & 1);
    }
    this.pos += n;
    return v;
  }

  /** Read `n` bits as a two's complement signed number. */
  readSigned(n: number, what = "field"): number {
    const v = this.read(n, what);
    const half = 2 ** (n - 1);
    return v >= half ? v - 2 ** n : v;
  }

  /** Skip `n` bits. */
  skip(n: number, what = "field"): void {
    if (n > this.remaining) throw new BitUnderflowError(`PDU too short: ${what} needs ${n} bits at bit ${this.pos}, only ${this.remaining} left`);
    this.pos += n;
  }

  /**
   * Everything from the current (octet-aligned) position to the limit: the octets (last one possibly partial)
   * and the number of meaningful bits. Moves the position to the limit.
   */
  rest(): { bytes: Uint8Array; bits: number } {
    if (this.pos % 8 !== 0) throw new BitUnderflowError(`rest() needs an octet boundary, at bit ${this.pos}`);
    const bits = this.remaining;
    const start = this.pos / 8;
    this.pos = this.limitBits;
    return { bytes: this.bytes.slice(start, start + Math.ceil(bits / 8)), bits };
  }
}

/** Accumulates MSB-first bit fields into octets. */
export class BitWriter {
  private readonly out: number[] = [];
  private bitCount = 0;

  /** Append `value` as `n` bits (n ≤ 32). */
  write(value: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) {
      const bit = Math.floor(value / 2 ** i) & 1;
      const idx = this.bitCount >> 3;
      if (idx === this.out.length) this.out.push(0);
      if (bit) this.out[idx] = this.out[idx]! | (0x80 >> (this.bitCount & 7));
      this.bitCount++;
    }
    return this;
  }

  /** Append whole octets. */
  writeBytes(bytes: Iterable<number>): this {
    for (const b of bytes) this.write(b & 0xff, 8);
    return this;
  }

  /** Bits written so far. */
  get bits(): number {
    return this.bitCount;
  }

  /** The octets, last one zero-padded. */
  toBytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
