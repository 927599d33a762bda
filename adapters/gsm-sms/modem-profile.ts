import { type Static, Type } from "@sinclair/typebox";
import { firmwareConfigDir, listConfigNames, loadConfigFile, resetsDevice } from "../../src/config/firmware-config.js";
import { GatewayError } from "../../src/shared/errors.js";

/**
 * A modem profile (`firmware-config/modems/<id>.json`) says how to drive one modem model over 3GPP TS
 * 27.005/27.007: serial settings, the init steps before and after the SIM check, how to read the ICCID
 * and the PIN attempts left, SMS settings (indications, rate, retries) and the recovery reset. The schema
 * below is the single source of the TypeScript type and of `firmware-config/schema/modem-profile.schema.json`.
 * The PIN is never part of a profile or of the main config: it comes from a secret file or variable.
 */
const Step = Type.Object(
  {
    command: Type.String({ pattern: "^AT[\\x20-\\x7e]*$", description: "AT command line without terminator" }),
    optional: Type.Boolean({ default: false, description: "An error answer is logged and init goes on" }),
    why: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const Retry = Type.Object(
  {
    attempts: Type.Integer({ minimum: 1, maximum: 20, default: 3, description: "Attempts per part on transient +CMS errors (smstools3 send_retries 2 = 3 attempts)" }),
    baseMs: Type.Integer({ minimum: 1, maximum: 600000, default: 2000 }),
    capMs: Type.Integer({ minimum: 1, maximum: 3600000, default: 30000 }),
  },
  { additionalProperties: false, default: {} },
);

/** TypeBox schema of a modem profile (also written as JSON Schema). */
export const ModemProfileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" }),
    vendor: Type.String(),
    model: Type.String(),
    description: Type.Optional(Type.String()),
    serial: Type.Object(
      {
        baudRate: Type.Integer({ minimum: 1200, maximum: 921600, default: 115200 }),
        rtscts: Type.Boolean({ default: false }),
      },
      { additionalProperties: false },
    ),
    at: Type.Object(
      {
        commandTimeoutMs: Type.Integer({ minimum: 200, maximum: 60000, default: 5000 }),
        sendTimeoutMs: Type.Integer({ minimum: 1000, maximum: 180000, default: 30000, description: "AT+CMGS whole transaction (Gammu SendTimeout 30 s)" }),
        heartbeatMs: Type.Integer({ minimum: 0, maximum: 600000, default: 10000 }),
        probeTimeoutMs: Type.Integer({ minimum: 200, maximum: 30000, default: 2000, description: "First AT probe timeout; raised automatically (up to 4x) for a slow modem" }),
        transientCme: Type.Array(Type.Integer({ minimum: 0 }), {
          default: [14],
          description: "+CME ERROR codes retried on idempotent commands (27.007 §9.2: 14 SIM busy). Not 42: on a modem that is a personalisation PIN request",
        }),
        statusPollMs: Type.Integer({ minimum: 0, maximum: 3600000, default: 60000, description: "Registration/signal/storage check (Gammu StatusFrequency 60 s); 0 = off" }),
      },
      { additionalProperties: false },
    ),
    init: Type.Array(Step, { minItems: 1, description: "Before the SIM check (echo off, numeric errors)" }),
    sim: Type.Object(
      {
        iccidCommand: Type.Union([Type.Literal("AT+CCID"), Type.Literal("AT+ICCID"), Type.Literal("AT^SCID"), Type.Literal("AT+QCCID"), Type.Literal("none")], { default: "AT+CCID" }),
        pinAttemptsCommand: Type.Union([Type.Literal("AT+CPINR"), Type.Literal("AT^SPIC"), Type.Literal("AT+QPINC"), Type.Literal("none")], { default: "none" }),
        readyWaitMs: Type.Integer({ minimum: 0, maximum: 120000, default: 15000, description: "Wait for +CPIN: READY after the PIN" }),
      },
      { additionalProperties: false },
    ),
    sms: Type.Object(
      {
        init: Type.Array(Step, { minItems: 1, description: "After the SIM is ready (PDU mode, indications)" }),
        maxPerMinute: Type.Integer({ minimum: 1, maximum: 600, default: 10, description: "AT+CMGS per rolling minute (reliability goal R10)" }),
        maxParts: Type.Integer({ minimum: 1, maximum: 10, default: 6, description: "Telit GM862: ≤ 10 concatenated parts" }),
        validityOctet: Type.Integer({ minimum: 0, maximum: 255, default: 167, description: "TP-VP relative; 167 = 24 h (Kannel default)" }),
        moreMessagesToSend: Type.Boolean({ default: true, description: "AT+CMMS=2 while more parts are queued (27.005 §3.5.6)" }),
        ackDirect: Type.Boolean({ default: false, description: "Answer +CMT/+CDS with AT+CNMA (only when AT+CSMS=1)" }),
        receivePollMs: Type.Integer({ minimum: 0, maximum: 3600000, default: 60000, description: "AT+CMGL sweep for messages whose +CMTI was lost" }),
        retry: Retry,
      },
      { additionalProperties: false },
    ),
    recovery: Type.Object(
      {
        resetCommand: Type.String({ pattern: "^AT\\+CFUN=[\\x20-\\x7e]*$", default: "AT+CFUN=1,1", description: "27.007 §8.2 reset (fun 1, rst 1)" }),
        resetAfterFailures: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: "Consecutive failed inits (or sends on modem errors) before the reset (smstools3 blockafter 3)" }),
        resetSettleMs: Type.Integer({ minimum: 0, maximum: 120000, default: 10000, description: "Time the modem needs to come back after the reset" }),
        minResetIntervalMs: Type.Integer({ minimum: 0, maximum: 86400000, default: 300000, description: "Least time between two resets caused by failed sends (a long network outage must not reset the modem for every alert)" }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

/** A validated modem profile with defaults filled in. */
export type ModemProfile = Static<typeof ModemProfileSchema>;

/** `firmware-config/modems/`. */
export function modemsDir(): string {
  return firmwareConfigDir("modems");
}

/** Ids of the profiles in `firmware-config/modems/`. */
export function listModemProfiles(): string[] {
  return listConfigNames(modemsDir());
}

/** Semantic checks a schema cannot make; returns `path: reason` lines (also used by `npm run lint:config`). */
export function modemProfileProblems(p: ModemProfile): string[] {
  const problems: string[] = [];
  if (!p.init.some((s) => /^ATE0$/i.test(s.command) && !s.optional)) problems.push("/init: must turn echo off with a required ATE0");
  if (!p.sms.init.some((s) => /^AT\+CMGF=0$/i.test(s.command) && !s.optional)) problems.push("/sms/init: must select PDU mode with a required AT+CMGF=0");
  const all = [...p.init, ...p.sms.init];
  all.forEach((s, i) => {
    if (/^AT\+CPIN/i.test(s.command)) problems.push(`/init/${i}: ${s.command}: the PIN never goes in a profile (secret file or variable only)`);
    if (resetsDevice(s.command) || /^AT\+CFUN/i.test(s.command)) problems.push(`/init/${i}: ${s.command} resets the modem; not allowed in init`);
    if (/^AT\+CMGF=1/i.test(s.command)) problems.push(`/init/${i}: text mode is not supported; PDU mode only`);
  });
  return problems;
}

/** Loads a profile by id (`generic-27005`) or by path to a JSON file. */
export function loadModemProfile(idOrPath = "generic-27005"): ModemProfile {
  const { value: profile, path } = loadConfigFile("modems", idOrPath, ModemProfileSchema, "modem profile");
  const problems = modemProfileProblems(profile);
  if (problems.length > 0) throw new GatewayError("CFG_INVALID", `${path} is invalid:\n  ${problems.join("\n  ")}`, { context: { problems, source: path } });
  return profile;
}
