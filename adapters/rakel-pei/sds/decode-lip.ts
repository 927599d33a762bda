/**
 * LIP short location report (PID 0x0A; ETSI TS 100 392-18-1 clause 6.2, docs/pei.md §9). Layout after the PID,
 * 76 bits: PDU type 2, time elapsed 2, longitude 25, latitude 24, position error 3, horizontal velocity 7,
 * direction of travel 4, type of additional data 1, additional data 8. Checked against golden vector V45
 * (Halle, DE).
 */
import type { BitReader } from "./bits.js";
import type { PositionSds, UnknownSds } from "./types.js";

/** Upper bound in metres of each position error code (codes 6 ">200 km" and 7 "unknown" have none). */
const POSITION_ERROR_METERS: readonly (number | null)[] = [2, 20, 200, 2_000, 20_000, 200_000, null, null];

/** Bits of a short location report after the PID. */
export const LIP_SHORT_REPORT_BITS = 76;

/**
 * Horizontal velocity code (7 bits) to km/h: 0–28 are exact km/h; 29–126 follow 16 × 1.038^(code − 13)
 * (TS 100 392-18-1, docs/pei.md §9; the two pieces meet at 28 km/h); 127 = unknown. Rounded to 0.1 km/h.
 */
export function lipVelocityKmh(code: number): number | null {
  if (code >= 127) return null;
  if (code <= 28) return code;
  return Math.round(16 * 1.038 ** (code - 13) * 10) / 10;
}

/**
 * Decode the part of a PID 0x0A PDU after the PID. Only the short location report (PDU type 00) is
 * decoded; long-format LIP PDUs come back as `unknown` with the raw hex.
 */
export function decodeLip(r: BitReader, hex: string, aiService: number): PositionSds | UnknownSds {
  const pduType = r.read(2, "LIP PDU type");
  if (pduType !== 0) return { kind: "unknown", protocolId: 0x0a, aiService, hex };
  const timeElapsed = r.read(2, "time elapsed");
  // Two's complement, scaled so the full range covers ±180° and ±90° (docs/pei.md §9).
  const longitude = (r.readSigned(25, "longitude") * 360) / 2 ** 25;
  const latitude = (r.readSigned(24, "latitude") * 180) / 2 ** 24;
  const positionError = r.read(3, "position error");
  const velocity = r.read(7, "horizontal velocity");
  const direction = r.read(4, "direction of travel");
  const additionalType = r.read(1, "type of additional data");
  const additional = r.read(8, "additional data");
  const position: PositionSds = {
    kind: "position",
    protocolId: 0x0a,
    latitude,
    longitude,
    positionError,
    positionErrorMeters: POSITION_ERROR_METERS[positionError] ?? null,
    velocityKmh: lipVelocityKmh(velocity),
    directionDeg: direction * 22.5,
    reason: additionalType === 0 ? additional : null,
    timeElapsed,
    hex,
  };
  if (additionalType === 1) position.userDefinedData = additional;
  return position;
}
