import { isGatewayError } from "../../src/shared/errors.js";

/**
 * What a failed `AT+CMGS` means for the message (docs/reliability.md #16, #17, #19):
 *  - `transient`: the network or modem is busy; the same part is retried with backoff;
 *  - `permanent`: this message cannot be sent as it is (bad number, barred, bad PDU); it fails at once;
 *  - `modem`: the modem cannot send anything now (no network, SIM trouble); retried, and counted toward
 *    the modem reset (smstools3 `blockafter`);
 *  - `ambiguous`: no answer or the link went away after the PDU may have left: the SC may have the message,
 *    so it is sent once more at most (at-least-once, goal R3).
 *
 * `+CMS ERROR` values (27.005 §3.2.5): 0-127 are TS 24.011 RP-cause values (Annex E-2), 128-255 TS 23.040
 * TP-FCS values (9.2.3.22), 300-340 ME/TA errors, 500 unknown, 512+ manufacturer specific.
 */
export type SendFailureClass = "transient" | "permanent" | "modem" | "ambiguous";

/** RP-causes (24.011 E-2) that say "try later": network/SC congestion and temporary failures. */
const RP_TRANSIENT = new Set([17, 22, 27, 38, 41, 42, 47, 111, 127]);
/** TP-FCS (23.040 9.2.3.22): 0xC0 SC busy, 0xC2 SC system failure, 0xD4 SAT busy, 0xFF unspecified. */
const TP_TRANSIENT = new Set([0xc0, 0xc2, 0xd2, 0xd4, 0xff]);
/** ME/TA errors (27.005 §3.2.5) that are the modem's state, not the message: SIM, memory, network service. */
const ME_MODEM = new Set([300, 301, 302, 310, 311, 312, 313, 315, 316, 317, 318, 320, 330, 331, 332]);
/** 314 SIM busy and 500 unknown error: seen from modems under load (docs/reliability.md #16), retried. */
const ME_TRANSIENT = new Set([314, 500]);

/** Classifies a `+CMS ERROR: <n>` value. */
export function classifyCms(code: number): SendFailureClass {
  if (code >= 0 && code <= 127) return RP_TRANSIENT.has(code) ? "transient" : "permanent";
  if (code >= 128 && code <= 255) return TP_TRANSIENT.has(code) ? "transient" : "permanent";
  if (ME_MODEM.has(code)) return "modem";
  if (ME_TRANSIENT.has(code)) return "transient";
  if (code >= 300 && code <= 399) return "permanent"; // 303 not supported, 304/305 invalid parameter, 321/322 memory
  // 512+ manufacturer specific (and anything unknown): retry, bounded by the attempts.
  return "transient";
}

/** Classifies any error from sending one part. */
export function classifySendError(err: unknown): SendFailureClass {
  if (isGatewayError(err, "AT_CMS_ERROR")) return classifyCms(Number(err.context["cms"]));
  if (isGatewayError(err, ["AT_TIMEOUT", "LINK_LOST"])) {
    // No prompt means the PDU never left: a clean retry. Otherwise the SC may already have it.
    return err.code === "AT_TIMEOUT" && err.context["prompt"] === true ? "transient" : "ambiguous";
  }
  if (isGatewayError(err, ["AT_CME_ERROR", "AT_ERROR"])) return "modem";
  if (isGatewayError(err, ["AT_UNSAFE_ARGUMENT", "SMS_INVALID", "AT_BAD_RESPONSE"])) return "permanent";
  if (isGatewayError(err, ["AT_ABORTED", "AT_EXPIRED", "LINK_NOT_OPEN"])) return "transient";
  return "permanent";
}

/** Short English text for the common values, for logs and the CLI. */
export function cmsText(code: number): string {
  const known: Record<number, string> = {
    1: "unassigned (unallocated) number",
    8: "operator determined barring",
    10: "call barred",
    21: "short message transfer rejected",
    27: "destination out of service",
    28: "unidentified subscriber",
    29: "facility rejected",
    30: "unknown subscriber",
    38: "network out of order",
    41: "temporary failure",
    42: "congestion",
    47: "resources unavailable",
    50: "requested facility not subscribed",
    96: "invalid mandatory information",
    192: "SC busy",
    193: "no SC subscription",
    194: "SC system failure",
    195: "invalid SME address",
    196: "destination SME barred",
    300: "ME failure",
    302: "operation not allowed",
    304: "invalid PDU mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    314: "SIM busy",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    500: "unknown error",
  };
  return known[code] ?? (code >= 512 ? "manufacturer-specific error" : "error");
}
