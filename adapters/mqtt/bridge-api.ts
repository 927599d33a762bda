import type { Static, TSchema } from "@sinclair/typebox";
import type { MqttClient } from "mqtt";
import type { LinkHealthJson } from "../../src/link-health/link-state.js";
import type { KnownVerb, MessageBus, SendStatus, VerbHandler, VerbPayload } from "../../src/ports/message-bus.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import type { Unsubscribe } from "../../src/shared/typed-emitter.js";
import type { ApiPayload, BridgeState, ResponsePayload } from "./api/payloads.js";
import { RequestRouter } from "./api/request-router.js";
import { isAnswerableVerb, topics, verbOf } from "./api/topics.js";
import { RateLimitedLog } from "./broker/rate-limited-log.js";

/**
 * The gateway's side of the topic API (docs/mqtt-interface.md), over one MQTT client to the embedded broker:
 * retained `bridge/state` with last will `offline`, `bridge/request/<verb>` → `bridge/response/<verb>`
 * through the RequestRouter, retained link and terminal state, and `sds/received`.
 *
 * Retained state is cached and republished after every (re)connect, so a broker restart — or a lost
 * broker state file — never leaves a stale `links/…` behind. State listeners (the uplink) see every state
 * publish with its topic relative to `<base>`.
 */
export interface BridgeApiOptions {
  baseTopic: string;
  version: string;
  simulated: boolean;
  maxRequestBytes: number;
  maxConcurrentRequests: number;
  log: Logger;
}

/** Receives every state publish: topic relative to `<base>` and the JSON payload. */
export type StateListener = (relTopic: string, payload: Buffer) => void;

/** Non-retained publishes (sds/received, sds/status, sms/received, sms/status) held while the broker restarts; more are refused. */
const MAX_VOLATILE_PENDING = 1000;
/** Retained clears remembered while the broker is away (beyond this, the broker keeps a stale document). */
const MAX_PENDING_CLEARS = 10000;

/** The MessageBus port over MQTT: verbs, retained state, incoming SDS, bridge state with last will. */
export class BridgeApi implements MessageBus {
  private client: MqttClient | undefined;
  private readonly router: RequestRouter;
  private readonly retained = new Map<string, Buffer>();
  private readonly stateListeners = new Set<StateListener>();
  /** Retained documents cleared while the broker was away; cleared on the next connect. */
  private readonly clearOnConnect = new Set<string>();
  private volatilePending = 0;
  /** Request topics whose stored (retained) request we just cleared; their empty echo is not a request. */
  private readonly clearing = new Set<string>();
  private online: Promise<void> = Promise.resolve();
  private readonly rl: RateLimitedLog;
  private readonly log: Logger;

  constructor(private readonly opts: BridgeApiOptions) {
    this.router = new RequestRouter({ maxRequestBytes: opts.maxRequestBytes, maxConcurrent: opts.maxConcurrentRequests });
    this.log = opts.log.child({ mod: "mqtt-api" });
    this.rl = new RateLimitedLog(this.log);
  }

  /** The last will to give the client: retained `offline` on `<base>/bridge/state`. */
  will(): { topic: string; payload: Buffer; qos: 1; retain: true } {
    return { topic: topics.bridgeState(this.opts.baseTopic), payload: this.bridgeState("offline"), qos: 1, retain: true };
  }

  /** Takes over a connected (or connecting) client; handles its every reconnect. */
  attach(client: MqttClient): void {
    this.client = client;
    const base = this.opts.baseTopic;
    client.on("connect", () => this.onConnect(client));
    client.on("message", (topic, payload, packet) => {
      const verb = verbOf(base, topic);
      if (verb === undefined) return;
      if (payload.length === 0 && this.clearing.delete(topic)) return;
      // A retained request is one a broker stored and now replays on (re)subscribe: it already ran, or
      // nobody can tell when it was meant for. Requests run once: drop it, and clear it where the broker
      // lets us (an external broker; the embedded one never stores them).
      if (packet.retain) return this.dropRetainedRequest(client, topic, verb, payload.length);
      void this.onRequest(client, verb, payload);
    });
    if (client.connected) this.onConnect(client);
  }

  registerVerb<V extends KnownVerb>(verb: V, handler: VerbHandler<VerbPayload<V>>): Unsubscribe {
    return this.router.registerVerb(verb, handler);
  }

