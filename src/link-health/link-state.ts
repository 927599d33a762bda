/**
 * Health of one link, the same model for every link the gateway watches (docs/mqtt-interface.md `<base>/links/<link>`):
 * `ip`, `upstream`, each terminal, each modem, each SIP agent. The four states and their meaning match
 * `adapters/at/link-health.ts`, so a radio's health and the uplink's read the same on the status page:
 * ready — answering; degraded — answering, but partly failing; unresponsive — silent or lost, recovery under
 * way; disconnected — gone (device unplugged, network down, or deliberately stopped).
 */
export type LinkState = "ready" | "degraded" | "unresponsive" | "disconnected";

/** All link states, best first. */
export const LINK_STATES: readonly LinkState[] = ["ready", "degraded", "unresponsive", "disconnected"];

/** One link's health. */
export interface LinkHealth {
  state: LinkState;
  /** When the state was entered (wall clock). */
  since: Date;
  /** Short human reason, never a secret or a message body. */
  detail: string;
}

/** The retained JSON published on `<base>/links/<link>`. */
export interface LinkHealthJson {
  state: LinkState;
  /** ISO 8601 UTC. */
  since: string;
  detail: string;
}

/** Converts to the published JSON. */
export function linkHealthJson(h: LinkHealth): LinkHealthJson {
  return { state: h.state, since: h.since.toISOString(), detail: h.detail };
}
