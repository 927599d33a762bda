import type { CallEvent } from "../../src/ports/conference-bridge.js";
import { fail, ok, type ParseResult } from "../../src/shared/errors.js";

/**
 * baresip's mqtt module events (`/<base>/event`, JSON): `{type, class, accountaor, direction, peeruri, id,
 * param}`. Call events map to the port's CallEvent by the account (one account per line); everything else
 * (SDP, RTCP, audio errors) is of no interest to the domain. Bad JSON is a parse failure, never a throw.
 */
export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: string;
  peeruri?: string;
  id?: string;
  param?: string;
}

export function parseBaresipEvent(payload: Buffer | string): ParseResult<BaresipEvent> {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString());
  } catch {
    return fail("event is not JSON");
  }
  if (typeof v !== "object" || v === null || typeof (v as { type?: unknown }).type !== "string") return fail("event has no type");
  const e = v as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof e[k] === "string" ? (e[k]) : undefined);
  const out: BaresipEvent = { type: e["type"] as string };
  for (const k of ["class", "accountaor", "direction", "peeruri", "id", "param"] as const) {
    const s = str(k);
    if (s !== undefined) out[k] = s;
  }
  return ok(out);
}

/** Maps a baresip event to a CallEvent of `line`, or undefined when it is not one. */
export function toCallEvent(e: BaresipEvent, line: string): CallEvent | undefined {
  const callId = e.id ?? "";
  switch (e.type) {
    case "CALL_RINGING":
    case "CALL_PROGRESS":
      return e.direction === "incoming" ? undefined : { kind: "ringing", line, callId };
    case "CALL_ESTABLISHED":
      return { kind: "established", line, callId };
    case "CALL_CLOSED":
      return { kind: "closed", line, ...(e.id ? { callId: e.id } : {}), reason: e.param || "closed" };
    case "CALL_INCOMING":
      return { kind: "incoming", line, callId, from: e.peeruri ?? "" };
    default:
      return undefined;
  }
}

/** The far (telephone) side's level in dBov from a `VU_RX_REPORT` event, if it is one. */
export function rxLevelOf(e: BaresipEvent): number | undefined {
  if (e.type !== "VU_RX_REPORT" || e.param === undefined) return undefined;
  const v = Number(e.param);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Voice activity from periodic level reports: active at the first report at or above the threshold;
 * quiet again at the first report after `hangMs` below it (speech has short gaps between words).
 */
export class SpeechDetector {
  private active = false;
  private lastLoud = -Infinity;

  constructor(
    private readonly thresholdDbov: number,
    private readonly hangMs: number,
  ) {}

  get speaking(): boolean {
    return this.active;
  }

  /** Feeds one level; returns the new state when it changed. */
  level(dbov: number, now: number): boolean | undefined {
    if (dbov >= this.thresholdDbov) {
      this.lastLoud = now;
      if (this.active) return undefined;
      this.active = true;
      return true;
    }
    if (this.active && now - this.lastLoud >= this.hangMs) {
      this.active = false;
      return false;
    }
    return undefined;
  }

  /** The call ended: quiet. Returns false when that is a change. */
  reset(): boolean | undefined {
    const was = this.active;
    this.active = false;
    this.lastLoud = -Infinity;
    return was ? false : undefined;
  }
}
