/**
 * Checks one `AT+CMGS` with its user data the way a terminal must before it transmits, and decodes the PDU
 * with the gateway's SDS codec so tests can assert what would reach the air (docs/pei.md §1.5, §3.2, §5.11).
 *
 * CME codes (docs/pei.md §1.3): 35 syntax, 34 parameter out of range, 32 user data could not be decoded,
 * 30 MS out of service, 42 busy (rate limit).
 */
import { AI_SERVICE, MAX_TYPE4_BITS, decodeSds, parseHex } from "../sds/index.js";
import type { SentSds, SimCommand, SimContext } from "./behaviour.js";
import { ssiOf } from "./sim-config.js";

/** What {@link validateCmgs} hands to `transmit`. */
export type CmgsAccepted = Omit<SentSds, "at" | "transmission">;

/** Accepted SDS, or the CME code to answer. */
export type CmgsValidation = { ok: true; sds: CmgsAccepted } | { ok: false; cme: number; reason: string };

const reject = (cme: number, reason: string): CmgsValidation => ({ ok: false, cme, reason });

/** Fixed lengths of SDS types 1–3 and status (docs/pei.md §3.1: 16/32/64 bits, status 16). */
const FIXED_BITS: Readonly<Record<number, number>> = {
  [AI_SERVICE.SDS_TYPE1]: 16,
  [AI_SERVICE.SDS_TYPE2]: 32,
  [AI_SERVICE.SDS_TYPE3]: 64,
  [AI_SERVICE.STATUS]: 16,
};

const MINUTE_MS = 60_000;

/** Prunes send times older than a minute and tells whether another send fits the per-minute budget. */
function withinRate(ctx: SimContext, now: number): boolean {
  const times = ctx.state.sdsSendTimes;
  while (times.length > 0 && now - times[0]! >= MINUTE_MS) times.shift();
  return times.length < ctx.config.maxSdsPerMinute;
}

/** Validates `AT+CMGS=<called>,<bits>` with its user data against the terminal's state and limits. */
export function validateCmgs(cmd: SimCommand, ctx: SimContext): CmgsValidation {
  const [called, bitsText] = cmd.args;
  if (cmd.args.length !== 2 || called === undefined || bitsText === undefined) return reject(35, "expected <called party>,<length>");
  if (!/^\d+$/.test(called) || !/^\d+$/.test(bitsText)) return reject(35, "called party and length must be digits");
  if (cmd.data === undefined) return reject(37, "no user data");

  const { state, config } = ctx;
  // No SwMI in TMO without registration (CME 30 "MS out of service"); DMO needs none.
  if (state.mode !== 1 && state.regStat !== 1 && state.regStat !== 5) return reject(30, `not registered (stat ${state.regStat})`);
  if (!withinRate(ctx, Date.now())) return reject(42, `more than ${config.maxSdsPerMinute} SDS in a minute`);

  // SSI form: 1–8 digits, 24 bits; TSI forms carry the SSI in the last 8 digits (docs/pei.md §3.3).
  const ssi = ssiOf(called);
  if (ssi === undefined || ssi === "0" || (state.calledIdType === 0 && called.length > 8)) return reject(34, `called party ${called} out of range`);

  const bits = Number(bitsText);
  const ai = state.aiService;
  const fixed = FIXED_BITS[ai];
  if (fixed !== undefined && bits !== fixed) return reject(34, `AI service ${ai} carries exactly ${fixed} bits, got ${bits}`);
  const max = Math.min(config.maxSdsBits, MAX_TYPE4_BITS);
  if (bits < 1 || bits > max) return reject(34, `length ${bits} outside 1–${max} bits`);

  const digits = cmd.data.replace(/\s+/g, "");
  // The hex must cover the length and may overhang it by less than one octet (svx pads, Sepura does not; docs/pei.md §4.2).
  if (digits.length > Math.ceil(bits / 8) * 2) return reject(32, `${digits.length} hex digits is more than ${bits} bits`);
  const parsed = parseHex(digits, bits);
  if (!parsed.ok) return reject(32, parsed.reason);

  const decoded = decodeSds(ai, parsed.value.hex, bits);
  const sds: CmgsAccepted = {
    destination: called,
    ssi,
    toGroup: ctx.groupsFor(0).some((g) => g.gssi === ssi) || ctx.groupsFor(1).some((g) => g.gssi === ssi),
    aiService: ai,
    bits,
    hex: parsed.value.hex,
    decoded: decoded.ok ? decoded.value : undefined,
    messageReference: 0,
  };
  if (!decoded.ok) sds.decodeError = decoded.reason;
  else {
    const d = decoded.value;
    // The reference in `+CMGS: 0,4,<ref>` is the SDS-TL message reference (svx PR #576: `+CMGS: 0,4,7`), 0 otherwise.
    if (ai === AI_SERVICE.SDS_TYPE4 && "messageReference" in d && typeof d.messageReference === "number") sds.messageReference = d.messageReference;
    if (d.kind === "text" || d.kind === "concatenated-part") sds.text = d.text;
  }
  return { ok: true, sds };
}
