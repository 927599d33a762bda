import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Static, Type } from "@sinclair/typebox";
import { HttpConfigSchema } from "../../adapters/http/http-config.js";
import { checkBaseTopic } from "../../adapters/mqtt/api/topics.js";
import { MqttConfigSchema } from "../../adapters/mqtt/mqtt-config.js";
import { SipConfigSchema } from "../../adapters/sip-conference/sip-config.js";
import { ConferencesSchema } from "../conference/conference-config.js";
import { validateAgainst } from "../config/validate.js";
import { DispatchConfigSchema } from "../dispatch/dispatch-config.js";
import { parseRoster } from "../dispatch/roster.js";
import { GatewayError } from "../shared/errors.js";
import { defaultStateDir } from "../shared/state-dir.js";

/**
 * The daemon's configuration (`rakelgw run --config FILE`): one schema gives the TypeScript type and the
 * JSON Schema (`firmware-config/schema/gateway-config.schema.json`); unknown keys fail; every problem is
 * reported as `path: reason`. Secrets (SIM PINs, MQTT passwords) are never in this file: it names a file or
 * an environment variable that holds them.
 */
const strict = { additionalProperties: false } as const;
const Id = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$", description: "used in MQTT topics and logs" });
const Port = Type.String({ minLength: 1, description: "device path (/dev/serial/by-id/…), tcp://host:port, or sim:<name> (only with --allow-sim)" });

export const TerminalConfigSchema = Type.Object(
  {
    id: Id,
    port: Port,
    profile: Type.String({ default: "etsi-generic" }),
    baudRate: Type.Optional(Type.Integer({ minimum: 1200, maximum: 921600 })),
    /** The ISSI this terminal must have; a different terminal on the port makes the link degraded. */
    expectedIssi: Type.Optional(Type.String({ pattern: "^[0-9]{1,8}$" })),
    /** Whether this terminal in direct mode (DMO) counts as ready for dispatch; default false (degraded: SMS fallback). */
    dmoReadyForDispatch: Type.Boolean({
      default: false,
      description: "true: direct mode (DMO) counts as ready for dispatch; false: the link is degraded in DMO, so alerts fall back to SMS",
    }),
    /** Talk-group programming check of this terminal (on request over MQTT, optionally daily). */
    talkgroups: Type.Optional(
      Type.Object(
        {
          plan: Type.String({ minLength: 1, description: "plan name in firmware-config/talkgroups, or a path" }),
          role: Type.Optional(Type.String()),
          method: Type.Union([Type.Literal("auto"), Type.Literal("list"), Type.Literal("probe")], { default: "auto" }),
          schedule: Type.Optional(Type.String({ pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "daily check at this local time, HH:MM; never during a call" })),
        },
        strict,
      ),
    ),
  },
  strict,
);

export const ModemConfigSchema = Type.Object(
  {
    id: Id,
    port: Port,
    profile: Type.String({ default: "generic-27005" }),
    baudRate: Type.Optional(Type.Integer({ minimum: 1200, maximum: 921600 })),
    /** Overrides the profile's SMS budget (what the subscription allows); the queue holds the rest. */
    maxPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 600, description: "AT+CMGS per rolling minute; default the modem profile's (10)" })),
    pin: Type.Optional(
      Type.Union([
        Type.Object({ file: Type.String({ minLength: 1 }) }, strict),
        Type.Object({ env: Type.String({ pattern: "^[A-Z_][A-Z0-9_]*$" }) }, strict),
      ]),
    ),
  },
  strict,
);

