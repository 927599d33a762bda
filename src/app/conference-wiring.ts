import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { INTERNAL_USER } from "../../adapters/mqtt/broker/auth-hooks.js";
import type { MqttConfig } from "../../adapters/mqtt/mqtt-config.js";
import { BaresipAgent } from "../../adapters/sip-conference/baresip-agent.js";
import type { BrokerEndpoint } from "../../adapters/sip-conference/baresip-config.js";
import { SimConferenceBridge } from "../../adapters/sip-conference/sim/sim-bridge.js";
import type { SipConfig } from "../../adapters/sip-conference/sip-config.js";
import { ConferenceRegistry } from "../conference/conference-registry.js";
import { ConferenceService } from "../conference/conference-service.js";
import { FloorPolicy } from "../conference/floor-policy.js";
import type { ConferenceBridge } from "../ports/conference-bridge.js";
import type { ConferenceDirectory, ConferenceLegStatus } from "../ports/conference-directory.js";
import { TypedEmitter } from "../shared/typed-emitter.js";
import type { PttControl, RadioTerminal } from "../ports/radio-terminal.js";
import { GatewayError } from "../shared/errors.js";
import { readFileSync } from "node:fs";
import type { Gateway } from "./gateway.js";
import type { GatewayConfig } from "./gateway-config.js";

/**
 * Conferences in the composition root: baresip's own broker account (random password per run, an ACL that
 * allows only its control topics), the agent (baresip or the simulator) as link `sip-<agent>`, the
 * ConferenceService with its talk-group patches, and the verbs `conference/join|leave|status`.
 */
export interface SipBrokerAccount {
  username: string;
  password: string;
  baseTopic: string;
}

