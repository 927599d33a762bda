import { connect, type MqttClient } from "mqtt";
import type { LinkHealthRegistry } from "../../src/link-health/link-registry.js";
import type { MessageBus } from "../../src/ports/message-bus.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { checkBaseTopic } from "./api/topics.js";
import { INTERNAL_USER } from "./broker/auth-hooks.js";
import { BrokerSupervisor } from "./broker/broker-supervisor.js";
import { BridgeApi } from "./bridge-api.js";
import type { MqttConfig } from "./mqtt-config.js";
import { UplinkBridge } from "./uplink/uplink-bridge.js";

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
    readonly broker: BrokerSupervisor,
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

  /** Listener ports of the broker, e.g. `{ internal: 40123, "tcp-0": 1883 }`. */
  get ports(): Record<string, number> {
    return this.broker.ports;
  }

  static async start(opts: MqttGatewayOptions): Promise<MqttGateway> {
    const { config, log } = opts;
    const base = checkBaseTopic(config.baseTopic);
    const links = opts.links;
    const api = new BridgeApi({ baseTopic: base, version: opts.version, simulated: opts.simulated, maxRequestBytes: config.api.maxRequestBytes, maxConcurrentRequests: config.api.maxConcurrentRequests, log });
    const broker = new BrokerSupervisor({ broker: config.broker, baseTopic: base, log, ...(opts.logFd ? { logFd: opts.logFd } : {}) });
    const ports = await broker.start();
    let uplink: UplinkBridge | undefined;
    let local: MqttClient | undefined;
    try {
      local = await connectLocal(broker, ports["internal"] ?? 0, api, log);
      if (config.uplink) uplink = await UplinkBridge.create(config.uplink, { log, version: opts.version, simulated: opts.simulated });
    } catch (err) {
      local?.end(true);
      await broker.stop();
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
      await this.broker.stop();
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
    this.broker.on("restarting", (delayMs, attempt) => log.warn({ mod: "mqtt", delayMs, attempt }, "embedded broker restarting"));
  }

  /** Data of the built-in `health` verb: answered from the gateway's own state, never from the broker process. */
  health(): Record<string, unknown> {
    return {
      state: "online",
      version: this.opts.version,
      simulated: this.opts.simulated,
      uptimeS: Math.round((performance.now() - this.startedAt) / 1000),
      links: this.links.snapshot(),
      broker: { pid: this.broker.pid ?? null, restarts: this.broker.restarts },
      uplink: this.uplink ? { ...this.uplink.status, queued: this.uplink.queued } : null,
    };
  }
}

/** Connects the gateway's own client to the broker's internal listener; resolves on the first CONNACK (10 s). */
function connectLocal(broker: BrokerSupervisor, port: number, api: BridgeApi, log: Logger): Promise<MqttClient> {
  const client = connect({
    host: broker.internalHost,
    port,
    protocol: "mqtt",
    username: INTERNAL_USER,
    password: broker.internalPassword,
    clientId: `rakelgw-gateway-${process.pid}`,
    clean: true,
    keepalive: 10,
    // The broker process restarts in ~0.2-10 s; reconnect quickly to the same fixed internal port.
    reconnectPeriod: 250,
    connectTimeout: 5000,
    will: api.will(),
  });
  client.on("error", (err) => log.debug({ mod: "mqtt", err: err.message }, "local client error"));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new GatewayError("MQTT_BROKER_FAILED", "could not connect to the embedded broker within 10 s"));
    }, 10_000);
    client.once("connect", () => {
      clearTimeout(timer);
      resolve(client);
    });
  });
}

/** Starts the MQTT side of the gateway. */
export function startMqttGateway(opts: MqttGatewayOptions): Promise<MqttGateway> {
  return MqttGateway.start(opts);
}
