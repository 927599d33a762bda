import type { ChannelKind } from "./addresses.js";
import type { AlertConference } from "./alert-conference.js";
import type { AnswerKind } from "./dispatch-config.js";

/**
 * An alert as stored and as published (retained `<base>/alerts/<id>`, README "Alerts and acknowledgements"). The published form
 * is `publicAlert()`; the stored form adds the escalation ladder of each recipient slot and in-flight sends,
 * so a restarted gateway resumes exactly where it stopped.
 */
export type AlertKind = "activation" | "conference" | "info" | "test";
export type AlertState = "active" | "completed" | "cancelled" | "expired";
export type RecipientState = "pending" | "attempting" | "delivered" | "acknowledged" | "unreached";
export type AttemptResult = "sent" | "delivered" | "failed";
export type Answer = AnswerKind;

export interface Attempt {
  channel: ChannelKind;
  address: string;
  at: string;
  result: AttemptResult;
  detail?: string;
  /** Port-level id of the send (SDS/SMS progress events), not published. */
  ref?: string;
}

/** One entry of `recipients`: a person, or an address (direct `issi:`/`msisdn:`/`gssi:` or a role's group fallback). */
export interface Recipient {
  person?: string;
  role?: string;
  address?: string;
  state: RecipientState;
  answer?: Answer;
  answeredAt?: string;
  attempts: Attempt[];
  /** Index of the slot (original recipient spec) this entry belongs to. Not published. */
  slot: number;
  /** Sends repeated after a restart because their result had not been recorded (the at-least-once window). */
  resends?: number;
  /** A send that was started and not yet recorded: after a crash it is sent again (at-least-once). */
  inFlight?: { channel: ChannelKind; address: string; since: string; step: number };
}

/** One rung of a slot's ladder: a person's channel, or a group fallback. */
export interface Step {
  person?: string;
  role?: string;
  channel: ChannelKind;
  /** `sds` to a GSSI when `group` is true. */
  address: string;
  group?: boolean;
}

/** One original recipient spec (`role:tib`, `person:anna`, `issi:…`) and where its escalation stands. */
export interface Slot {
  spec: string;
  ladder: Step[];
  /** Index of the step being waited on, or the next to try. */
  step: number;
  /** Wall time until which the current step waits for an answer (ISO), when one was sent. */
  waitUntil?: string;
  /** Steps passed over because their link was not ready; tried again when it is. */
  skipped: number[];
  /** No step left to try. */
  exhausted: boolean;
}

export interface AlertOrigin {
  via: "mqtt" | "sds" | "sms" | "cli";
  /** The activator's ISSI or MSISDN for sds/sms activations (receipts go back there). */
  from?: string;
  /** Every channel this activation arrived by (de-duplication provenance). */
  arrivals: { via: string; from?: string; at: string }[];
}

export interface StoredAlert {
  id: string;
  kind: AlertKind;
  code: string;
  text: string;
  priority: "emergency" | "operator" | "normal";
  state: AlertState;
  createdAt: string;
  deadline: string;
  endedAt?: string;
  ackTimeoutS: number;
  origin: AlertOrigin;
  /** Normalised text for de-duplication of activations arriving by several channels. */
  dedupKey?: string;
  slots: Slot[];
  recipients: Recipient[];
  receipts: { firstAnswer: boolean; final: boolean };
  /** The conference the alert asks people to join (redacted dial-in text; our own leg's state). */
  conference?: AlertConference;
  /** Monotonic change counter; the newest snapshot wins on recovery. */
  rev: number;
}

export interface Summary {
  coming: number;
  notComing: number;
  delayed: number;
  pending: number;
  unreached: number;
}

/** Group fallbacks and direct GSSI recipients cannot answer: they are not counted. */
export const isBroadcast = (r: Recipient): boolean => r.address?.startsWith("gssi:") === true;

export function summarise(a: StoredAlert): Summary {
  const s: Summary = { coming: 0, notComing: 0, delayed: 0, pending: 0, unreached: 0 };
  for (const r of a.recipients) {
    if (isBroadcast(r)) continue;
    if (r.answer === "coming") s.coming++;
    else if (r.answer === "not-coming") s.notComing++;
    else if (r.answer === "delayed") s.delayed++;
    else if (r.state === "unreached") s.unreached++;
    else s.pending++;
  }
  return s;
}

/** One line of `alert/list`: what a list needs, small enough to keep for many finished alerts. */
export interface AlertListItem {
  id: string;
  kind: StoredAlert["kind"];
  code: string;
  state: StoredAlert["state"];
  createdAt: string;
  deadline: string;
  summary: Summary;
}

export function listItem(a: StoredAlert): AlertListItem {
  return { id: a.id, kind: a.kind, code: a.code, state: a.state, createdAt: a.createdAt, deadline: a.deadline, summary: summarise(a) };
}

/** The retained document, exactly the contract's fields (plus `priority`, `origin` and `endedAt`). */
export function publicAlert(a: StoredAlert): Record<string, unknown> {
  return {
    id: a.id,
    kind: a.kind,
    code: a.code,
    text: a.text,
    priority: a.priority,
    state: a.state,
    createdAt: a.createdAt,
    deadline: a.deadline,
    ...(a.endedAt ? { endedAt: a.endedAt } : {}),
    origin: { via: a.origin.via, ...(a.origin.from ? { from: a.origin.from } : {}), arrivals: a.origin.arrivals },
    recipients: a.recipients.map((r) => ({
      ...(r.person ? { person: r.person } : {}),
      ...(r.role ? { role: r.role } : {}),
      ...(r.address ? { address: r.address } : {}),
      state: r.state,
      ...(r.answer ? { answer: r.answer, answeredAt: r.answeredAt } : {}),
      ...(r.resends ? { resentAfterRestart: r.resends } : {}),
      attempts: r.attempts.map((t) => ({ channel: t.channel, address: t.address, at: t.at, result: t.result, ...(t.detail ? { detail: t.detail } : {}) })),
    })),
    summary: summarise(a),
    ...(a.conference ? { conference: { ...a.conference } } : {}),
  };
}

export const isFinal = (s: AlertState): boolean => s !== "active";
