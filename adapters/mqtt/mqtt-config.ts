import { Type, type Static } from "@sinclair/typebox";
import { validateAgainst } from "../../src/config/validate.js";
import { SCRYPT_CHECKS_AT_ONCE } from "../../src/shared/password-checks.js";
import { DEFAULT_BROKER_HEAP_MB, BROKER_SEMI_SPACE_MB, BROKER_OPTIMIZE_FOR_SIZE } from "./broker/broker-prefork.js";

/**
 * Configuration of everything MQTT: the embedded broker, the topic API, the regional uplink and the `ip`
 * link probes. One TypeBox schema gives the TS types, the JSON Schema and the defaults; unknown keys fail.
 * Defaults are the safe ones: loopback only, no anonymous access, 64 KiB packets, a dead uplink flagged
 * within 5 s.
 */
const host = Type.String({ default: "127.0.0.1", description: "listen address; loopback unless devices on the LAN need it" });
const strict = { additionalProperties: false } as const;

/** TLS 1.2 suites with ephemeral key exchange only (no static RSA such as AES128-SHA), AEAD first. */
export const FORWARD_SECRET_CIPHERS = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

/** One broker listener: plain TCP, TLS (optionally with client certificates) or WebSocket. */
export const ListenerSchema = Type.Union([
  Type.Object({ kind: Type.Literal("tcp"), host, port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }) }, strict),
  Type.Object(
    {
      kind: Type.Literal("tls"),
      host,
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8883 }),
      certFile: Type.String({ description: "server certificate chain (PEM)" }),
      keyFile: Type.String({ description: "server private key (PEM)" }),
      caFile: Type.Optional(Type.String({ description: "CA that signs client certificates (PEM)" })),
      requireClientCert: Type.Boolean({ default: false }),
      certIdentityAsUsername: Type.Boolean({ default: false, description: "a verified client certificate's CN is the username; no password needed" }),
      ciphers: Type.String({ default: FORWARD_SECRET_CIPHERS, description: "OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are always forward secret); the default allows only ECDHE/DHE key exchange" }),
      handshakeTimeoutMs: Type.Integer({ minimum: 100, default: 3000, description: "a TLS handshake not finished in this time closes the connection" }),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal("ws"),
      host,
      port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
      path: Type.String({ default: "/mqtt" }),
      allowedOrigins: Type.Optional(
        Type.Array(Type.String({ pattern: "^https?://[^/]+$" }), {
          description: "browser origins (scheme://host[:port]) allowed to open the WebSocket; absent: only upgrades without Origin or from the listener's own host:port",
        }),
      ),
    },
    strict,
  ),
]);

/** Per-broker and per-client limits; see README "Limits". */
export const LimitsSchema = Type.Object(
  {
    maxPacketBytes: Type.Integer({ minimum: 1024, maximum: 268435455, default: 65536, description: "bigger packets close the connection after at most this much is read" }),
    maxConnections: Type.Integer({ minimum: 1, default: 100 }),
    maxInflightInbound: Type.Integer({ minimum: 1, default: 32, description: "QoS 2 publishes awaiting PUBREL per client" }),
    maxSubscriptionsPerClient: Type.Integer({ minimum: 1, default: 64 }),
    publishRatePerSecond: Type.Integer({ minimum: 0, default: 200, description: "per client; 0 = unlimited; excess is slowed by TCP backpressure" }),
    publishBurst: Type.Integer({ minimum: 1, default: 400 }),
    maxClientIdLength: Type.Integer({ minimum: 1, maximum: 65535, default: 128 }),
    drainTimeoutMs: Type.Integer({ minimum: 100, default: 5000, description: "a subscriber whose socket stays full this long is disconnected" }),
    maxOutboundBytes: Type.Integer({ minimum: 65536, default: 1024 * 1024, description: "bytes a subscriber may leave unsent (what the kernel did not take); beyond this it is disconnected as a slow consumer" }),
    deliveryConcurrency: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: "messages the broker hands to their subscribers at once; more wait in its queue in order" }),
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 3000, description: "from accept (TLS handshake and WebSocket upgrade included) to CONNACK; slower connections are closed" }),
    maxPendingPerAddress: Type.Integer({ minimum: 1, default: 16, description: "connections from one address that have not logged in yet; one more closes the oldest of them" }),
    maxPending: Type.Integer({ minimum: 1, default: 64, description: "connections from all addresses that have not logged in yet; one more closes the oldest of them" }),
    maxOfflineQueue: Type.Integer({ minimum: 0, default: 1000, description: "QoS 1/2 messages kept per persistent session" }),
    maxOfflineQueueBytes: Type.Integer({ minimum: 0, default: 1024 * 1024, description: "bytes (topic + payload) kept per persistent session" }),
    maxQueuedTotal: Type.Integer({ minimum: 0, default: 20000, description: "queued messages over all persistent sessions" }),
    maxQueuedBytesTotal: Type.Integer({ minimum: 0, default: 32 * 1024 * 1024, description: "queued bytes over all persistent sessions" }),
    maxSessions: Type.Integer({ minimum: 0, default: 200, description: "persistent sessions (clean session off) in total" }),
    maxSessionsPerUser: Type.Integer({ minimum: 0, default: 10, description: "persistent sessions of one username (anonymous clients share one budget)" }),
    maxRetained: Type.Integer({ minimum: 0, default: 10000 }),
    loginFailuresPerMinute: Type.Integer({ minimum: 1, default: 10, description: "per remote address and username; attempts count from the moment the password check starts" }),
    maxConcurrentLogins: Type.Integer({ minimum: 1, default: SCRYPT_CHECKS_AT_ONCE, description: "password checks (scrypt) running at once; further logins wait" }),
    maxQueuedLogins: Type.Integer({ minimum: 0, default: 64, description: "logins waiting for a password check; more get CONNACK 3 (server unavailable)" }),
  },
  { ...strict, default: {} },
);

