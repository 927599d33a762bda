import type { ModemHealth, ModemService, ModemState } from "../../src/ports/sms-modem.js";
import type { LinkHealth } from "../at/link-health.js";

/**
 * "Modem alive" is not "modem can send" (Gammu issues #323 and #393): the link supervisor knows whether
 * the modem answers; the SIM and the network decide whether SMS can go out. Both end up in one published
 * health (`<base>/links/<modem>`): a modem that answers but has no network or a blocked SIM is `degraded`
 * with the reason, so the core falls back to another modem or channel.
 */

/** Registered on either domain (27.007 §7.2 CS, §10.1.22 EPS); unknown when neither was read. */
function registered(s: ModemState): boolean | undefined {
  const { cs, eps } = s.registration;
  if (!cs && !eps) return undefined;
  return (cs?.registered ?? false) || (eps?.registered ?? false);
}

/** The service given what init decided (`base`) and what registration says now. */
export function serviceOf(s: ModemState, base: ModemService): ModemService {
  if (base !== "ready" && base !== "not-registered") return base;
  return registered(s) === false ? "not-registered" : "ready";
}

function registrationText(s: ModemState): string {
  const parts: string[] = [];
  if (s.registration.cs) parts.push(`CREG ${s.registration.cs.text}`);
  if (s.registration.eps) parts.push(`CEREG ${s.registration.eps.text}`);
  return parts.join(", ") || "registration unknown";
}

/** The published health of a modem link. Pure. */
export function composeHealth(link: LinkHealth, s: ModemState, refusal: string | undefined, note?: string): Omit<ModemHealth, "since"> {
  if (link.state !== "ready") return { state: link.state, detail: note ?? link.detail };
  switch (s.service) {
    case "ready":
      return { state: "ready", detail: s.operator ? `registered on ${s.operator.name}` : "ready" };
    case "initialising":
      return { state: "degraded", detail: note ?? "initialising" };
    case "offline":
      return { state: "disconnected", detail: note ?? link.detail };
    case "not-registered":
      return { state: "degraded", detail: `no network: ${registrationText(s)}` };
    case "sim-pin-required":
    case "sim-blocked":
    case "sim-absent":
      return { state: "degraded", detail: `SIM: ${refusal ?? s.sim.detail ?? s.sim.status}` };
  }
}
