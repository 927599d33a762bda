import { Type } from "@sinclair/typebox";
import { Transaction } from "../ports/message-bus.js";

/**
 * Request schemas of the alert and roster verbs (README "Alerts and acknowledgements"; the names are a fixed public contract). Unknown fields are refused;
 * recipients are checked against the roster by the dispatcher (ALERT_BAD_RECIPIENTS with `path: reason`).
 */
const strict = { additionalProperties: false } as const;
const AlertId = Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,64}$" });
const Code = Type.String({ pattern: "^[0-9]{4}$" });
const AnswerSchema = Type.Union([Type.Literal("coming"), Type.Literal("not-coming"), Type.Literal("delayed")]);
export const AlertStateSchema = Type.Union([Type.Literal("active"), Type.Literal("completed"), Type.Literal("cancelled"), Type.Literal("expired")]);

export const ALERT_VERBS = {
  "alert/send": Type.Object(
    {
      transaction: Type.Optional(Transaction),
      id: Type.Optional(AlertId),
      kind: Type.Union([Type.Literal("activation"), Type.Literal("conference"), Type.Literal("info"), Type.Literal("test")]),
      priority: Type.Optional(Type.Union([Type.Literal("emergency"), Type.Literal("operator"), Type.Literal("normal")])),
      text: Type.String({ minLength: 1, maxLength: 1000 }),
      recipients: Type.Array(Type.String({ pattern: "^(role|person|issi|gssi|msisdn):[A-Za-z0-9_.+-]{1,64}$" }), { minItems: 1, maxItems: 1000 }),
      ackTimeoutS: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
      deadlineS: Type.Optional(Type.Integer({ minimum: 30, maximum: 7 * 86400 })),
      /** A configured conference id: the text on the air gets its bridge number and PIN. */
      conference: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$" })),
    },
    strict,
  ),
  "alert/ack": Type.Object(
    { transaction: Type.Optional(Transaction), id: Type.Optional(AlertId), code: Type.Optional(Code), person: Type.String({ minLength: 1, maxLength: 64 }), answer: AnswerSchema },
    strict,
  ),
  "alert/cancel": Type.Object({ transaction: Type.Optional(Transaction), id: AlertId }, strict),
  "alert/get": Type.Object({ transaction: Type.Optional(Transaction), id: AlertId }, strict),
  "alert/list": Type.Object({ transaction: Type.Optional(Transaction), state: Type.Optional(AlertStateSchema), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, strict),
  "roster/get": Type.Object({ transaction: Type.Optional(Transaction) }, strict),
  "roster/set": Type.Object({ transaction: Type.Optional(Transaction), roster: Type.Unknown() }, strict),
} as const;
