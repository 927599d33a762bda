/**
 * Septet packing for GSM 7-bit user data (TS 23.038 6.1.2.1.1): septets are laid end to end,
 * least significant bit first, across octets. With a user data header the first septet starts after
 * `fillBits` zero bits so that it sits on a septet boundary (TS 23.040 9.2.3.24).
 */

/**
 * Packs septets into octets, the first one starting `startBit` bits in (the fill bits after a UDH).
 * The result has `ceil((startBit + 7 * n) / 8)` octets; unused bits are zero.
 */
export function packSeptets(septets: ArrayLike<number>, startBit = 0): Uint8Array {
  const totalBits = startBit + septets.length * 7;
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  let bit = startBit;
  for (let i = 0; i < septets.length; i++) {
    const value = (septets[i] ?? 0) & 0x7f;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] = (out[byte] ?? 0) | ((value << shift) & 0xff);
    if (shift > 1) out[byte + 1] = (out[byte + 1] ?? 0) | (value >> (8 - shift));
    bit += 7;
  }
  return out;
}

/**
 * Reads `count` septets from `octets`, the first one starting at bit `startBit` (LSB of octet 0 = bit 0).
 * Returns `null` when `octets` is too short to hold them.
 */
export function unpackSeptets(octets: Uint8Array, count: number, startBit = 0): number[] | null {
  if (Math.ceil((startBit + count * 7) / 8) > octets.length) return null;
  const out: number[] = new Array<number>(count);
  let bit = startBit;
  for (let i = 0; i < count; i++) {
    const byte = bit >> 3;
    const shift = bit & 7;
    let value = (octets[byte] ?? 0) >> shift;
    if (shift > 1) value |= (octets[byte + 1] ?? 0) << (8 - shift);
    out[i] = value & 0x7f;
    bit += 7;
  }
  return out;
}

/**
 * Septets taken by a user data header of `udhOctets` octets including its length octet, i.e. the
 * header plus fill bits rounded up to the next septet boundary (TS 23.040 9.2.3.24).
 */
export function headerSeptets(udhOctets: number): number {
  return Math.ceil((udhOctets * 8) / 7);
}

/** Fill bits between a header of `udhOctets` octets and the first septet of text. */
export function fillBitsAfterHeader(udhOctets: number): number {
  return udhOctets === 0 ? 0 : headerSeptets(udhOctets) * 7 - udhOctets * 8;
}