export const GatewayConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    /** Short name of the site (the actor's command centre); the default MQTT base is rakelgw/<site>. */
    site: Id,
    stateDir: Type.String({ default: "/var/lib/rakelgw", description: "inbox, PIN facts, broker persistence, check history" }),
    log: Type.Object({ level: Type.Union(["fatal", "error", "warn", "info", "debug", "trace"].map((l) => Type.Literal(l)), { default: "info" }) }, { ...strict, default: {} }),
    mqtt: MqttConfigSchema,
    terminals: Type.Array(TerminalConfigSchema, { default: [] }),
    modems: Type.Array(ModemConfigSchema, { default: [] }),
    /** Status page, /metrics, /healthz, /readyz (loopback by default). */
    http: HttpConfigSchema,
    /** What the status page's "test alert" button sends (alert/send with kind "test"). */
    testAlert: Type.Object(
      {
        text: Type.String({ minLength: 1, maxLength: 500, default: "Provlarm: detta är ett test av larmkedjan. Svara OK." }),
        recipients: Type.Array(Type.String({ minLength: 1 }), { default: [], description: "role:<id>, person:<id>, issi:<ssi>, gssi:<ssi> or msisdn:<E.164>" }),
      },
      { ...strict, default: {} },
    ),
    /** The SIP user agent that dials conference bridges. */
    sip: Type.Optional(SipConfigSchema),
    /** Telephone conference bridges this actor joins (README "Conferences"). */
    conferences: ConferencesSchema,
    /** Alert dispatch (roster, answers, activators); absent: the gateway sends no alerts. */
    dispatch: Type.Optional(DispatchConfigSchema),
  },
  strict,
);

export type GatewayConfig = Static<typeof GatewayConfigSchema>;
export type TerminalConfig = Static<typeof TerminalConfigSchema>;
export type ModemConfig = Static<typeof ModemConfigSchema>;

/** Semantic checks the schema cannot express. */
function problemsOf(c: GatewayConfig, allowSim: boolean): string[] {
  const problems: string[] = [];
  // The daemon would refuse it at start (MQTT_BAD_TOPIC); `config check` must say so first.
  try {
    checkBaseTopic(c.mqtt.baseTopic);
  } catch (err) {
    problems.push(`/mqtt/baseTopic: ${(err as Error).message}`);
  }
  const ids = new Map<string, string>();
  const ports = new Map<string, string>();
  const links = [...c.terminals.map((t, i) => ({ ...t, path: `/terminals/${i}` })), ...c.modems.map((m, i) => ({ ...m, path: `/modems/${i}` }))];
  for (const l of links) {
    const other = ids.get(l.id);
    if (other) problems.push(`${l.path}/id: "${l.id}" is also used at ${other}`);
    ids.set(l.id, l.path);
    if (["ip", "upstream"].includes(l.id)) problems.push(`${l.path}/id: "${l.id}" is reserved for a network link`);
    const otherPort = ports.get(l.port);
    if (otherPort) problems.push(`${l.path}/port: ${l.port} is also used at ${otherPort}`);
    ports.set(l.port, l.path);
    if (l.port.startsWith("sim:") && !allowSim) problems.push(`${l.path}/port: ${l.port} is a simulator; start with --allow-sim to use it (never in a command centre)`);
    if (/^\/dev\/tty(USB|ACM)\d+$/.test(l.port)) problems.push(`${l.path}/port: ${l.port} may change after a replug; use /dev/serial/by-id/… or a udev symlink (warning)`);
  }
  problems.push(...secretProblems(c));
  problems.push(...conferenceProblems(c, allowSim));
  return problems;
}

