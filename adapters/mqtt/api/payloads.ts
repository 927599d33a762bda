import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { Transaction, VERB_SCHEMAS } from "../../../src/ports/message-bus.js";

/**
 * The topic → payload map of the public MQTT interface, typed once (zigbee2mqtt `lib/types/api.ts`):
 * the bridge publishes with these types, the request router validates with these schemas, and the tests
 * check what the gateway publishes against the same schemas. Topic keys are relative to `<base>`;
 * `+` stands for a link, terminal or verb.
 */
export const LinkStateSchema = Type.Object({
  state: Type.Union([Type.Literal("ready"), Type.Literal("degraded"), Type.Literal("unresponsive"), Type.Literal("disconnected")]),
  since: Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$", description: "ISO 8601 UTC" }),
  detail: Type.String(),
});

/** Retained `<base>/bridge/state`. */
export const BridgeStateSchema = Type.Object({
  state: Type.Union([Type.Literal("online"), Type.Literal("offline")]),
  version: Type.String(),
  simulated: Type.Boolean(),
});

/** `error` of a failed response. */
export const ErrorBodySchema = Type.Object({ code: Type.String(), message: Type.String() });

/** `<base>/bridge/response/<verb>`. */
export const ResponseSchema = Type.Union([
  Type.Object({ transaction: Type.Optional(Transaction), status: Type.Literal("ok"), data: Type.Unknown() }),
  Type.Object({ transaction: Type.Optional(Transaction), status: Type.Literal("error"), error: ErrorBodySchema }),
]);

/** Terminal state is open-ended (identity, model, registration, signal, mode, selected group, …). */
export const TerminalStateSchema = Type.Record(Type.String(), Type.Unknown());

/** One incoming SDS: decoded payload (docs/mqtt-interface.md JSON shapes) plus the raw hex. */
export const SdsReceivedSchema = Type.Object(
  { hex: Type.String({ pattern: "^[0-9A-Fa-f]*$" }), payload: Type.Object({ kind: Type.String() }, { additionalProperties: true }) },
  { additionalProperties: true },
);

const isoUtc = Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$", description: "ISO 8601 UTC" });

/** One incoming SMS (`<base>/sms/received`), reassembled; `complete: false` with `missing` parts after the reassembly timeout. */
export const SmsReceivedSchema = Type.Object(
  {
    modem: Type.String(),
    id: Type.String(),
    from: Type.String(),
    text: Type.String(),
    complete: Type.Boolean(),
    parts: Type.Integer({ minimum: 1 }),
    missing: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
    sentAt: Type.String(),
    receivedAt: isoUtc,
  },
  { additionalProperties: false },
);

const sendStatus = <S extends TSchema>(stage: S, device: "terminal" | "modem") =>
  Type.Object(
    {
      [device]: Type.String(),
      id: Type.String(),
      to: Type.String(),
      stage,
      /** SDS-TL message references (SDS) or TP-MRs (SMS), in part order. */
      references: Type.Array(Type.Integer({ minimum: 0, maximum: 255 })),
      at: isoUtc,
      detail: Type.Optional(Type.String()),
      /** SDS: delivery status of the SDS-REPORT or +CMGS; SMS: TP-ST of the latest status report. */
      deliveryStatus: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
      /** SMS `failed`: the error code and the `+CMS ERROR` number when the modem gave one. */
      error: Type.Optional(Type.Object({ code: Type.String(), cms: Type.Optional(Type.Integer()) })),
    },
    { additionalProperties: false },
  );

/** A stage of one sent SDS (`<base>/sds/status`): accepted → sent → delivered/consumed, or failed. */
export const SdsStatusSchema = sendStatus(
  Type.Union([Type.Literal("accepted"), Type.Literal("sent"), Type.Literal("delivered"), Type.Literal("consumed"), Type.Literal("failed")]),
  "terminal",
);
/** A stage of one sent SMS (`<base>/sms/status`): queued → submitted → delivered, or failed. */
export const SmsStatusSchema = sendStatus(Type.Union([Type.Literal("queued"), Type.Literal("submitted"), Type.Literal("delivered"), Type.Literal("failed")]), "modem");

interface TopicSpec {
  retained: boolean;
  qos: 0 | 1;
  schema: TSchema;
}

/** Topic (relative to `<base>`) → retained flag, QoS and payload schema. */
export const API = {
  "bridge/state": { retained: true, qos: 1, schema: BridgeStateSchema },
  "bridge/request/health": { retained: false, qos: 1, schema: VERB_SCHEMAS.health },
  "bridge/request/sds/send": { retained: false, qos: 1, schema: VERB_SCHEMAS["sds/send"] },
  "bridge/request/sms/send": { retained: false, qos: 1, schema: VERB_SCHEMAS["sms/send"] },
  "bridge/request/talkgroups/check": { retained: false, qos: 1, schema: VERB_SCHEMAS["talkgroups/check"] },
  "bridge/response/+": { retained: false, qos: 1, schema: ResponseSchema },
  "links/+": { retained: true, qos: 1, schema: LinkStateSchema },
  "terminals/+": { retained: true, qos: 1, schema: TerminalStateSchema },
  "sds/received": { retained: false, qos: 1, schema: SdsReceivedSchema },
  "sds/status": { retained: false, qos: 1, schema: SdsStatusSchema },
  "sms/received": { retained: false, qos: 1, schema: SmsReceivedSchema },
  "sms/status": { retained: false, qos: 1, schema: SmsStatusSchema },
  "alerts/+": { retained: true, qos: 1, schema: Type.Record(Type.String(), Type.Unknown()) },
  "talkgroups/+/check": { retained: true, qos: 1, schema: Type.Record(Type.String(), Type.Unknown()) },
  "conferences/+": { retained: true, qos: 1, schema: Type.Record(Type.String(), Type.Unknown()) },
} as const satisfies Record<string, TopicSpec>;

/** A topic key of the API map. */
export type ApiTopic = keyof typeof API;
/** The payload type of an API topic. */
export type ApiPayload<T extends ApiTopic> = Static<(typeof API)[T]["schema"]>;
/** Payload of `<base>/bridge/state`. */
export type BridgeState = Static<typeof BridgeStateSchema>;
/** Payload of `<base>/bridge/response/<verb>`. */
export type ResponsePayload = Static<typeof ResponseSchema>;
