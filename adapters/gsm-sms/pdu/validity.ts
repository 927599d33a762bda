/**
 * TP-Validity-Period (TS 23.040 9.2.3.12). We send the relative format (TP-VPF = 10, one octet,
 * 9.2.3.12.1); the decoder also reports absolute and enhanced periods of PDUs it reads.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import type { SmsTimestamp } from "./timestamp.js";

/** Default relative validity: 0xA7 = 24 hours (Kannel's modem default, gammu "1 day"). */
export const DEFAULT_VALIDITY = 0xa7;

/** A decoded validity period. */
export type ValidityPeriod =
  | { format: "none" }
  | { format: "relative"; octet: number; minutes: number }
  | { format: "absolute"; timestamp: SmsTimestamp }
  | { format: "enhanced"; hex: string };

/**
 * Minutes of a relative TP-VP octet: 0–143 → (VP+1)×5 min; 144–167 → 12 h + (VP−143)×30 min;
 * 168–196 → (VP−166) days; 197–255 → (VP−192) weeks (TS 23.040 9.2.3.12.1).
 */
export function relativeValidityMinutes(octet: number): number {
  if (octet <= 143) return (octet + 1) * 5;
  if (octet <= 167) return 720 + (octet - 143) * 30;
  if (octet <= 196) return (octet - 166) * 1440;
  return (octet - 192) * 10080;
}

/**
 * The smallest relative TP-VP octet whose period is at least `minutes` (so the SC never discards the
 * message earlier than asked), capped at 0xFF (63 weeks). Throws `SMS_INVALID` for minutes ≤ 0.
 */
export function relativeValidityOctet(minutes: number): number {
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new GatewayError("SMS_INVALID", "validity period must be a positive number of minutes");
  }
  for (let octet = 0; octet < 255; octet++) if (relativeValidityMinutes(octet) >= minutes) return octet;
  return 255;
}
