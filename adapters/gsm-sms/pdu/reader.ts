/**
 * Bounds-checked octet reader for TPDU decoding. It throws `PduDecodeError`, which only the decoder
 * entry points catch and turn into `{ ok: false, reason }`: no exception leaves the public decoders.
 */

/** Internal: a reason why a PDU could not be decoded. Never escapes `decodePdu`/`decodeTpdu`. */
export class PduDecodeError extends Error {
  override readonly name = "PduDecodeError";
}

/** Sequential reader over a TPDU's octets. */
export class ByteReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Octets not read yet. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Current offset, for error messages. */
  get offset(): number {
    return this.pos;
  }

  /** One octet; `what` names the field for the error message when the PDU ends early. */
  u8(what: string): number {
    const b = this.bytes[this.pos];
    if (b === undefined) throw new PduDecodeError(`PDU ends before ${what} (offset ${this.pos})`);
    this.pos++;
    return b;
  }

  /** The next octet without consuming it. */
  peek(what: string): number {
    const b = this.bytes[this.pos];
    if (b === undefined) throw new PduDecodeError(`PDU ends before ${what} (offset ${this.pos})`);
    return b;
  }

  /** `n` octets as a view (not a copy). */
  take(n: number, what: string): Uint8Array {
    if (n > this.remaining) {
      throw new PduDecodeError(`PDU ends inside ${what}: needs ${n} octets at offset ${this.pos}, has ${this.remaining}`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
