import { type Static, Type } from "@sinclair/typebox";

/**
 * Site config `sip`: the SIP user agent that dials the conference bridges (docs/mqtt-interface.md). The gateway
 * writes the agent's own configuration from this; nothing here is baresip syntax except the audio device
 * names (`<driver>,<device>`), which are passed through because they name hardware.
 */
const strict = { additionalProperties: false } as const;
const Secret = Type.Union([Type.Object({ file: Type.String({ minLength: 1 }) }, strict), Type.Object({ env: Type.String({ pattern: "^[A-Z_][A-Z0-9_]*$" }) }, strict)]);

export const SipConfigSchema = Type.Object(
  {
    /** `baresip` (Debian package baresip-core), or `sim` for a simulated bridge (demo, tests; needs --allow-sim). */
    agent: Type.Union([Type.Literal("baresip"), Type.Literal("sim")], { default: "baresip" }),
    listen: Type.String({ pattern: "^[0-9.]+:[0-9]{1,5}$", default: "127.0.0.1:5060", description: "SIP listen address host:port (IPv4); a second agent on the host needs a port that is not adjacent" }),
    audio: Type.Object(
      {
        source: Type.String({ pattern: "^(alsa|aufile),.+$", default: "alsa,default", description: "must deliver 8 kHz: alsa,<device> or aufile,<8 kHz mono WAV>" }),
        player: Type.String({ pattern: "^(alsa|aufile),.+$", default: "alsa,default" }),
      },
      { ...strict, default: {} },
    ),
    /** SIP identity. Without `registrar` the agent calls directly (no registration). */
    account: Type.Object(
      {
        user: Type.String({ pattern: "^[A-Za-z0-9._+-]{1,32}$", default: "rakelgw", description: "user part; each conference line gets <user>-<conference id>" }),
        domain: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9.-]+(:[0-9]{1,5})?$", description: "default: the listen address" })),
        registrar: Type.Optional(Type.String({ pattern: "^sips?:[^\\s;]+$" })),
        authUser: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9._+-]{1,64}$" })),
        password: Type.Optional(Secret),
        registerIntervalS: Type.Integer({ minimum: 60, default: 600 }),
      },
      { ...strict, default: {} },
    ),
    /** The agent program (PATH lookup when not absolute). */
    binary: Type.String({ default: "baresip" }),
    maxConferences: Type.Integer({ minimum: 1, maximum: 8, default: 2, description: "conferences at once; one more is refused" }),
    answerTimeoutMs: Type.Integer({ minimum: 1000, default: 30000, description: "ringing longer counts as no answer" }),
    retry: Type.Object(
      { attempts: Type.Integer({ minimum: 1, maximum: 20, default: 3 }), baseMs: Type.Integer({ minimum: 10, default: 2000 }), capMs: Type.Integer({ minimum: 10, default: 20000 }) },
      { ...strict, default: {} },
    ),
    rejoinDelayMs: Type.Integer({ minimum: 0, default: 2000 }),
    pauseMs: Type.Integer({ minimum: 0, maximum: 10000, default: 1000, description: "length of a ',' pause in a PIN" }),
    interDigitMs: Type.Integer({ minimum: 50, maximum: 5000, default: 250 }),
    /** Talk-group patch: which terminal carries it and how long one transmission may last. */
    patch: Type.Object(
      {
        terminal: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$" })),
        maxTransmitMs: Type.Integer({ minimum: 1000, default: 60000 }),
        speechThresholdDbov: Type.Number({ minimum: -90, maximum: 0, default: -40, description: "the phone side speaks while its level is at or above this" }),
        speechHangMs: Type.Integer({ minimum: 0, maximum: 10000, default: 1200, description: "the phone side is quiet after this long below the threshold" }),
      },
      { ...strict, default: {} },
    ),
    restartBaseMs: Type.Integer({ minimum: 10, default: 500 }),
    restartCapMs: Type.Integer({ minimum: 100, default: 30000 }),
  },
  strict,
);

export type SipConfig = Static<typeof SipConfigSchema>;

