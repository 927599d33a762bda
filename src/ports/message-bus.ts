import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { LinkHealthJson } from "../link-health/link-state.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * What the domain core needs from the MQTT side (docs/mqtt-interface.md, "MQTT topics"): answer requests on
 * `<base>/bridge/request/<verb>` and publish state. The adapter (`adapters/mqtt/`) owns topics, JSON,
 * validation and the broker; the core sees validated, typed payloads and returns plain data.
 *
 * The request schemas live here, not in the adapter, because the handlers in `src/` need their types and
 * `src/` must not import `adapters/` (an ESLint rule enforces it). `adapters/mqtt/api/` builds the topic map on them.
 */

/** Echoed back in the response so callers can match it (zigbee2mqtt convention). */
export const Transaction = Type.Union([Type.String({ maxLength: 128 }), Type.Number()]);
const id = (what: string) => Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,64}$", description: what });

/** Request payload schemas of the built-in verbs; unknown fields are rejected. */
export const VERB_SCHEMAS = {
  health: Type.Object({ transaction: Type.Optional(Transaction) }, { additionalProperties: false }),
  "sds/send": Type.Object(
    {
      transaction: Type.Optional(Transaction),
      /** Which terminal sends it; the gateway's default terminal when absent. */
      terminal: Type.Optional(id("terminal id")),
      /** `issi:<1-8 digits>` or `gssi:<1-8 digits>` (docs/reliability.md #5: nothing else reaches the AT layer). */
      to: Type.String({ pattern: "^(issi|gssi):[0-9]{1,8}$" }),
      text: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
      status: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      report: Type.Optional(Type.Union([Type.Literal("none"), Type.Literal("received"), Type.Literal("consumed"), Type.Literal("both")])),
      immediate: Type.Optional(Type.Boolean()),
      priority: Type.Optional(Type.Union([Type.Literal("emergency"), Type.Literal("operator"), Type.Literal("normal")])),
    },
    { additionalProperties: false },
  ),
  "sms/send": Type.Object(
    {
      transaction: Type.Optional(Transaction),
      modem: Type.Optional(id("modem id")),
      /** E.164 with or without `+`, 3-15 digits (docs/reliability.md #4). */
      to: Type.String({ pattern: "^\\+?[0-9]{3,15}$" }),
      text: Type.String({ minLength: 1, maxLength: 1600 }),
      report: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  "talkgroups/check": Type.Object(
    {
      transaction: Type.Optional(Transaction),
      terminal: id("terminal id"),
      /** Plan name in firmware-config/talkgroups; the terminal's configured plan when absent. */
      plan: Type.Optional(id("plan name")),
      method: Type.Optional(Type.Union([Type.Literal("auto"), Type.Literal("list"), Type.Literal("probe")])),
    },
    { additionalProperties: false },
  ),
} as const;

/**
 * Cross-field rules JSON Schema cannot say readably; each returns a `path: reason` problem or undefined.
 * They run after the schema, before the handler, so a bad request never starts a partial action.
 */
export const VERB_CHECKS: { [V in KnownVerb]?: (p: VerbPayload<V>) => string | undefined } = {
  "sds/send": (p) => {
    if ((p.text === undefined) === (p.status === undefined)) return "/: exactly one of text or status is required";
    if (p.to.startsWith("gssi:") && p.report !== undefined && p.report !== "none") return "/report: a group SDS cannot ask for a delivery report";
    return undefined;
  },
};

/** Verbs with a built-in schema. */
export type KnownVerb = keyof typeof VERB_SCHEMAS;
/** Validated request payload of a built-in verb. */
export type VerbPayload<V extends KnownVerb> = Static<(typeof VERB_SCHEMAS)[V]>;
/** A request's transaction id as echoed in the response. */
export type TransactionId = Static<typeof Transaction>;

/** Context a handler gets besides the payload; never contains credentials. */
export interface VerbContext {
  verb: string;
  transaction: TransactionId | undefined;
}

/**
 * Handles one validated request and returns the response's `data`. Throwing a `GatewayError` answers
 * `status: "error"` with its code; any other throw answers `MQTT_HANDLER_FAILED`.
 */
export type VerbHandler<P> = (payload: P, ctx: VerbContext) => Promise<unknown>;

/**
 * One stage of a sent SDS or SMS on `<base>/sds/status` / `<base>/sms/status`: the `id` is the one the
 * `sds/send` / `sms/send` response gave, `references` the SDS-TL message references or TP-MRs.
 */
export interface SendStatus {
  id: string;
  stage: string;
  references: number[];
  /** ISO 8601 UTC. */
  at: string;
  detail?: string;
  [field: string]: unknown;
}

/** The MQTT side as the core sees it. */
export interface MessageBus {
  /** Registers the handler of a built-in verb (one per verb; a second registration replaces the first). */
  registerVerb<V extends KnownVerb>(verb: V, handler: VerbHandler<VerbPayload<V>>): Unsubscribe;
  /** Registers a verb with its own schema (e.g. `alert/send`); the schema should forbid unknown fields. */
  registerCustomVerb<S extends TSchema>(verb: string, schema: S, handler: VerbHandler<Static<S>>): Unsubscribe;
  /** Retained `<base>/links/<link>`. Resolves once the local broker has it (QoS 1). */
  publishLinkState(link: string, health: LinkHealthJson): Promise<void>;
  /** Retained `<base>/terminals/<id>`: identity, model, registration, signal, mode, selected group. */
  publishTerminalState(terminalId: string, state: Record<string, unknown>): Promise<void>;
  /** `<base>/sds/received` (not retained): one incoming SDS, decoded, with the raw hex. */
  publishSdsReceived(sds: Record<string, unknown>): Promise<void>;
  /** `<base>/sms/received` (not retained): one incoming SMS, reassembled. */
  publishSmsReceived(sms: Record<string, unknown>): Promise<void>;
  /** `<base>/sds/status` (not retained): a stage of one sent SDS (accepted, sent, delivered, consumed, failed). */
  publishSdsStatus(status: SendStatus): Promise<void>;
  /** `<base>/sms/status` (not retained): a stage of one sent SMS (queued, submitted, delivered, failed). */
  publishSmsStatus(status: SendStatus): Promise<void>;
  /** Retained `<base>/alerts/<alertId>`: the alert and its progress per recipient. */
  publishAlertState(alertId: string, state: Record<string, unknown>): Promise<void>;
  /** Clears retained `<base>/alerts/<alertId>` (an empty retained message) of a finished alert kept long enough. */
  clearAlertState(alertId: string): Promise<void>;
  /** Retained `<base>/talkgroups/<terminal>/check`: the last talk-group check result. */
  publishTalkgroupCheck(terminalId: string, result: Record<string, unknown>): Promise<void>;
  /** An alert to a device topic (a roster `mqtt` channel), QoS 1, not retained. Optional: a bus may not reach devices. */
  publishDevice?(topic: string, payload: Record<string, unknown>): Promise<void>;
  /** Retained `<base>/conferences/<id>`: state of a conference leg and the participants known. */
  publishConferenceState(conferenceId: string, state: Record<string, unknown>): Promise<void>;
}