/** Credentials and TLS files of the gateway's client at an external broker (`broker.external`); secrets never inline. */
export const ExternalAuthSchema = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1 })),
    passwordFile: Type.Optional(Type.String({ description: "file holding the password (first line)" })),
    passwordEnv: Type.Optional(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "name of the environment variable holding the password" })),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "default rakelgw-<hostname>-<random>" })),
    caFile: Type.Optional(Type.String()),
    certFile: Type.Optional(Type.String()),
    keyFile: Type.Optional(Type.String()),
  },
  { ...strict, default: {} },
);

/** The embedded broker: listeners, users, ACL, anonymous policy, persistence, limits, restart policy. */
export const BrokerSchema = Type.Object(
  {
    external: Type.Optional(
      Type.String({ pattern: "^(mqtts?|wss?)://[^@/]+(/.*)?$", description: "use this existing broker (e.g. Mosquitto) instead of starting the embedded one; no credentials in the URL (see externalAuth)" }),
    ),
    externalAuth: ExternalAuthSchema,
    listeners: Type.Array(ListenerSchema, { default: [{ kind: "tcp", host: "127.0.0.1", port: 1883 }] }),
    usersFile: Type.Optional(Type.String()),
    aclFile: Type.Optional(Type.String()),
    /** Inline users (`username` + `$scrypt$` hash), added to the users file's; used by the demo. */
    users: Type.Optional(Type.Array(Type.Object({ username: Type.String(), hash: Type.String() }, strict))),
    /** Inline ACL text in acl_file format, used instead of `aclFile` when that is absent. */
    acl: Type.Optional(Type.String()),
    allowAnonymous: Type.Union([Type.Literal("off"), Type.Literal("loopback")], { default: "off" }),
    stateDir: Type.Optional(Type.String({ description: "retained messages and persistent sessions survive restarts here" })),
    limits: LimitsSchema,
    maxOldSpaceMb: Type.Integer({ minimum: 32, default: DEFAULT_BROKER_HEAP_MB, description: "V8 heap cap of the broker process" }),
    maxSemiSpaceMb: Type.Integer({ minimum: 1, maximum: 64, default: BROKER_SEMI_SPACE_MB, description: "V8 young-generation semi-space size of the broker process (it has two)" }),
    optimizeForSize: Type.Boolean({ default: BROKER_OPTIMIZE_FOR_SIZE, description: "V8's low-memory mode (--optimize-for-size) for the broker process: a heap close to its live data, for some message rate" }),
    restartBaseMs: Type.Integer({ minimum: 10, default: 200 }),
    restartCapMs: Type.Integer({ minimum: 100, default: 10000 }),
    logLevel: Type.String({ default: "info" }),
  },
  { ...strict, default: {} },
);