  registerCustomVerb<S extends TSchema>(verb: string, schema: S, handler: VerbHandler<Static<S>>): Unsubscribe {
    return this.router.registerCustomVerb(verb, schema, handler);
  }

  async publishLinkState(link: string, health: LinkHealthJson): Promise<void> {
    await this.publishRetained(topics.link(this.opts.baseTopic, link), health satisfies ApiPayload<"links/+">);
  }

  async publishTerminalState(terminalId: string, state: Record<string, unknown>): Promise<void> {
    await this.publishRetained(topics.terminal(this.opts.baseTopic, terminalId), state);
  }

  async publishAlertState(alertId: string, state: Record<string, unknown>): Promise<void> {
    await this.publishRetained(topics.alert(this.opts.baseTopic, alertId), state);
  }

  async clearAlertState(alertId: string): Promise<void> {
    await this.clearRetained(topics.alert(this.opts.baseTopic, alertId));
  }

  async publishTalkgroupCheck(terminalId: string, result: Record<string, unknown>): Promise<void> {
    await this.publishRetained(topics.talkgroupCheck(this.opts.baseTopic, terminalId), result);
  }

  async publishConferenceState(conferenceId: string, state: Record<string, unknown>): Promise<void> {
    await this.publishRetained(topics.conference(this.opts.baseTopic, conferenceId), state);
  }

  async publishSdsReceived(sds: Record<string, unknown>): Promise<void> {
    await this.publishVolatile(topics.sdsReceived(this.opts.baseTopic), sds);
  }

  async publishSmsReceived(sms: Record<string, unknown>): Promise<void> {
    await this.publishVolatile(topics.smsReceived(this.opts.baseTopic), sms);
  }

  async publishSdsStatus(status: SendStatus): Promise<void> {
    await this.publishVolatile(topics.sdsStatus(this.opts.baseTopic), status);
  }

  async publishSmsStatus(status: SendStatus): Promise<void> {
    await this.publishVolatile(topics.smsStatus(this.opts.baseTopic), status);
  }

  /** A non-retained QoS 1 event; held by mqtt.js while the broker restarts, refused past MAX_VOLATILE_PENDING. */
  private async publishVolatile(topic: string, payload: Record<string, unknown>): Promise<void> {
    const c = this.client;
    if (!c) throw new GatewayError("MQTT_NOT_CONNECTED", "MQTT client not started");
    if (this.volatilePending >= MAX_VOLATILE_PENDING) throw new GatewayError("MQTT_NOT_CONNECTED", "broker unavailable and the send buffer is full");
    this.volatilePending++;
    try {
      await c.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
    } finally {
      this.volatilePending--;
    }
  }

