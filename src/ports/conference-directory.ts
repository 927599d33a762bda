import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * What alert dispatch needs of the telephone conferences (README "Conferences"): the dial-in text for an
 * alert of kind `conference`, and this gateway's own leg state so the alert document can show when we
 * joined. The composition root (src/app) builds it from the conference registry and service; dispatch
 * never imports src/conference.
 */
export type ConferenceLegState = "idle" | "dialling" | "in-conference" | "failed" | "ended";

export interface ConferenceLegStatus {
  id: string;
  state: ConferenceLegState;
  /** ISO time of the last state change. */
  since: string;
}

export interface ConferenceDirectory {
  /** True when the conference is configured. */
  has(id: string): boolean;
  /** Bridge number and PIN for the text on the air. Contains the PIN: never log or publish it. */
  dialInText(id: string): string;
  /** The same text with the PIN replaced by `••••`: safe for logs and the retained alert document. */
  redactedDialInText(id: string): string;
  /** This gateway's leg in the conference, if it is configured. */
  status(id: string): ConferenceLegStatus | undefined;
  onStatus(listener: (s: ConferenceLegStatus) => void): Unsubscribe;
}
