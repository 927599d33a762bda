import { readFile } from "node:fs/promises";
import type { MqttClient } from "mqtt";
import { GatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../../../src/shared/typed-emitter.js";
import type { UplinkConfig } from "../mqtt-config.js";
import { LoopGuard, compileRules, mapIn, mapOut, type CompiledRule } from "./bridge-rules.js";
import { DurableQueue, type DroppedReport } from "./durable-queue.js";
import { UplinkConnection, type UplinkStatus } from "./uplink-connection.js";

/**
 * The regional uplink: local broker ⇄ regional broker.
 *
 *   local client ──out rules──► DurableQueue (fsynced) ──in order, QoS 1, ≤32 in flight──► regional broker
 *   local client ◄──in rules── PUBACK only after the local publish ◄────────────────────── regional broker
 *
 * Every upstream-bound message is journaled first and leaves the journal only when the regional broker
 * PUBACKs it, so outages and restarts lose nothing and order is kept (duplicates are possible after a
 * reconnect: at-least-once). This gateway's own state goes to `<remoteBase>/…` retained; its last will
 * there is `<remoteBase>/bridge/state` = offline.
 */
export interface UplinkDeps {
  log: Logger;
  version: string;
  simulated: boolean;
}

/** Uplink status changes (for `<base>/links/upstream`) and queue drops. */
export interface UplinkEvents {
  status: (s: UplinkStatus) => void;
  dropped: (r: DroppedReport) => void;
}

const WINDOW = 32;
/** R5: an upstream message not PUBACKed within 5 s marks the link degraded (the alert path then falls back). */
const PUBACK_OVERDUE_MS = 5000;

/** The uplink; create with `UplinkBridge.create()`, then `start()`. */
export class UplinkBridge {
  private readonly events: TypedEmitter<UplinkEvents>;
  private readonly sentUp = new LoopGuard();
  private readonly injectedDown = new LoopGuard();
  private local: MqttClient | undefined;
  private generation = 0;
  private nextSeq = 0;
  private readonly inflight = new Map<number, number>();
  private overdueTimer: ReturnType<typeof setInterval> | undefined;
  private lastStatus: UplinkStatus = { state: "disconnected", detail: "not started" };
  /** True when the embedded broker hands out-rule publishes to `intake()` before it PUBACKs them. */
  private brokerIntake = false;

  private constructor(
    private readonly cfg: UplinkConfig,
    private readonly rules: CompiledRule[],
    private readonly queue: DurableQueue,
    private readonly conn: UplinkConnection,
    private readonly deps: UplinkDeps,
  ) {
    this.events = new TypedEmitter<UplinkEvents>((err, event) => deps.log.error({ mod: "uplink", err, event }, "listener failed"));
    queue.on("dropped", (r) => this.events.emit("dropped", r));
    conn.on("status", () => this.emitStatus());
    conn.on("connected", (c) => this.onConnected(c));
  }

  static async create(cfg: UplinkConfig, deps: UplinkDeps): Promise<UplinkBridge> {
    const rules = compileRules(cfg.bridge);
    if (!rules.ok) throw new GatewayError("CFG_INVALID", `uplink bridge rules: ${rules.reason}`, { context: { problems: rules.reason.split("; ") } });
    const read = async (f: string | undefined): Promise<Buffer | undefined> => (f ? readFile(f) : undefined);
    const password = cfg.password ?? (cfg.passwordFile ? (await readFile(cfg.passwordFile, "utf8")).trim() : cfg.passwordEnv ? secretFromEnv(cfg.passwordEnv) : undefined);
    const queue = await DurableQueue.open({ dir: cfg.queueDir, maxMessages: cfg.queueMaxMessages, maxBytes: cfg.queueMaxBytes, log: deps.log });
    const [ca, cert, key] = await Promise.all([read(cfg.caFile), read(cfg.certFile), read(cfg.keyFile)]);
    const conn = new UplinkConnection({
      urls: cfg.urls,
      clientId: cfg.clientId ?? `rakelgw-${cfg.remoteBase.replace(/[^A-Za-z0-9]+/g, "-")}`.slice(0, 128),
      ...(cfg.username !== undefined ? { username: cfg.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      protocolVersion: cfg.protocolVersion,
      keepaliveSec: cfg.keepaliveSec,
      deadAfterMs: cfg.deadAfterMs,
      connectTimeoutMs: cfg.connectTimeoutMs,
      backoffBaseMs: cfg.backoffBaseMs,
      backoffCapMs: cfg.backoffCapMs,
      will: { topic: `${cfg.remoteBase}/bridge/state`, payload: Buffer.from(JSON.stringify({ state: "offline", version: deps.version, simulated: deps.simulated })), qos: 1, retain: true },
      log: deps.log,
    });
    return new UplinkBridge(cfg, rules.value, queue, conn, deps);
  }

  get status(): UplinkStatus {
    return this.lastStatus;
  }
  get queued(): number {
    return this.queue.size;
  }

  on<K extends keyof UplinkEvents>(event: K, fn: UplinkEvents[K]): Unsubscribe {
    return this.events.on(event, fn);
  }

  start(): void {
    this.conn.start();
    this.overdueTimer = setInterval(() => this.emitStatus(), 500);
    this.overdueTimer.unref();
  }

  /** Publishes `offline` upstream (best effort, ≤ 1 s), disconnects cleanly and closes the journal. */
  async stop(): Promise<void> {
    clearInterval(this.overdueTimer);
    const c = this.conn.client;
    if (c) {
      const offline = JSON.stringify({ state: "offline", version: this.deps.version, simulated: this.deps.simulated });
      await Promise.race([c.publishAsync(`${this.cfg.remoteBase}/bridge/state`, offline, { qos: 1, retain: true }).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    }
    await this.conn.stop();
    await this.queue.close();
  }

  /**
   * The local filters of the out rules. A broker that holds publishes on them until `intake()` resolved
   * (BrokerSupervisor holdFilters) PUBACKs a device only after the journal's fsync: without that a
   * SIGKILL between the PUBACK and the journal append lost acknowledged messages (proof: crash).
   */
  heldFilters(): string[] {
    this.brokerIntake = true;
    return [...new Set(this.rules.filter((r) => r.direction !== "in").map((r) => r.localFilter))];
  }

  /** A local publish on an out rule, before its PUBACK: journaled (resolves after the fsync) or refused. */
  async intake(topic: string, payload: Buffer): Promise<void> {
    if (this.injectedDown.isEcho(topic, payload)) return;
    const m = mapOut(this.rules, topic);
    if (m) await this.enqueue(m.topic, payload, m.qos, m.retain ?? false);
  }

  /** Hooks the gateway's local client (call on every local (re)connect): subscribes the out rules. */
  attachLocal(client: MqttClient): void {
    if (this.local !== client) {
      this.local = client;
      if (!this.brokerIntake) client.on("message", (topic, payload) => this.onLocalMessage(topic, payload));
    }
    if (this.brokerIntake) return;
    const filters = [...new Set(this.rules.filter((r) => r.direction !== "in").map((r) => r.localFilter))];
    if (filters.length > 0) client.subscribe(filters, { qos: 1 }, (err) => err && this.deps.log.error({ mod: "uplink", err }, "local subscribe failed"));
  }

  /** Queues the gateway's own retained state for `<remoteBase>/<relTopic>`. */
  async publishState(relTopic: string, payload: Buffer): Promise<void> {
    await this.enqueue(`${this.cfg.remoteBase}/${relTopic}`, payload, 1, true);
  }

  /**
   * Journals one message for the regional broker; resolves once it is durable (not yet delivered). A
   * retained one supersedes its topic's retained message still waiting to be sent (durable-queue.ts).
   */
  async enqueue(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): Promise<void> {
    await this.queue.append({ topic, payload, qos, retain }, this.nextSeq);
    this.pump();
  }

  private onLocalMessage(topic: string, payload: Buffer): void {
    if (this.injectedDown.isEcho(topic, payload)) return;
    const m = mapOut(this.rules, topic);
    if (!m) return;
    void this.enqueue(m.topic, payload, m.qos, m.retain ?? false).catch((err: unknown) => this.deps.log.error({ mod: "uplink", err, topic }, "could not queue message for upstream"));
  }

  private onConnected(client: MqttClient): void {
    this.generation++;
    this.inflight.clear();
    this.nextSeq = this.queue.headSeq;
    const online = JSON.stringify({ state: "online", version: this.deps.version, simulated: this.deps.simulated });
    void client.publishAsync(`${this.cfg.remoteBase}/bridge/state`, online, { qos: 1, retain: true }).catch(() => undefined);
    const inRules = this.rules.filter((r) => r.direction !== "out");
    if (inRules.length > 0) {
      // QoS 1 goes through customHandleAcks (PUBACK after the local publish); QoS 0 has no ack to hold.
      client.options.customHandleAcks = (topic, payload, _packet, done) => void this.onRemoteMessage(topic, payload).finally(() => done(0));
      client.on("message", (topic, payload, packet) => {
        if (packet.qos === 0) void this.onRemoteMessage(topic, payload);
      });
      client.subscribe(Object.fromEntries(inRules.map((r) => [r.remoteFilter, { qos: r.qos }])), (err) => err && this.deps.log.error({ mod: "uplink", err }, "upstream subscribe failed"));
    }
    this.deps.log.info({ mod: "uplink", queued: this.queue.size, fromSeq: this.nextSeq }, "uplink connected; draining queue");
    this.pump();
  }

  /** Inbound: publish locally first, PUBACK upstream after (customHandleAcks), so a crash in between re-delivers. */
  private async onRemoteMessage(topic: string, payload: Buffer): Promise<void> {
    if (this.sentUp.isEcho(topic, payload)) return;
    const m = mapIn(this.rules, topic);
    const local = this.local;
    if (!m || !local) return;
    this.injectedDown.remember(m.topic, payload);
    await Promise.race([local.publishAsync(m.topic, payload, { qos: m.qos, retain: m.retain ?? false }), new Promise((r) => setTimeout(r, 5000))]).catch((err: unknown) => this.deps.log.warn({ mod: "uplink", err, topic: m.topic }, "inbound message not published locally"));
  }

  /** Sends pending messages in sequence order, at most WINDOW unacknowledged at a time. */
  private pump(): void {
    const client = this.conn.client;
    if (!client) return;
    const gen = this.generation;
    const room = WINDOW - this.inflight.size;
    if (room <= 0) return;
    for (const m of this.queue.peek(Math.max(this.nextSeq, this.queue.headSeq), room)) {
      this.nextSeq = m.seq + 1;
      this.inflight.set(m.seq, performance.now());
      this.sentUp.remember(m.topic, m.payload);
      client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain }).then(
        () => this.queue.ack(m.seq),
        (err: unknown) => this.deps.log.debug({ mod: "uplink", err, seq: m.seq }, "upstream publish failed; will resend"),
      ).catch((err: unknown) => this.deps.log.error({ mod: "uplink", err }, "journal ack failed")).finally(() => {
        if (gen !== this.generation) return;
        this.inflight.delete(m.seq);
        this.pump();
      });
    }
  }

  private emitStatus(): void {
    let s = this.conn.status;
    if (s.state === "ready") {
      const oldest = Math.min(...this.inflight.values());
      const age = performance.now() - oldest;
      if (Number.isFinite(age) && age > PUBACK_OVERDUE_MS) s = { state: "degraded", detail: `no PUBACK for ${Math.round(age / 1000)} s; ${this.queue.size} queued` };
    }
    if (s.state === this.lastStatus.state && s.detail === this.lastStatus.detail) return;
    this.lastStatus = s;
    this.events.emit("status", s);
  }
}

/** A secret named by the configuration; a missing variable is a configuration error, never an empty password. */
function secretFromEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new GatewayError("CFG_INVALID", `mqtt.uplink.passwordEnv: environment variable ${name} is not set`);
  return v;
}