const conferenceRequest = Type.Object(
  { transaction: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Number()])), conference: Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$" }) },
  { additionalProperties: false },
);
const statusRequest = Type.Object(
  { transaction: Type.Optional(Type.Union([Type.String({ maxLength: 128 }), Type.Number()])), conference: Type.Optional(Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$" })) },
  { additionalProperties: false },
);

/** True when the configuration runs baresip (it then needs a broker account). */
function usesBaresip(config: GatewayConfig): config is GatewayConfig & { sip: SipConfig } {
  return config.sip?.agent === "baresip" && config.conferences.length > 0;
}

/**
 * Adds baresip's broker account to the MQTT configuration before the broker starts. With an ACL file the
 * operator's file is authoritative; it must then carry the lines logged here (README "Conferences").
 */
export async function withSipBrokerAccount(config: GatewayConfig, warn: (msg: string) => void): Promise<{ mqtt: MqttConfig; account: SipBrokerAccount | undefined }> {
  if (!usesBaresip(config)) return { mqtt: config.mqtt, account: undefined };
  const account: SipBrokerAccount = { username: `sip-agent-${config.site}`, password: randomBytes(18).toString("base64url"), baseTopic: `rakelgw-sip-${config.site}` };
  const b = config.mqtt.broker;
  const rules = [`user ${account.username}`, `topic read /${account.baseTopic}/command/+`, `topic write /${account.baseTopic}/event`, `topic write /${account.baseTopic}/command_resp/+`].join("\n");
  const broker = { ...b, users: [...(b.users ?? []), { username: account.username, hash: await hashPassword(account.password) }] };
  if (b.aclFile) warn(`mqtt.broker.aclFile is set: add these lines for the SIP agent or it cannot be controlled:\n${rules}`);
  else broker.acl = `${b.acl ?? `topic read ${config.mqtt.baseTopic}/#\npattern read ${config.mqtt.baseTopic}/#`}\n${rules}\n`;
  return { mqtt: { ...config.mqtt, broker }, account };
}

function readSecret(s: { file: string } | { env: string }, what: string): string {
  if ("env" in s) {
    const v = process.env[s.env];
    if (v === undefined) throw new GatewayError("CFG_INVALID", `${what}: environment variable ${s.env} is not set`);
    return v.trim();
  }
  try {
    return (readFileSync(s.file, "utf8").split(/\r?\n/)[0] ?? "").trim();
  } catch (err) {
    throw new GatewayError("CFG_INVALID", `${what}: cannot read ${s.file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

function createBridge(gw: Gateway, sip: SipConfig, account: SipBrokerAccount | undefined): ConferenceBridge {
  const { config, log } = gw.opts;
  const lines = config.conferences.map((c) => c.id);
  if (sip.agent === "sim") return new SimConferenceBridge({ lines, log });
  if (!account) throw new GatewayError("CFG_INVALID", "sip: no broker account was prepared for baresip");
  const ports = gw.mqtt.ports;
  const tcpIndex = config.mqtt.broker.listeners.findIndex((l) => l.kind === "tcp");
  const tcp = config.mqtt.broker.listeners[tcpIndex];
  if (!tcp) throw new GatewayError("CFG_INVALID", "sip: baresip needs a plain tcp listener in mqtt.broker.listeners");
  const agentBroker: BrokerEndpoint = {
    host: tcp.host === "0.0.0.0" ? "127.0.0.1" : tcp.host,
    port: ports[`tcp-${tcpIndex}`] ?? tcp.port,
    username: account.username,
    password: account.password,
    clientId: `rakelgw-sip-${config.site}`,
    baseTopic: account.baseTopic,
  };
  return new BaresipAgent({
    name: "sip-baresip",
    sip,
    lines: lines.map((id) => ({ id, answer: "manual" })),
    dir: join(config.stateDir, "baresip"),
    agentBroker,
    control: { host: gw.mqtt.broker.internalHost, port: ports["internal"] ?? 0, username: INTERNAL_USER, password: gw.mqtt.broker.internalPassword },
    ...(sip.account.password ? { registrarPassword: readSecret(sip.account.password, "sip.account.password") } : {}),
    log,
  });
}

/** True when the terminal's adapter offers PTT over PEI (the PEI adapter does). */
function hasPtt(r: RadioTerminal): r is RadioTerminal & PttControl {
  const p = r as Partial<PttControl>;
  return typeof p.pressPtt === "function" && typeof p.releasePtt === "function" && typeof p.selectGroup === "function";
}

/** Starts the bridge and the service and registers the verbs; returns undefined when nothing is configured. */
export async function startConferences(gw: Gateway, account: SipBrokerAccount | undefined): Promise<ConferenceService | undefined> {
  const { config, log } = gw.opts;
  const sip = config.sip;
  if (!sip || config.conferences.length === 0) return undefined;
  const registry = new ConferenceRegistry(config.conferences);
  const watchers = new TypedEmitter<{ status: (s: ConferenceLegStatus) => void }>();
  const bridge = createBridge(gw, sip, account);
  gw.links.set(bridge.name, "disconnected", "starting");
  bridge.on("health", (h) => gw.links.set(bridge.name, h.state, h.detail));
  const terminalId = sip.patch.terminal ?? config.terminals[0]?.id;
  const service = new ConferenceService({
    bridge,
    registry,
    log,
    site: config.site,
    publish: (s) => {
      void gw.bus.publishConferenceState(s.id, { ...s }).catch((err: unknown) => log.warn({ err, conference: s.id }, "conference state not published"));
      watchers.emit("status", { id: s.id, state: s.state, since: s.since });
    },
    maxSimultaneous: sip.maxConferences,
    answerTimeoutMs: sip.answerTimeoutMs,
    retry: sip.retry,
    rejoinDelayMs: sip.rejoinDelayMs,
    pauseMs: sip.pauseMs,
    interDigitMs: sip.interDigitMs,
    patchFor: (c) => {
      const radio = terminalId === undefined ? undefined : gw.terminals.get(terminalId);
      if (!c.talkgroup || !radio || terminalId === undefined) return undefined;
      if (!hasPtt(radio)) {
        log.warn({ conference: c.id, terminal: terminalId }, "the patch terminal offers no PTT control; conference joined without the talk-group patch");
        return undefined;
      }
      return new FloorPolicy({ terminal: radio, terminalId, talkgroup: c.talkgroup, log, maxTransmitMs: sip.patch.maxTransmitMs });
    },
  });
  gw.sipBridge = bridge;
  gw.conferenceDirectory = conferenceDirectory(registry, service, watchers);
  gw.addStop(async () => {
    await service.stop();
    await bridge.stop();
  });
  service.publishAll();
  await bridge.start();
  const { bus } = gw;
  bus.registerCustomVerb("conference/join", conferenceRequest, (p) => Promise.resolve(service.join(p.conference)));
  bus.registerCustomVerb("conference/leave", conferenceRequest, (p) => service.leave(p.conference));
  bus.registerCustomVerb("conference/status", statusRequest, (p) => Promise.resolve(p.conference ? service.get(p.conference) : { conferences: service.status() }));
  return service;
}

/** The conferences as alert dispatch sees them (src/ports/conference-directory.ts). */
function conferenceDirectory(registry: ConferenceRegistry, service: ConferenceService, watchers: TypedEmitter<{ status: (s: ConferenceLegStatus) => void }>): ConferenceDirectory {
  return {
    has: (id) => registry.ids.includes(id),
    dialInText: (id) => registry.dialInText(id),
    redactedDialInText: (id) => registry.redactedDialInText(id),
    status: (id) => {
      if (!registry.ids.includes(id)) return undefined;
      const s = service.get(id);
      return { id: s.id, state: s.state, since: s.since };
    },
    onStatus: (listener) => watchers.on("status", listener),
  };
}
