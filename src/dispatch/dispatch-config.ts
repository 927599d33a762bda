import { type Static, Type } from "@sinclair/typebox";
import { E164_PATTERN, SSI_PATTERN } from "./addresses.js";

/**
 * The site config's `dispatch` section (README "Alerts and acknowledgements"). The names in the
 * contract are fixed; the rest are extensions with safe defaults. Texts that reach Swedish duty officers
 * are templates, Swedish by default, with `{code}`, `{text}` and (receipts) the summary counts.
 */
const strict = { additionalProperties: false } as const;
const Answer = Type.Union([Type.Literal("coming"), Type.Literal("not-coming"), Type.Literal("delayed")]);

export const TemplatesSchema = Type.Object(
  {
    activation: Type.String({ default: "LARM SSR {code}: {text}" }),
    conference: Type.String({ default: "KONFERENS SSR {code}: {text}" }),
    info: Type.String({ default: "INFO SSR {code}: {text}" }),
    test: Type.String({ default: "ÖVNING SSR {code}: {text}" }),
    /** Appended when an answer is asked for; the short form is used when the long one would need a second part. */
    answerHint: Type.String({ default: " Svara OK {code} / NEJ {code} / SEN {code}" }),
    answerHintShort: Type.String({ default: " Svara OK/NEJ/SEN {code}" }),
    receipt: Type.String({ default: "KVITTO {code}: {coming} kommer{delayedPart}, {notComing} kommer ej, {unreached} ej nådd" }),
    /** `{delayedPart}` of the receipt: only when someone answered "delayed". */
    receiptDelayed: Type.String({ default: ", {delayed} försenade" }),
    /** Answer to a refused or unreadable activation from an activator. */
    activationRefused: Type.String({ default: "LARM EJ STARTAT: {reason}" }),
  },
  { ...strict, default: {} },
);

export const DispatchConfigSchema = Type.Object(
  {
    roster: Type.String({ minLength: 1, description: "roster file (JSON or YAML), relative to the config file" }),
    ackTimeoutS: Type.Integer({ minimum: 5, maximum: 3600, default: 60, description: "wait this long for an answer before the next channel/person" }),
    deadlineS: Type.Integer({ minimum: 30, maximum: 7 * 86400, default: 3600, description: "an alert expires this long after it was created" }),
    answers: Type.Object(
      { status: Type.Record(Type.String({ pattern: "^[0-9]{1,5}$" }), Answer, { default: {}, description: "Rakel status value → answer" }) },
      { ...strict, default: {} },
    ),
    activators: Type.Array(
      Type.Union([Type.Object({ sds: Type.String({ pattern: SSI_PATTERN }) }, strict), Type.Object({ sms: Type.String({ pattern: E164_PATTERN }) }, strict)]),
      { default: [], description: "addresses allowed to start alerts by SDS/SMS (LARM …/ÖVNING …)" },
    ),
    reportTo: Type.Union([Type.Literal("activator"), Type.Literal("none")], { default: "activator" }),
    /** The same text or code from the same activator within this window is one alert (activation-dedup.ts). */
    dedupWindowS: Type.Integer({ minimum: 0, maximum: 86400, default: 300 }),
    /** How often steps skipped because their link was not ready are looked at again. */
    notReadyRetryS: Type.Integer({ minimum: 1, maximum: 300, default: 5 }),
    /** One-part SDS budget in bits (terminal profile pei.maxSdsBits; 668 works on real terminals). */
    sdsMaxBits: Type.Integer({ minimum: 128, maximum: 2047, default: 668 }),
    templates: TemplatesSchema,
    archive: Type.Object(
      {
        alertsPerFile: Type.Integer({ minimum: 10, maximum: 100000, default: 2000 }),
        keepFiles: Type.Integer({ minimum: 1, maximum: 1000, default: 25, description: "older archive files are deleted" }),
        retainedFinished: Type.Integer({
          minimum: 0,
          maximum: 1000,
          default: 50,
          description: "finished alerts whose retained alerts/<id> document stays on the broker; older ones are cleared (alert/get still reads them)",
        }),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);

export type DispatchConfig = Static<typeof DispatchConfigSchema>;
export type Templates = Static<typeof TemplatesSchema>;
export type AnswerKind = Static<typeof Answer>;