  /** An alert to a device topic (a roster `mqtt` channel), QoS 1, not retained. */
  async publishDevice(topic: string, payload: Record<string, unknown>): Promise<void> {
    const c = this.client;
    if (!c?.connected) throw new GatewayError("MQTT_NOT_CONNECTED", "the local broker is not connected");
    if (topic === "" || /[+#]/.test(topic) || topic.includes("\u0000") || topic.startsWith("$")) throw new GatewayError("MQTT_BAD_TOPIC", `"${topic}" cannot be published to`);
    await c.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  }

  /** Resolves once the broker has the latest `online` bridge state (never rejects). */
  whenOnline(): Promise<void> {
    return this.online;
  }

  /** Sees every state publish (topic relative to `<base>`), e.g. to mirror it upstream. */
  onState(fn: StateListener): Unsubscribe {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Every retained state document published so far (topic relative to `<base>`), for a late listener. */
  retainedState(): [string, Buffer][] {
    const cut = this.opts.baseTopic.length + 1;
    return [...this.retained].map(([t, p]) => [t.slice(cut), p]);
  }

  /**
   * Runs a request through the same router as `<base>/bridge/request/<verb>` (schema, checks, concurrency,
   * handler), for in-process callers such as the status page; logged like an MQTT request.
   */
  async request(verb: string, payload: Record<string, unknown>, via = "http"): Promise<ResponsePayload> {
    const { response, handlerMs } = await this.router.handle(verb, Buffer.from(JSON.stringify(payload)));
    const fields = { event: "request", via, verb, status: response.status, ...(handlerMs !== undefined ? { handlerMs: Math.round(handlerMs) } : {}) };
    if (response.status === "ok") this.log.info(fields, "request answered");
    else this.log.warn({ ...fields, code: response.error.code }, "request refused");
    return response;
  }

  /** Publishes `offline` (retained) and disconnects cleanly, which discards the will. */
  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (c.connected) await Promise.race([c.publishAsync(topics.bridgeState(this.opts.baseTopic), this.bridgeState("offline"), { qos: 1, retain: true }).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    await Promise.race([c.endAsync(false).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    c.end(true);
  }

  private bridgeState(state: BridgeState["state"]): Buffer {
    const body: BridgeState = { state, version: this.opts.version, simulated: this.opts.simulated };
    return Buffer.from(JSON.stringify(body));
  }

  private onConnect(client: MqttClient): void {
    const base = this.opts.baseTopic;
    client.subscribe(topics.requestFilter(base), { qos: 1 }, (err) => err && this.log.error({ err }, "request subscribe failed"));
    this.online = client.publishAsync(topics.bridgeState(base), this.bridgeState("online"), { qos: 1, retain: true }).then(
      () => undefined,
      (err: unknown) => this.log.warn({ err }, "bridge state publish failed"),
    );
    for (const [topic, payload] of this.retained) void client.publishAsync(topic, payload, { qos: 1, retain: true }).catch(() => undefined);
    for (const topic of this.clearOnConnect) void client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true }).catch(() => undefined);
    this.clearOnConnect.clear();
    this.log.info({ event: "bridge-online", retainedRepublished: this.retained.size }, "connected to the embedded broker");
  }

  private async publishRetained(topic: string, body: unknown): Promise<void> {
    const payload = Buffer.from(JSON.stringify(body));
    this.retained.set(topic, payload);
    this.clearOnConnect.delete(topic);
    this.notifyState(topic, payload);
    const c = this.client;
    // Not connected: the cache is republished on connect; waiting here would stall the caller.
    if (c?.connected) await c.publishAsync(topic, payload, { qos: 1, retain: true });
  }

  /**
   * Clears a retained document: an empty retained message, which the broker (and the uplink, which mirrors
   * it) takes as "delete". Cleared while the broker is away: sent on the next connect.
   */
  private async clearRetained(topic: string): Promise<void> {
    this.retained.delete(topic);
    this.notifyState(topic, Buffer.alloc(0));
    const c = this.client;
    if (c?.connected) await c.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
    else if (this.clearOnConnect.size < MAX_PENDING_CLEARS) this.clearOnConnect.add(topic);
  }

  /** Tells the state listeners (topic relative to `<base>`; an empty payload means cleared). */
  private notifyState(topic: string, payload: Buffer): void {
    const rel = topic.slice(this.opts.baseTopic.length + 1);
    for (const l of this.stateListeners) {
      try {
        l(rel, payload);
      } catch (err) {
        this.log.error({ err }, "state listener failed");
      }
    }
  }

  private dropRetainedRequest(client: MqttClient, topic: string, verb: string, bytes: number): void {
    this.rl.warn(`retained-request:${verb.slice(0, 64)}`, { event: "retained-request-dropped", verbLength: verb.length, bytes }, "stored (retained) request dropped: requests run once");
    if (this.clearing.size < 1000) this.clearing.add(topic);
    void client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true }).catch(() => this.clearing.delete(topic));
  }

  private async onRequest(client: MqttClient, verb: string, payload: Buffer): Promise<void> {
    if (!isAnswerableVerb(verb)) {
      this.rl.warn("bad-verb", { event: "request-dropped", verbLength: verb.length, bytes: payload.length }, "request on a malformed verb topic dropped");
      return;
    }
    const { response, handlerMs } = await this.router.handle(verb, payload);
    const fields = { event: "request", verb, transaction: response.transaction ?? null, status: response.status, bytes: payload.length, ...(handlerMs !== undefined ? { handlerMs: Math.round(handlerMs) } : {}) };
    if (response.status === "ok") this.log.info(fields, "request answered");
    else this.rl.warn(`refused:${verb}:${response.error.code}`, { ...fields, code: response.error.code }, "request refused");
    await client.publishAsync(topics.response(this.opts.baseTopic, verb), JSON.stringify(response), { qos: 1 }).catch((err: unknown) => this.log.warn({ err, verb }, "response publish failed"));
  }
}
