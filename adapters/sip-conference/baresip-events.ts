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
