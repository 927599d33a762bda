import type { ConferenceDirectory, ConferenceLegState, ConferenceLegStatus } from "../ports/conference-directory.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";

/**
 * The conference an alert asks people to dial into (`alert/send {conference}`, README "Alerts and
 * acknowledgements"): the text on the air gets the bridge number and PIN; the stored and published alert
 * keep only the redacted dial-in text and follow this gateway's own leg (`joinedAt` once it is in).
 */
export interface AlertConference {
  id: string;
  state: ConferenceLegState;
  since: string;
  /** When this gateway's leg first reached `in-conference` while the alert was active. */
  joinedAt?: string;
  /** The dial-in text with the PIN replaced by `••••`. */
  dialIn: string;
}

/** Checks the id (and that the PIN can be read now) and returns the alert's initial conference record. */
export function alertConference(dir: ConferenceDirectory | undefined, id: string, now: Date): AlertConference {
  if (!dir?.has(id)) {
    throw new GatewayError("ALERT_UNKNOWN_CONFERENCE", `no conference "${id}" is configured on this gateway`, { context: { conference: id } });
  }
  dir.dialInText(id); // throws SIP_PIN_UNAVAILABLE now rather than at the first send
  const s = dir.status(id);
  return {
    id,
    state: s?.state ?? "idle",
    since: s?.since ?? now.toISOString(),
    ...(s?.state === "in-conference" ? { joinedAt: s.since } : {}),
    dialIn: dir.redactedDialInText(id),
  };
}

/** The alert text with the dial-in text (number and PIN) for the air. Without the PIN if it cannot be read. */
export function textWithDialIn(text: string, c: AlertConference | undefined, dir: ConferenceDirectory | undefined, log: Logger, alert: string): string {
  if (!c) return text;
  try {
    if (!dir) throw new GatewayError("ALERT_UNKNOWN_CONFERENCE", `conference "${c.id}" is no longer configured`);
    return `${text} ${dir.dialInText(c.id)}`;
  } catch (err) {
    log.warn({ event: "alert-dial-in-unavailable", alert, conference: c.id, code: (err as GatewayError).code }, "dial-in text unavailable: the alert goes out without the PIN");
    return `${text} ${c.dialIn}`;
  }
}

/** Follows a leg state change; true when the alert's record changed. */
export function followConference(c: AlertConference | undefined, s: ConferenceLegStatus): boolean {
  if (c?.id !== s.id || (c.state === s.state && c.since === s.since)) return false;
  c.state = s.state;
  c.since = s.since;
  if (s.state === "in-conference" && c.joinedAt === undefined) c.joinedAt = s.since;
  return true;
}
