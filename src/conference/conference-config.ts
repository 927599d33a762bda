import { type Static, Type } from "@sinclair/typebox";

/**
 * Site config `conferences`: the telephone conference bridges this actor joins (docs/mqtt-interface.md,
 * "Alerts and conferences"). The PIN is written inline, or read from a file or an environment variable
 * named here, so the secret need not sit in the site file; it is never logged or published either way.
 */
const strict = { additionalProperties: false } as const;

export const PinSchema = Type.Union([
  Type.String({ pattern: "^[0-9*#A-Da-d, ]{0,64}$", description: "DTMF keys, ',' = pause; e.g. 4711#" }),
  Type.Object({ file: Type.String({ minLength: 1, description: "file holding the PIN (first line)" }) }, strict),
  Type.Object({ env: Type.String({ pattern: "^[A-Z_][A-Z0-9_]*$", description: "environment variable holding the PIN" }) }, strict),
]);

export const ConferenceConfigSchema = Type.Object(
  {
    id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$", description: "used in MQTT topics and logs" }),
    name: Type.String({ minLength: 1, maxLength: 120 }),
    uri: Type.String({ pattern: "^sips?:[^\\s]+$", description: "SIP URI of the conference bridge" }),
    pin: Type.Optional(PinSchema),
    pinDelayMs: Type.Integer({ minimum: 0, maximum: 60000, default: 2500, description: "wait after the answer before the PIN" }),
    talkgroup: Type.Optional(Type.String({ pattern: "^[0-9]{1,8}$", description: "GSSI patched into the call" })),
    /** The number people dial by telephone, for alert texts; derived from the URI's user part when absent. */
    dialIn: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  strict,
);

export const ConferencesSchema = Type.Array(ConferenceConfigSchema, { default: [] });

export type ConferenceConfig = Static<typeof ConferenceConfigSchema>;
export type PinConfig = Static<typeof PinSchema>;
