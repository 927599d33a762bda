import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { LinkHealthRegistry } from "../../src/link-health/link-registry.js";
import type { MessageBus } from "../../src/ports/message-bus.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { checkBaseTopic } from "./api/topics.js";
import { INTERNAL_USER, RESERVED_CLIENT_PREFIX } from "./broker/auth-hooks.js";
import { discardPreforkedChild } from "./broker/broker-prefork.js";
import { BrokerSupervisor } from "./broker/broker-supervisor.js";
import { BridgeApi } from "./bridge-api.js";
import type { ExternalAuth, MqttConfig } from "./mqtt-config.js";
import { UplinkBridge } from "./uplink/uplink-bridge.js";
import { fillPacketLengthCache } from "./packet-length-cache.js";

/**
 * Everything MQTT, started in the order broker → local client → API → uplink, and stopped in reverse. What
 * the composition root keeps is `bus` (the MessageBus port: verbs and state). Link health belongs to the
 * core: the root builds the LinkHealthRegistry (and the IP-health monitor) and hands the registry in; this
 * adapter publishes it on `<base>/links/<link>` and reports the uplink's own state into it.
 */
export interface MqttGatewayOptions {
  config: MqttConfig;
  log: Logger;
  version: string;
  simulated: boolean;
  /** The gateway's registry (radios, modems, SIP agents and the uplink report to it); published here. */
  links: LinkHealthRegistry;
  /** Broker process log destination: 1 stdout (daemon), 2 stderr (CLI). */
  logFd?: 1 | 2;
}

/** Name of the uplink in the link registry and on `<base>/links/upstream`. */
export const UPSTREAM_LINK = "upstream";

/** The running MQTT side; build it with `startMqttGateway()`, stop it with `stop()`. */
export class MqttGateway {
  private readonly startedAt = performance.now();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly opts: MqttGatewayOptions,
    readonly links: LinkHealthRegistry,
    private readonly api: BridgeApi,
    private readonly supervisor: BrokerSupervisor | undefined,
    private readonly local: MqttClient,
    readonly uplink: UplinkBridge | undefined,
  ) {}

  /** The MessageBus port: register verb handlers, publish link/terminal state and received SDS. */
  get bus(): MessageBus {
    return this.api;
  }

  /** The topic API itself: in-process requests and the state publish feed (status page). */
  get topicApi(): BridgeApi {
    return this.api;
  }

  /** The embedded broker's supervisor; throws `MQTT_BROKER_FAILED` when an external broker is used. */
  get broker(): BrokerSupervisor {
    if (!this.supervisor) throw new GatewayError("MQTT_BROKER_FAILED", "no embedded broker: mqtt.broker.external is set");
    return this.supervisor;
  }

  /** Listener ports of the embedded broker, e.g. `{ internal: 40123, "tcp-0": 1883 }`; empty with an external broker. */
  get ports(): Record<string, number> {
    return this.supervisor?.ports ?? {};
  }

  static async start(opts: MqttGatewayOptions): Promise<MqttGateway> {
    const { config, log } = opts;
    fillPacketLengthCache();
    const base = checkBaseTopic(config.baseTopic);
    const links = opts.links;
    const api = new BridgeApi({ baseTopic: base, version: opts.version, simulated: opts.simulated, maxRequestBytes: config.api.maxRequestBytes, maxConcurrentRequests: config.api.maxConcurrentRequests, log });
    const external = config.broker.external;
    if (external) discardPreforkedChild();
    // The uplink's journal opens before the embedded broker, which then PUBACKs out-rule publishes only once
    // they are journaled. An external broker acknowledges on its own: there the uplink reads its subscription.
    const uplink = config.uplink ? await UplinkBridge.create(config.uplink, { log, version: opts.version, simulated: opts.simulated }) : undefined;
    const broker = external ? undefined : new BrokerSupervisor({ broker: config.broker, baseTopic: base, log, ...(opts.logFd ? { logFd: opts.logFd } : {}), ...(uplink ? { holdFilters: uplink.heldFilters() } : {}) });
    if (uplink && broker) broker.onIntake((m) => uplink.intake(m.topic, m.payload));
    let local: MqttClient | undefined;
    try {
      const ports = await broker?.start();
      local = broker ? await connectLocal(embeddedClientOptions(broker, ports?.["internal"] ?? 0), api, log, true) : await connectLocal(externalClientOptions(external ?? "", config.broker.externalAuth), api, log, false);
    } catch (err) {
      local?.end(true);
      await broker?.stop();
      await uplink?.stop().catch(() => undefined);
      throw err;
    }
    const gw = new MqttGateway(opts, links, api, broker, local, uplink);
    gw.wire();
    // Started means a subscriber sees `online` at once (the demo banner tells people to subscribe right away).
    await Promise.race([api.whenOnline(), new Promise((r) => setTimeout(r, 2000))]);
    return gw;
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.uplink?.stop();
      await this.api.close();
      await this.supervisor?.stop();
    })();
    return this.stopping;
  }

  private wire(): void {
    const { log } = this.opts;
    this.api.registerVerb("health", () => Promise.resolve(this.health()));
    this.api.attach(this.local);
    this.links.addPublisher((link, h) => void this.api.publishLinkState(link, h).catch((err: unknown) => log.warn({ mod: "mqtt", err, link }, "link state publish failed")));
    const uplink = this.uplink;
    if (uplink) {
      this.links.set(UPSTREAM_LINK, "unresponsive", "connecting");
      uplink.on("status", (s) => this.links.set(UPSTREAM_LINK, s.state, s.detail));
      this.api.onState((rel, payload) => void uplink.publishState(rel, payload).catch((err: unknown) => log.error({ mod: "uplink", err }, "state not queued upstream")));
      this.local.on("connect", () => uplink.attachLocal(this.local));
      uplink.attachLocal(this.local);
      uplink.start();
    }
    this.supervisor?.on("restarting", (delayMs, attempt) => log.warn({ mod: "mqtt", delayMs, attempt }, "embedded broker restarting"));
  }

  /** Data of the built-in `health` verb: answered from the gateway's own state, never from the broker process. */
  health(): Record<string, unknown> {
    return {
      state: "online",
      version: this.opts.version,
      simulated: this.opts.simulated,
      uptimeS: Math.round((performance.now() - this.startedAt) / 1000),
      links: this.links.snapshot(),
      broker: this.supervisor ? { pid: this.supervisor.pid ?? null, restarts: this.supervisor.restarts } : { external: this.opts.config.broker.external, connected: this.local.connected },
      uplink: this.uplink ? { ...this.uplink.status, queued: this.uplink.queued } : null,
    };
  }
}

