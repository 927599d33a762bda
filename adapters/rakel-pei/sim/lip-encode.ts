/**
 * LIP short location report encoder (PID 0x0A, TS 100 392-18-1 clause 6.2; layout in docs/pei.md §9). The SDS
 * codec only decodes LIP (the gateway never sends positions), so the simulator carries this small encoder
 * for `injectLip`. Checked by decoding with the codec's `decodeSds`.
 */
import { BitWriter, PID, bytesToHex, type EncodedSds } from "../sds/index.js";

/** Bits of a short location report including the PID: 8 + 76 (docs/pei.md §9). */
export const LIP_SHORT_REPORT_PDU_BITS = 84;

/** Optional fields of a short location report; defaults describe a stationary, precise fix. */
export interface LipOptions {
  /** Position error code 0–7 (0 <2 m … 7 unknown); default 1 (<20 m). */
  positionError?: number;
  /** Horizontal velocity code 0–127 (0–28 = km/h, 127 unknown); default 0. */
  velocityCode?: number;
  /** Direction of travel code 0–15 (× 22.5°); default 0 (north). */
  directionCode?: number;
  /** Reason for sending (additional data type 0); default 0. */
  reason?: number;
  /** Time elapsed code 0–3; default 0 (<5 s). */
  timeElapsed?: number;
  /**
   * Write exactly 21 hex digits (84 bits) as a Sepura SRG3900/STP9240 does, instead of 22 padded digits as a
   * Motorola MTM800E does (docs/pei.md §4.2).
   */
  oddDigits?: boolean;
}

/** Two's complement of `value` in `bits` bits. */
function twos(value: number, bits: number): number {
  return value < 0 ? 2 ** bits + value : value;
}

/** Encodes a LIP short location report for WGS 84 degrees (north and east positive). */
export function encodeLipShortReport(latitude: number, longitude: number, options: LipOptions = {}): EncodedSds {
  // Scales from docs/pei.md §9: longitude × 2^25 / 360 in 25 bits, latitude × 2^24 / 180 in 24 bits.
  const lon = Math.max(-(2 ** 24), Math.min(2 ** 24 - 1, Math.round((longitude * 2 ** 25) / 360)));
  const lat = Math.max(-(2 ** 23), Math.min(2 ** 23 - 1, Math.round((latitude * 2 ** 24) / 180)));
  const w = new BitWriter()
    .write(PID.LIP, 8)
    .write(0, 2) // PDU type 00: short location report
    .write(options.timeElapsed ?? 0, 2)
    .write(twos(lon, 25), 25)
    .write(twos(lat, 24), 24)
    .write(options.positionError ?? 1, 3)
    .write(options.velocityCode ?? 0, 7)
    .write(options.directionCode ?? 0, 4)
    .write(0, 1) // additional data type 0: reason for sending
    .write(options.reason ?? 0, 8);
  const hex = bytesToHex(w.toBytes());
  return { aiService: 12, hex: options.oddDigits === true ? hex.slice(0, LIP_SHORT_REPORT_PDU_BITS / 4) : hex, bits: LIP_SHORT_REPORT_PDU_BITS };
}
