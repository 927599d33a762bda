/**
 * Health of one device link, the same model for every link (interfaces.md `<base>/links/<link>`):
 * ready — answering and initialised; degraded — answering, but commands time out or are refused;
 * unresponsive — open but silent, recovery under way; disconnected — the device or cable is gone.
 */
export type LinkHealthState = "ready" | "degraded" | "unresponsive" | "disconnected";

export interface LinkHealth {
  state: LinkHealthState;
  /** When the state was entered (wall clock, ISO 8601 in JSON). */
  since: Date;
  detail: string;
}

export function healthJson(h: LinkHealth): { state: LinkHealthState; since: string; detail: string } {
  return { state: h.state, since: h.since.toISOString(), detail: h.detail };
}