/** One uplink bridge rule, as mosquitto's `topic <pattern> <dir> <qos> <local-prefix> <remote-prefix>`. */
export const BridgeRuleSchema = Type.Object(
  {
    direction: Type.Union([Type.Literal("out"), Type.Literal("in"), Type.Literal("both")]),
    topic: Type.String({ default: "#", description: "filter below the prefixes, as in mosquitto's bridge `topic`" }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 1 }),
    localPrefix: Type.String({ default: "" }),
    remotePrefix: Type.String({ default: "" }),
    retain: Type.Optional(Type.Boolean({ description: "force the retain flag on the other side" })),
  },
  strict,
);

/** The regional uplink: URLs, credentials, liveness timing, bridge rules and durable queue. */
export const UplinkSchema = Type.Object(
  {
    urls: Type.Array(Type.String({ pattern: "^(mqtts?|wss?)://" }), { minItems: 1, description: "tried in turn" }),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String({ description: "inline only for tests; use passwordFile or passwordEnv" })),
    passwordFile: Type.Optional(Type.String({ description: "file holding the password (mode 0600)" })),
    passwordEnv: Type.Optional(Type.String({ pattern: "^[A-Z_][A-Z0-9_]*$", description: "environment variable holding the password" })),
    caFile: Type.Optional(Type.String()),
    certFile: Type.Optional(Type.String()),
    keyFile: Type.Optional(Type.String()),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4 }),
    keepaliveSec: Type.Integer({ minimum: 1, default: 3 }),
    deadAfterMs: Type.Integer({ minimum: 500, default: 4000, description: "no packet from the broker for this long → unresponsive" }),
    connectTimeoutMs: Type.Integer({ minimum: 500, default: 4000 }),
    backoffBaseMs: Type.Integer({ minimum: 10, default: 500 }),
    backoffCapMs: Type.Integer({ minimum: 100, default: 30000 }),
    remoteBase: Type.String({ minLength: 1, description: "where this gateway's own state goes upstream, e.g. region/north/site1" }),
    bridge: Type.Array(BridgeRuleSchema, { default: [] }),
    queueDir: Type.String({ description: "durable queue of upstream-bound messages" }),
    queueMaxMessages: Type.Integer({ minimum: 1, default: 10000 }),
    queueMaxBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
  },
  strict,
);

/** A reachability probe for the `ip` link. */
export const ProbeSchema = Type.Union([
  Type.Object({ kind: Type.Literal("tcp"), name: Type.String(), host: Type.String(), port: Type.Integer({ minimum: 1, maximum: 65535 }) }, strict),
  Type.Object({ kind: Type.Literal("http"), name: Type.String(), url: Type.String({ pattern: "^https?://" }) }, strict),
]);

/** Everything under `mqtt` in the gateway configuration. */
export const MqttConfigSchema = Type.Object(
  {
    baseTopic: Type.String({ default: "rakelgw/site", description: "rakelgw/<site>" }),
    broker: BrokerSchema,
    api: Type.Object(
      { maxRequestBytes: Type.Integer({ minimum: 256, default: 16384 }), maxConcurrentRequests: Type.Integer({ minimum: 1, default: 32 }) },
      { ...strict, default: {} },
    ),
    uplink: Type.Optional(UplinkSchema),
    linkHealth: Type.Object(
      {
        probes: Type.Array(ProbeSchema, { default: [] }),
        intervalMs: Type.Integer({ minimum: 100, default: 1000 }),
        timeoutMs: Type.Integer({ minimum: 100, default: 1000 }),
        downAfter: Type.Integer({ minimum: 1, default: 3 }),
        upAfter: Type.Integer({ minimum: 1, default: 2 }),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);

/** Validated MQTT configuration with defaults filled in. */
export type MqttConfig = Static<typeof MqttConfigSchema>;
/** Validated `mqtt.broker`. */
export type BrokerConfig = Static<typeof BrokerSchema>;
/** Validated listener entry. */
export type ListenerConfig = Static<typeof ListenerSchema>;
/** Validated `mqtt.broker.limits`. */
export type BrokerLimits = Static<typeof LimitsSchema>;
/** Validated `mqtt.broker.externalAuth`. */
export type ExternalAuth = Static<typeof ExternalAuthSchema>;
/** Validated `mqtt.uplink`. */
export type UplinkConfig = Static<typeof UplinkSchema>;
/** Validated bridge rule. */
export type BridgeRule = Static<typeof BridgeRuleSchema>;

/** Validates and fills defaults; throws `CFG_INVALID` listing every problem as `path: reason`. */
export function parseMqttConfig(data: unknown, source = "mqtt config"): MqttConfig {
  return validateAgainst(MqttConfigSchema, data ?? {}, source);
}
