import { mkdir } from "node:fs/promises";
import type { Duplex } from "node:stream";
import { join } from "node:path";
import { Aedes } from "aedes";
import { isGatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { loadBrokerAuth } from "../auth/user-authority.js";
import type { BrokerConfig } from "../mqtt-config.js";
import { AdmissionGate, type GateCounters } from "./admission-gate.js";
import { createAuthHooks, newSecurityCounters, type AuthState, type RetainedBook, type SecurityCounters, type SessionBook } from "./auth-hooks.js";
import { PersistenceMirror, type PersistenceLike, type RestoreResult } from "./file-persistence.js";
import { openListener, type OpenListener } from "./listeners.js";
import { PublishesInFlight } from "./publishes-in-flight.js";
import { PacketGuard, type ConnMeta } from "./packet-guard.js";
import { RateLimitedLog } from "./rate-limited-log.js";
import { fillPacketLengthCache } from "../packet-length-cache.js";

/**
 * The embedded broker as it runs inside its own process (broker-child.ts): aedes with our hooks, limits,
 * persistence mirror and listeners. Everything a client sends passes a PacketGuard before aedes parses it.
 */
export interface BrokerRuntimeConfig {
  broker: BrokerConfig;
  baseTopic: string;
  /** Stable across restarts so persisted queued packets keep their broker id. */
  brokerId: string;
  internal: { host: string; port: number; password: string };
  /**
   * Publishes on these filters are acknowledged only after the gateway made them durable (the uplink's
   * journal): aedes PUBACKs right after authorizePublish, so that is where they are held (docs/reliability.md).
   */
  holdFilters?: string[];
}

/** Makes one held publish durable; rejects to refuse it (no PUBACK; the client sends it again). */
export type HoldPublish = (m: { topic: string; payload: Buffer; qos: number; retain: boolean }) => Promise<void>;

/** A connection closed by the PacketGuard. */
export interface Violation {
  kind: string;
  listener: string;
  remoteAddress: string;
  /** Every byte read on the connection, earlier packets included. */
  bytesRead: number;
  /** Bytes of the refused packet that were read (≤ one socket read, 64 KiB). */
  packetBytesRead: number;
  declared?: number;
  at: string;
}

/** Memory, connections and security counters of the broker process. */
export interface BrokerStats {
  rss: number;
  heapUsed: number;
  connections: number;
  refusedConnections: number;
  /** Device connections by admission state: counted from accept, pending until login. */
  gate: GateCounters;
  /** Persistent sessions and what they have queued. */
  sessions: { count: number; queued: number; queuedBytes: number };
  /** Publishes taken on and not yet handed to every subscriber (0 when idle; a stop waits for them). */
  publishesInFlight: number;
  /** What the start restored from the state directory. */
  restored: RestoreResult;
  security: SecurityCounters;
  violations: number;
  recentViolations: Violation[];
}

/** Handle of a started broker inside its process. */
export interface RunningBroker {
  ports: Record<string, number>;
  stats(): BrokerStats;
  /** Re-reads the users and ACL files; new connections use them. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** How long a stopping broker waits for the publishes in flight to reach their subscribers. */
export const CLOSE_DELIVERY_MS = 1000;

/** Internal connections carry the gateway's own retained state; 1 MiB leaves room and still bounds it. */
const INTERNAL_MAX_PACKET = 1024 * 1024;

async function loadAuth(cfg: BrokerRuntimeConfig): Promise<AuthState> {
  const b = cfg.broker;
  // No ACL configured: everyone who may connect may read the gateway's topics and nothing else.
  const { users, acl } = await loadBrokerAuth(b, cfg.baseTopic);
  const certIdentityListeners = new Set(b.listeners.flatMap((l, i) => (l.kind === "tls" && l.certIdentityAsUsername ? [`tls-${i}`] : [])));
  return { users, acl, allowAnonymous: b.allowAnonymous, internalPassword: cfg.internal.password, certIdentityListeners };
}

/** Starts aedes, restores persisted state, opens the listeners. */
export async function startBrokerServer(cfg: BrokerRuntimeConfig, log: Logger, hold?: HoldPublish): Promise<RunningBroker> {
  fillPacketLengthCache();
  const limits = cfg.broker.limits;
  let auth = await loadAuth(cfg);
  const requestPrefix = `${cfg.baseTopic}/bridge/request/`;
  // The persistence mirror, once created below; no client can connect before that.
  let book: SessionBook & RetainedBook = { has: () => false, count: () => 0, countOf: () => 0, claim: () => undefined, isStored: () => true };
  const security: SecurityCounters = newSecurityCounters();
  const recentViolations: Violation[] = [];
  let violations = 0;
  const rl = new RateLimitedLog(log);
  // aedes reports one error per queued packet of a closing client; one line per client and reason is enough.
  const rlClient = new RateLimitedLog(log, 1);

  const aedes = new Aedes({
    id: cfg.brokerId,
    connectTimeout: limits.connectTimeoutMs,
    drainTimeout: limits.drainTimeoutMs,
    concurrency: limits.deliveryConcurrency,
    maxInflightInbound: limits.maxInflightInbound,
    maxClientsIdLength: limits.maxClientIdLength,
    ...createAuthHooks(() => auth, { limits, log, counters: security, sessions: () => book, retained: () => book, requestPrefix, ...(hold && cfg.holdFilters?.length ? { held: { filters: cfg.holdFilters, hold } } : {}) }),
  });
  // Refused logins and denied publishes were already logged by the hooks (aedes marks the former with `errorCode`).
  aedes.on("clientError", (client, err) => {
    if (!("errorCode" in err) && !isGatewayError(err, "MQTT_PUBLISH_DENIED")) rlClient.warn(`client-error:${client.id}:${err.message}`, { mod: "mqtt-broker", event: "client-error", clientId: client.id, err: err.message }, "client closed on error");
  });
  aedes.on("connectionError", (_client, err) => rl.warn("connection-error", { mod: "mqtt-broker", event: "connection-error", err: err.message }, "connection closed before CONNECT completed"));
  aedes.on("keepaliveTimeout", (client) => rl.warn(`keepalive:${client.id}`, { mod: "mqtt-broker", event: "keepalive-timeout", clientId: client.id }, "client keepalive timed out"));
  await aedes.listen();
  const inFlight = new PublishesInFlight(aedes);

  // Always wrapped: the retained and offline-queue limits apply with or without a state directory.
  const stateDir = cfg.broker.stateDir;
  if (stateDir) await mkdir(stateDir, { recursive: true });
  const mirror = new PersistenceMirror(stateDir ? join(stateDir, "broker-state.json") : undefined, (aedes as unknown as { persistence: PersistenceLike }).persistence, limits, log, 50, (topic) => topic.startsWith(requestPrefix));
  mirror.wrap();
  book = mirror;
  const restored = await mirror.restore();
  if (stateDir) log.info({ mod: "mqtt-broker", ...restored }, "broker state restored");

  const gate = new AdmissionGate({ maxConnections: limits.maxConnections, maxPending: limits.maxPending, maxPendingPerAddress: limits.maxPendingPerAddress, loginTimeoutMs: limits.connectTimeoutMs }, log);
  // The gateway's own listener: same pending rules, never counted against maxConnections.
  const internalGate = new AdmissionGate({ maxConnections: Infinity, maxPending: limits.maxPending, maxPendingPerAddress: limits.maxPendingPerAddress, loginTimeoutMs: limits.connectTimeoutMs }, log);
  const accept = (internal: boolean) => (stream: Duplex, meta: ConnMeta) => {
    const guard = new PacketGuard(stream, meta, {
      maxPacketBytes: internal ? INTERNAL_MAX_PACKET : limits.maxPacketBytes,
      publishRatePerSecond: internal ? 0 : limits.publishRatePerSecond,
      publishBurst: limits.publishBurst,
      // The gateway's own connection is never closed as a slow consumer.
      maxOutboundBytes: internal ? Infinity : limits.maxOutboundBytes,
      drainTimeoutMs: limits.drainTimeoutMs,
      onSlowConsumer: (s) => rl.warn(`slow:${meta.remoteAddress}`, { mod: "mqtt-broker", event: "slow-consumer", listener: meta.listener, remoteAddress: meta.remoteAddress, ...s }, "subscriber disconnected: it does not read what it subscribed to"),
      onViolation: (v) => {
        violations++;
        const rec: Violation = { kind: v.kind, listener: meta.listener, remoteAddress: meta.remoteAddress, bytesRead: v.bytesRead, packetBytesRead: v.packetBytesRead, ...("declared" in v ? { declared: v.declared } : {}), at: new Date().toISOString() };
        recentViolations.push(rec);
        if (recentViolations.length > 20) recentViolations.shift();
        rl.warn(`violation:${meta.remoteAddress}`, { mod: "mqtt-broker", event: "packet-refused", ...rec }, "connection closed: packet refused");
      },
    });
    aedes.handle(guard);
  };

  const listeners: OpenListener[] = [];
  const ports: Record<string, number> = {};
  try {
    const internal = await openListener("internal", { kind: "internal", host: cfg.internal.host, port: cfg.internal.port }, { accept: accept(true), log, gate: internalGate, maxPacketBytes: INTERNAL_MAX_PACKET });
    listeners.push(internal);
    ports["internal"] = internal.port;
    for (const [i, l] of cfg.broker.listeners.entries()) {
      const name = `${l.kind}-${i}`;
      const open = await openListener(name, l, { accept: accept(false), log, gate, maxPacketBytes: limits.maxPacketBytes });
      listeners.push(open);
      ports[name] = open.port;
      log.info({ mod: "mqtt-broker", listener: name, host: l.host, port: open.port }, "listening");
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await new Promise<void>((r) => aedes.close(() => r()));
    throw err;
  }

  return {
    ports,
    stats: () => {
      const m = process.memoryUsage();
      const q = mirror.queuedTotal;
      return {
        rss: m.rss,
        heapUsed: m.heapUsed,
        connections: gate.counters.current,
        refusedConnections: gate.counters.refused,
        gate: { ...gate.counters },
        sessions: { count: mirror.count(), queued: q.n, queuedBytes: q.bytes },
        publishesInFlight: inFlight.count,
        restored,
        security: { ...security },
        violations,
        recentViolations: [...recentViolations],
      };
    },
    reload: async () => {
      auth = await loadAuth(cfg);
      log.info({ mod: "mqtt-broker", users: auth.users.size }, "users and ACL reloaded");
    },
    close: async () => {
      // In order, so that what was acknowledged reaches its subscribers: no new connections; the publishes
      // in flight delivered (aedes PUBACKs before it delivers); then aedes closes its clients, each through
      // its PacketGuard, which hands its corked bytes to the kernel first; last, sockets that never logged in.
      for (const l of listeners) void l.stopAccepting();
      await inFlight.settled(CLOSE_DELIVERY_MS);
      await new Promise<void>((r) => aedes.close(() => r()));
      await Promise.all(listeners.map((l) => l.close()));
      await mirror.flush();
    },
  };
}