/**
 * The gateway's own client at the embedded broker: the internal listener, a per-run password and a client
 * id under the reserved prefix, which every other listener refuses (no client can take the session over).
 */
function embeddedClientOptions(broker: BrokerSupervisor, port: number): IClientOptions {
  return {
    host: broker.internalHost,
    port,
    protocol: "mqtt",
    username: INTERNAL_USER,
    password: broker.internalPassword,
    clientId: `${RESERVED_CLIENT_PREFIX}${randomBytes(8).toString("hex")}`,
    // The broker process restarts in ~0.2-10 s; reconnect quickly to the same fixed internal port.
    reconnectPeriod: 250,
  };
}

/** Reads the password of `externalAuth` from its file or environment variable (never inline in the config). */
function externalPassword(auth: ExternalAuth): string | undefined {
  if (auth.passwordFile !== undefined) {
    try {
      return readFileSync(auth.passwordFile, "utf8").split(/\r?\n/)[0] ?? "";
    } catch (err) {
      throw new GatewayError("CFG_INVALID", `mqtt.broker.externalAuth.passwordFile cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { cause: err });
    }
  }
  if (auth.passwordEnv !== undefined) {
    const v = process.env[auth.passwordEnv];
    if (v === undefined) throw new GatewayError("CFG_INVALID", `mqtt.broker.externalAuth.passwordEnv: environment variable ${auth.passwordEnv} is not set`);
    return v;
  }
  return undefined;
}

/** The gateway's client at an external broker (`mqtt.broker.external`). */
function externalClientOptions(url: string, auth: ExternalAuth): IClientOptions {
  const password = externalPassword(auth);
  const read = (file: string | undefined, what: string): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw new GatewayError("CFG_INVALID", `mqtt.broker.externalAuth.${what} cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { cause: err });
    }
  };
  const ca = read(auth.caFile, "caFile");
  const cert = read(auth.certFile, "certFile");
  const key = read(auth.keyFile, "keyFile");
  const u = new URL(url);
  return {
    protocol: u.protocol.replace(/:$/, "") as IClientOptions["protocol"],
    host: u.hostname,
    port: Number(u.port || (u.protocol === "mqtts:" ? 8883 : u.protocol === "wss:" ? 443 : u.protocol === "ws:" ? 80 : 1883)),
    ...(u.pathname && u.pathname !== "/" ? { path: u.pathname } : {}),
    ...(auth.username !== undefined ? { username: auth.username } : {}),
    ...(password !== undefined ? { password } : {}),
    clientId: auth.clientId ?? `rakelgw-${hostname().replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 40)}-${randomBytes(4).toString("hex")}`,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    rejectUnauthorized: true,
    reconnectPeriod: 1000,
  };
}

/**
 * Connects the gateway's own client; resolves on the first CONNACK. The embedded broker must answer within
 * 10 s. An external broker that refuses the credentials fails the start; one that is merely unreachable
 * does not (radio and SMS keep working): the client keeps reconnecting and `bridge/state` follows.
 */
function connectLocal(o: IClientOptions, api: BridgeApi, log: Logger, embedded: boolean): Promise<MqttClient> {
  const client = connect({ ...o, clean: true, keepalive: 10, connectTimeout: 5000, protocolVersion: 4, will: api.will() });
  client.on("error", (err) => log[embedded ? "debug" : "warn"]({ mod: "mqtt", err: err.message }, embedded ? "local client error" : "client error at the external broker"));
  return new Promise((resolve, reject) => {
    const refused = (err: Error & { code?: unknown }): void => {
      if (embedded || (err.code !== 4 && err.code !== 5)) return;
      clearTimeout(timer);
      client.end(true);
      reject(new GatewayError("MQTT_BROKER_FAILED", `the external broker refused the gateway's login (CONNACK ${String(err.code)})`));
    };
    const timer = setTimeout(() => {
      client.off("error", refused);
      if (!embedded) {
        log.warn({ mod: "mqtt", host: o.host, port: o.port }, "external broker not reachable yet; still trying");
        return resolve(client);
      }
      client.end(true);
      reject(new GatewayError("MQTT_BROKER_FAILED", "could not connect to the embedded broker within 10 s"));
    }, 10_000);
    client.on("error", refused);
    client.once("connect", () => {
      clearTimeout(timer);
      client.off("error", refused);
      resolve(client);
    });
  });
}

/** Starts the MQTT side of the gateway. */
export function startMqttGateway(opts: MqttGatewayOptions): Promise<MqttGateway> {
  return MqttGateway.start(opts);
}