/** Checks of `sip` and `conferences` against each other and the terminals. */
function conferenceProblems(c: GatewayConfig, allowSim: boolean): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  c.conferences.forEach((conf, i) => {
    const other = seen.get(conf.id);
    if (other !== undefined) problems.push(`/conferences/${i}/id: "${conf.id}" is also used at /conferences/${other}`);
    seen.set(conf.id, i);
    if (conf.talkgroup !== undefined && c.terminals.length === 0) problems.push(`/conferences/${i}/talkgroup: patching talk group ${conf.talkgroup} needs a terminal in /terminals`);
  });
  if (c.conferences.length > 0 && !c.sip) problems.push("/sip: conferences are configured but no SIP agent (add a sip section)");
  const sip = c.sip;
  if (sip) {
    if (sip.agent === "sim" && !allowSim) problems.push("/sip/agent: sim is a simulator; start with --allow-sim to use it (never in a command centre)");
    if (sip.patch.terminal !== undefined && !c.terminals.some((t) => t.id === sip.patch.terminal)) problems.push(`/sip/patch/terminal: no terminal "${sip.patch.terminal}" in /terminals`);
    if (sip.account.password && !sip.account.registrar) problems.push("/sip/account/password: a password without a registrar is never used (warning)");
    // ALSA's null device has no clock: baresip then sends audio (and the DTMF events in it) unpaced, and
    // the bridge loses PIN keys (seen on loopback). A sound card or an aufile source paces at 20 ms.
    if (sip.agent === "baresip" && /^alsa,null$/.test(sip.audio.source)) problems.push("/sip/audio/source: alsa,null has no clock and makes the bridge lose PIN keys; use a sound card (alsa,<device>) or aufile,<8 kHz WAV>");
    const port = Number(sip.listen.split(":")[1]);
    if (port < 1 || port > 65535) problems.push(`/sip/listen: port ${port} is out of range`);
  }
  return problems;
}

/** Secrets come from files or environment variables named in the site file; say which are not there yet. */
function secretProblems(c: GatewayConfig): string[] {
  const out: string[] = [];
  const file = (path: string, where: string): void => {
    if (!existsSync(path)) out.push(`${where}: ${path} does not exist (yet) (warning)`);
  };
  const env = (name: string, where: string): void => {
    if (!process.env[name]) out.push(`${where}: environment variable ${name} is not set here (warning)`);
  };
  c.modems.forEach((m, i) => {
    if (m.pin && "file" in m.pin) file(m.pin.file, `/modems/${i}/pin/file`);
    if (m.pin && "env" in m.pin) env(m.pin.env, `/modems/${i}/pin/env`);
  });
  const up = c.mqtt.uplink;
  if (up?.password !== undefined) out.push("/mqtt/uplink/password: a password inline in the site file; use passwordFile or passwordEnv (warning)");
  if (up?.passwordFile) file(up.passwordFile, "/mqtt/uplink/passwordFile");
  if (up?.passwordEnv) env(up.passwordEnv, "/mqtt/uplink/passwordEnv");
  if (c.http.tls) {
    file(c.http.tls.certFile, "/http/tls/certFile");
    file(c.http.tls.keyFile, "/http/tls/keyFile");
  }
  return out;
}

function rosterProblemsOf(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return [`/dispatch/roster: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`];
  }
  try {
    parseRoster(text, path);
    return [];
  } catch (err) {
    const problems = ((err as GatewayError).context?.["problems"] as string[] | undefined) ?? [(err as Error).message];
    return problems.map((p) => `/dispatch/roster (${path}) ${p}`);
  }
}

/** Loads and validates a configuration file. Warnings (lines ending "(warning)") do not fail it. */
export function loadGatewayConfig(path: string, allowSim = false): { config: GatewayConfig; warnings: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new GatewayError("CFG_INVALID", `cannot read ${path}: ${(err as Error).message}`, { cause: err, context: { problems: [`/: ${(err as Error).message}`] } });
  }
  // No stateDir in the file: $RAKELGW_STATE_DIR, systemd's $STATE_DIRECTORY, else /var/lib/rakelgw.
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && !("stateDir" in raw)) raw = { ...raw, stateDir: defaultStateDir(process.env, { service: true }) };
  const config = validateAgainst(GatewayConfigSchema, raw, path);
  const all = problemsOf(config, allowSim);
  if (config.dispatch) {
    // The roster path is relative to the config file; it is checked here so `config check` reports it too.
    config.dispatch.roster = resolve(dirname(path), config.dispatch.roster);
    all.push(...rosterProblemsOf(config.dispatch.roster));
  }
  const warnings = all.filter((p) => p.endsWith("(warning)"));
  const errors = all.filter((p) => !p.endsWith("(warning)"));
  if (errors.length > 0) throw new GatewayError("CFG_INVALID", `${path} is invalid:\n  ${errors.join("\n  ")}`, { context: { problems: errors } });
  return { config, warnings };
}
