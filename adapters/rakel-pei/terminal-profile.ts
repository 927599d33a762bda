import { type Static, Type } from "@sinclair/typebox";
import { firmwareConfigDir, listConfigNames, loadConfigFile, resetsDevice } from "../../src/config/firmware-config.js";
import { GatewayError } from "../../src/shared/errors.js";
import { type RetryPolicy, retryPolicy } from "../at/retry-policy.js";

/**
 * A terminal profile (`firmware-config/terminals/<vendor>-<model>.json`) says how to talk to one terminal
 * model: serial settings, PEI framing, the init script that restores routing after every reboot, and
 * limits. The schema below is the single source of the TypeScript type and the JSON Schema in
 * `firmware-config/schema/terminal-profile.schema.json`.
 */
const InitStep = Type.Object(
  {
    command: Type.String({ pattern: "^AT[\\x20-\\x7e]*$", description: "AT command line without terminator" }),
    optional: Type.Boolean({ default: false, description: "An error answer is logged and init goes on" }),
    why: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const TerminalProfileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" }),
    vendor: Type.String(),
    model: Type.String(),
    description: Type.Optional(Type.String()),
    serial: Type.Object(
      {
        baudRate: Type.Integer({ minimum: 1200, maximum: 921600, default: 38400 }),
        rtscts: Type.Boolean({ default: false }),
      },
      { additionalProperties: false },
    ),
    pei: Type.Object(
      {
        commandTerminator: Type.Union([Type.Literal("\r"), Type.Literal("\r\n")], { default: "\r" }),
        userDataSeparator: Type.Union([Type.Literal("\r\n"), Type.Literal("\r")], { default: "\r\n" }),
        maxSdsBits: Type.Integer({ minimum: 64, maximum: 2047, default: 668, description: "Largest type-4 PDU that works in practice (docs/pei.md §3.2: 668)" }),
        e2ee: Type.Boolean({ default: false, description: "Value of the AT+CTSDS end-to-end encryption field" }),
        commandTimeoutMs: Type.Integer({ minimum: 200, maximum: 60000, default: 3000 }),
        sendTimeoutMs: Type.Integer({ minimum: 1000, maximum: 60000, default: 10000 }),
        heartbeatMs: Type.Integer({ minimum: 0, maximum: 600000, default: 2000 }),
        probeTimeoutMs: Type.Integer({
          minimum: 200,
          maximum: 30000,
          default: 1000,
          description: "First AT probe timeout; raised automatically (up to 4x) for a slow radio or a serial-over-TCP port server",
        }),
        registrationPollMs: Type.Integer({
          minimum: 1000,
          maximum: 600000,
          default: 10000,
          description: "How often AT+CREG? is read when the terminal refuses unsolicited +CREG reports (AT+CREG=2)",
        }),
        transientCme: Type.Array(Type.Integer({ minimum: 0 }), {
          default: [3, 42],
          description: "+CME ERROR codes meaning 'busy, try again' (EN 300 392-5: 3 not allowed in this state, 42 busy)",
        }),
        busyBackoff: Type.Object(
          {
            baseMs: Type.Integer({ minimum: 50, maximum: 60000, default: 1000, description: "First pause after a busy answer; never shorter" }),
            capMs: Type.Integer({ minimum: 50, maximum: 300000, default: 8000 }),
          },
          { additionalProperties: false, default: {}, description: "Pauses after busy answers, long enough for a rate-limiting terminal" },
        ),
      },
      { additionalProperties: false },
    ),
    init: Type.Array(InitStep, { minItems: 1 }),
    talkgroups: Type.Object(
      {
        listing: Type.Union([Type.Literal("cnums"), Type.Literal("none")], { default: "cnums" }),
        groupNotProgrammedCme: Type.Array(Type.Integer(), { default: [3, 33, 34] }),
        minProbeIntervalMs: Type.Integer({ minimum: 0, default: 2000 }),
        vendorDmoList: Type.Optional(Type.Literal("cxdcl", { description: "also read Motorola's DMO list with AT+CXDCL (docs/pei.md §7.2)" })),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type TerminalProfile = Static<typeof TerminalProfileSchema>;

/** `firmware-config/terminals/`. */
export function terminalsDir(): string {
  return firmwareConfigDir("terminals");
}

export function listProfiles(): string[] {
  return listConfigNames(terminalsDir());
}

/** Loads a profile by id (`etsi-generic`) or by path to a JSON file. */
export function loadProfile(idOrPath = "etsi-generic"): TerminalProfile {
  const { value: profile, path } = loadConfigFile("terminals", idOrPath, TerminalProfileSchema, "terminal profile");
  if (profile.init.some((s) => resetsDevice(s.command))) {
    // docs/pei.md §1.2 / ftl-cli issue #2: ATZ reboots Sepura STP9040 terminals whose codeplug says so.
    throw new GatewayError("CFG_INVALID", `${path}: /init: ATZ and AT&F are not allowed (ATZ reboots some Sepura terminals)`);
  }
  return profile;
}

/** The engine's retry rule for this terminal: its transient `+CME` codes and busy pauses. */
export function terminalRetryPolicy(p: TerminalProfile): RetryPolicy {
  const { baseMs, capMs } = p.pei.busyBackoff;
  return retryPolicy(p.pei.transientCme, { baseMs, capMs, minMs: baseMs });
}
