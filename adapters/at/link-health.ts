/**
 * Health of one device link: the gateway's single link-health model (`src/link-health/link-state.ts`),
 * under the names the AT layer uses. ready — answering and initialised; degraded — answering, but
 * commands time out or are refused; unresponsive — open but silent, recovery under way; disconnected —
 * the device or cable is gone.
 */
export type { LinkHealth, LinkState as LinkHealthState } from "../../src/link-health/link-state.js";
export { linkHealthJson as healthJson } from "../../src/link-health/link-state.js";
