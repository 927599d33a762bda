/**
 * One error class for the whole gateway. Callers test `code` with predicates, never message text.
 * Parsers of outside data do not throw: they return `{ ok: false, reason }` (see `ParseResult`).
 */

/** Every error code, grouped by prefix. The comment says when each is raised. */
export const ERROR_CODES = {
  /** A command got no final result within its timeout. */
  AT_TIMEOUT: "AT_TIMEOUT",
  /** The device answered `ERROR`. */
  AT_ERROR: "AT_ERROR",
  /** The device answered `+CME ERROR: n` (context.cme = n). */
  AT_CME_ERROR: "AT_CME_ERROR",
  /** The device answered `+CMS ERROR: n` (context.cms = n). */
  AT_CMS_ERROR: "AT_CMS_ERROR",
  /** A queued command passed its deadline before it could be sent. */
  AT_EXPIRED: "AT_EXPIRED",
  /** Too many routine commands are waiting; the new one was refused (emergency/operator never are). */
  AT_QUEUE_FULL: "AT_QUEUE_FULL",
  /** The command was aborted by its caller (AbortSignal) or by engine shutdown. */
  AT_ABORTED: "AT_ABORTED",
  /** Caller-supplied text could not be put on the wire safely (AT injection guard). */
  AT_UNSAFE_ARGUMENT: "AT_UNSAFE_ARGUMENT",
  /** A response could not be parsed into the expected shape. */
  AT_BAD_RESPONSE: "AT_BAD_RESPONSE",
  /** The byte link closed or failed while a command was in flight. */
  LINK_LOST: "LINK_LOST",
  /** The byte link could not be opened (no such device, permission, refused). */
  LINK_OPEN_FAILED: "LINK_OPEN_FAILED",
  /** The link is not open (yet) and the operation cannot wait. */
  LINK_NOT_OPEN: "LINK_NOT_OPEN",
  /** An SDS could not be encoded (too long, bad address, unsupported text). */
  SDS_INVALID: "SDS_INVALID",
  /** The terminal accepted the SDS but reported that transmission failed. */
  SDS_SEND_FAILED: "SDS_SEND_FAILED",
  /** The destination reported a failed delivery (negative SDS-REPORT). */
  SDS_DELIVERY_FAILED: "SDS_DELIVERY_FAILED",
  /** No delivery report arrived within the wait. */
  SDS_REPORT_TIMEOUT: "SDS_REPORT_TIMEOUT",
  /** An SMS could not be encoded or was rejected. */
  SMS_INVALID: "SMS_INVALID",
  SMS_REJECTED: "SMS_REJECTED",
  /** The modem could not submit an SMS part after its retries (transient +CMS errors, lost link). */
  SMS_SEND_FAILED: "SMS_SEND_FAILED",
  /** A status report (`+CDS`) said a part of the SMS was not delivered (TS 23.040 TP-ST 0x40-0x7F). */
  SMS_DELIVERY_FAILED: "SMS_DELIVERY_FAILED",
  /** No status report arrived within the wait. */
  SMS_REPORT_TIMEOUT: "SMS_REPORT_TIMEOUT",
  /** An SMS waited in the send queue past its deadline (or the modem stayed away too long). */
  SMS_QUEUE_EXPIRED: "SMS_QUEUE_EXPIRED",
  /** The modem cannot send now: SIM not ready, not registered, or not initialised (context.service). */
  SMS_MODEM_NOT_READY: "SMS_MODEM_NOT_READY",
  /** The SIM asks for a PIN and none is configured (secret file or environment variable). */
  SIM_PIN_REQUIRED: "SIM_PIN_REQUIRED",
  /** A PIN is not sent: rejected before for this SIM, SIM PUK, or ≤ 1 attempt left. An operator must clear it. */
  SIM_PIN_BLOCKED: "SIM_PIN_BLOCKED",
  /** The SIM is missing or failed (`+CME ERROR: 10`/`13`). */
  SIM_NOT_READY: "SIM_NOT_READY",
  /** The terminal's identity does not match the configured one. */
  LINK_TERMINAL_MISMATCH: "LINK_TERMINAL_MISMATCH",
  /** Configuration is invalid (context.problems lists `path: reason`). */
  CFG_INVALID: "CFG_INVALID",
  /** A state file could not be read back. */
  STORE_CORRUPT: "STORE_CORRUPT",
  /** A request named a terminal, modem or plan this gateway does not have. */
  CFG_UNKNOWN_TARGET: "CFG_UNKNOWN_TARGET",
  /** Command-line usage error. */
  CLI_USAGE: "CLI_USAGE",
  /** An MQTT request payload is not valid JSON (bridge/request/<verb>). */
  MQTT_BAD_JSON: "MQTT_BAD_JSON",
  /** An MQTT request payload does not match the verb's schema (context.problems lists `path: reason`). */
  MQTT_BAD_PAYLOAD: "MQTT_BAD_PAYLOAD",
  /** An MQTT request payload is larger than the API allows. */
  MQTT_PAYLOAD_TOO_LARGE: "MQTT_PAYLOAD_TOO_LARGE",
  /** A request named a verb that no handler is registered for. */
  MQTT_UNKNOWN_VERB: "MQTT_UNKNOWN_VERB",
  /** A verb handler failed with an error that was not a GatewayError. */
  MQTT_HANDLER_FAILED: "MQTT_HANDLER_FAILED",
  /** Too many requests are in progress; try again. */
  MQTT_BUSY: "MQTT_BUSY",
  /** The MQTT client is not connected and the operation cannot wait. */
  MQTT_NOT_CONNECTED: "MQTT_NOT_CONNECTED",
  /** A topic or topic segment (link, terminal id) contains `/`, `+`, `#` or is empty. */
  MQTT_BAD_TOPIC: "MQTT_BAD_TOPIC",
  /** The embedded broker process could not start (context.reason). */
  MQTT_BROKER_FAILED: "MQTT_BROKER_FAILED",
  /** A users or ACL file is invalid (context.problems lists `line N: reason`). */
  MQTT_AUTH_FILE_INVALID: "MQTT_AUTH_FILE_INVALID",
  /** The users file has no such user (rakelgw users remove). */
  MQTT_NO_SUCH_USER: "MQTT_NO_SUCH_USER",
  /** The broker refused a client's publish (ACL, or a reserved `$` topic); the client is disconnected. */
  MQTT_PUBLISH_DENIED: "MQTT_PUBLISH_DENIED",
  /** A talk-group check that would change the terminal's group or mode was refused: a call is active (docs/pei.md §7.3). */
  TG_CALL_ACTIVE: "TG_CALL_ACTIVE",
  /** A talk-group check ended without an answer for every required group, or could not verify its restore (exit 2). */
  TG_CHECK_INCOMPLETE: "TG_CHECK_INCOMPLETE",
  /** A talk-group check named a terminal the service does not know (context.terminal). */
  TG_UNKNOWN_TERMINAL: "TG_UNKNOWN_TERMINAL",
  /** The disk is full (ENOSPC/EDQUOT): nothing new is accepted until space is freed (context.path). */
  STORE_FULL: "STORE_FULL",
  /** Another gateway process holds the state directory's lock (context.pid, context.path). */
  STORE_LOCKED: "STORE_LOCKED",
  /** No alert with this id or code (active or archived). */
  ALERT_NOT_FOUND: "ALERT_NOT_FOUND",
  /** The alert has ended (completed, cancelled, expired): it can no longer be answered or cancelled. */
  ALERT_NOT_ACTIVE: "ALERT_NOT_ACTIVE",
  /** An alert names a role or person the roster does not have, or resolves to nobody (context.problems). */
  ALERT_BAD_RECIPIENTS: "ALERT_BAD_RECIPIENTS",
  /** An acknowledgement named a person who is not a recipient of the alert. */
  ALERT_NOT_RECIPIENT: "ALERT_NOT_RECIPIENT",
  /** Dispatch is not configured on this gateway (no `dispatch` section). */
  ALERT_DISPATCH_OFF: "ALERT_DISPATCH_OFF",
  /** `alert/send` named a conference that is not configured (context.conference). */
  ALERT_UNKNOWN_CONFERENCE: "ALERT_UNKNOWN_CONFERENCE",
  /** A check record could not be appended and fsynced to the check store (context.path). */
  STORE_WRITE_FAILED: "STORE_WRITE_FAILED",
  /** The status page's HTTP(S) listener could not start (address in use, unreadable TLS files). */
  HTTP_LISTEN_FAILED: "HTTP_LISTEN_FAILED",
  /** An HTTP request needs a login (no or expired session, wrong password). */
  HTTP_UNAUTHORIZED: "HTTP_UNAUTHORIZED",
  /** The logged-in user lacks the right for this action (the MQTT ACL decides). */
  HTTP_FORBIDDEN: "HTTP_FORBIDDEN",
  /** An HTTP request was malformed (bad form, too large, cross-site origin). */
  HTTP_BAD_REQUEST: "HTTP_BAD_REQUEST",
  /** Too many failed logins from one address, or too many checks at once. */
  HTTP_THROTTLED: "HTTP_THROTTLED",
  /** A conference request named a conference that is not configured (context.conference). */
  SIP_UNKNOWN_CONFERENCE: "SIP_UNKNOWN_CONFERENCE",
  /** Joining would exceed the number of simultaneous conferences (context.limit, context.active). */
  SIP_CONFERENCE_LIMIT: "SIP_CONFERENCE_LIMIT",
  /** The SIP agent is not running or its control connection is down. */
  SIP_AGENT_DOWN: "SIP_AGENT_DOWN",
  /** The SIP agent refused a command or did not answer it in time (context.command; never the DTMF key). */
  SIP_COMMAND_FAILED: "SIP_COMMAND_FAILED",
  /** A conference PIN could not be read from its file or environment variable (context.conference). */
  SIP_PIN_UNAVAILABLE: "SIP_PIN_UNAVAILABLE",
  /** A PIN or dial string contains something other than 0-9, *, #, A-D and `,` pauses. */
  SIP_BAD_DIAL_STRING: "SIP_BAD_DIAL_STRING",
  /** Keying or de-keying the patched talk group failed (context.terminal, context.talkgroup). */
  SIP_PATCH_FAILED: "SIP_PATCH_FAILED",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface GatewayErrorOptions {
  context?: Record<string, unknown>;
  cause?: unknown;
}

export class GatewayError extends Error {
  override readonly name = "GatewayError";
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

export function isGatewayError(e: unknown, code?: ErrorCode | readonly ErrorCode[]): e is GatewayError {
  if (!(e instanceof GatewayError)) return false;
  if (code === undefined) return true;
  return typeof code === "string" ? e.code === code : code.includes(e.code);
}

export function isLinkLost(e: unknown): boolean {
  return isGatewayError(e, ["LINK_LOST", "LINK_NOT_OPEN", "LINK_OPEN_FAILED"]);
}

/** Result of a parser of outside data. Never thrown into a read loop. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
export const fail = <T = never>(reason: string): ParseResult<T> => ({ ok: false, reason });
