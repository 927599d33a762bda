import { timingSafeEqual } from "node:crypto";
import type { AedesOptions, AuthenticateError, Client } from "aedes";
import { GatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { canPublish, canRead, canSubscribe, rulesFor, type AclConfig, type AclRule } from "../auth/acl.js";
import { verifyPassword } from "../auth/password-hash.js";
import type { UsersMap } from "../auth/users-file.js";
import type { BrokerLimits } from "../mqtt-config.js";
import { CheckSlots } from "./check-slots.js";
import { LoginThrottle } from "./login-throttle.js";
import { matches } from "../auth/topic-match.js";
import type { ConnMeta, PacketGuard } from "./packet-guard.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * Authentication and authorisation as aedes hooks (the hooks of the aedes API): `preConnect` closes connections
 * whose CONNECT carries NUL characters ([MQTT-1.5.3-2]) and throttles addresses with many failed logins
 * before any scrypt work, `authenticate` checks the users file (at most `maxConcurrentLogins` scrypt
 * checks at once; each attempt counts against the throttle from the moment its check starts), refuses
 * the gateway's reserved client-id prefix and caps persistent sessions, `authorizePublish` /
 * `authorizeSubscribe` apply the ACL, `authorizeForward` re-checks reads only for clients whose rules
 * contain a `deny`. Denials are logged with user, client id, topic and reason, rate-limited per user.
 */
export const INTERNAL_USER = "$gateway";

/**
 * Client ids starting with this belong to the gateway: refused (CONNACK 2) on every listener but the
 * internal one, so no client can take over (and thereby disconnect) the gateway's own session.
 */
export const RESERVED_CLIENT_PREFIX = "rakelgw-gateway-";

/** Persistent sessions as the persistence knows them; the hooks cap them per user and in total. */
export interface SessionBook {
  has(clientId: string): boolean;
  count(): number;
  countOf(username: string | undefined): number;
  /** Records that `clientId` now holds a persistent session owned by `username`. */
  claim(clientId: string, username: string | undefined): void;
}

/** The retained messages as stored now; the hooks drop a retained copy that has been replaced since it was read. */
export interface RetainedBook {
  /** True when `payload` is the value stored for `topic` now. */
  isStored(topic: string, payload: Buffer): boolean;
}

/** What the hooks need besides the auth state. */
export interface HookContext {
  limits: BrokerLimits;
  log: Logger;
  counters: SecurityCounters;
  sessions: () => SessionBook;
  retained: () => RetainedBook;
  /** `<base>/bridge/request/`: retained publishes here are never stored. */
  requestPrefix: string;
  /** Publishes PUBACKed only after the gateway made them durable (the uplink journal). */
  held?: HeldTopics;
}

/** What the hooks check against; replaced as a whole on reload. */
export interface AuthState {
  users: UsersMap;
  acl: AclConfig;
  allowAnonymous: "off" | "loopback";
  /** The gateway's own account; valid only on the internal listener. */
  internalPassword: string;
  /** TLS listeners where a verified certificate's CN is the username. */
  certIdentityListeners: ReadonlySet<string>;
}

/** Counters of refused logins and denied operations (exported in broker stats). */
export interface SecurityCounters {
  authFailures: number;
  throttledLogins: number;
  publishDenied: number;
  subscribeDenied: number;
  forwardDenied: number;
  /** scrypt checks started. */
  passwordChecks: number;
  /** Logins refused because too many password checks were waiting. */
  loginsBusy: number;
  /** Persistent sessions refused (per-user or total cap). */
  sessionsRefused: number;
  /** Retained publishes on request topics whose retain flag was cleared. */
  retainedRequestsCleared: number;
  /** Connections closed for a NUL character in a string ([MQTT-1.5.3-2]). */
  nulRefused: number;
}

/** Fresh zeroed counters. */
export function newSecurityCounters(): SecurityCounters {
  return { authFailures: 0, throttledLogins: 0, publishDenied: 0, subscribeDenied: 0, forwardDenied: 0, passwordChecks: 0, loginsBusy: 0, sessionsRefused: 0, retainedRequestsCleared: 0, nulRefused: 0 };
}

interface ClientAuth {
  username: string | undefined;
  internal: boolean;
  rules: AclRule[];
  checkForward: boolean;
}

/** Publishes that are acknowledged only once `hold` resolved (the uplink journal); see BrokerRuntimeConfig. */
export interface HeldTopics {
  filters: readonly string[];
  hold: (m: { topic: string; payload: Buffer; qos: number; retain: boolean }) => Promise<void>;
}

type Hooks = Required<Pick<AedesOptions, "preConnect" | "authenticate" | "authorizePublish" | "authorizeSubscribe" | "authorizeForward">>;

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function authError(returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

/** The connection meta (listener, address, certificate CN) of an aedes client. */
export function metaOf(client: Client): ConnMeta | undefined {
  return (client.conn as Partial<PacketGuard>).meta;
}

const hasNul = (v: string | Buffer | undefined | null): boolean => v !== undefined && v !== null && (typeof v === "string" ? v.includes("\0") : v.includes(0));

/** Builds the aedes hooks; `state()` is read per connection so a reload applies to new ones. */
export function createAuthHooks(state: () => AuthState, ctx: HookContext): Hooks {
  const { limits, log, counters, held } = ctx;
  const auth = new WeakMap<Client, ClientAuth>();
  /** Clients whose CONNECT had an empty client id with clean session off ([MQTT-3.1.3-8]: CONNACK 2). */
  const emptyPersistent = new WeakSet<Client>();
  const rl = new RateLimitedLog(log);
  const throttle = new LoginThrottle(limits.loginFailuresPerMinute);
  const slots = new CheckSlots(limits.maxConcurrentLogins, limits.maxQueuedLogins);

  const deny = (client: Client, what: string, topic: string, reason: string): void => {
    const a = auth.get(client);
    rl.warn(`${what}:${a?.username ?? "-"}`, { mod: "mqtt-broker", event: `${what}-denied`, user: a?.username ?? null, clientId: client.id, topic, reason }, `${what} denied`);
  };
  const nul = (client: Client, where: string): Error => {
    counters.nulRefused++;
    rl.warn(`nul:${metaOf(client)?.remoteAddress ?? "?"}`, { mod: "mqtt-broker", event: "nul-refused", remoteAddress: metaOf(client)?.remoteAddress, where }, "connection closed: NUL character in a string [MQTT-1.5.3-2]");
    return new Error(`NUL character in ${where}`);
  };

  return {
    preConnect(client, packet, cb) {
      const meta = metaOf(client);
      if (hasNul(packet.clientId) || hasNul(packet.username) || hasNul(packet.will?.topic)) return cb(nul(client, "CONNECT"), false);
      if (packet.clientId === "" && packet.clean === false) emptyPersistent.add(client);
      if (meta?.listener === "internal") return cb(null, true); // the gateway itself: never throttled
      const addr = meta?.remoteAddress ?? "?";
      if (throttle.blocked(addr, packet.username)) {
        counters.throttledLogins++;
        rl.warn(`throttle:${addr}`, { mod: "mqtt-broker", event: "login-throttled", remoteAddress: addr }, "connection refused: too many failed logins");
        return cb(new Error("too many failed logins"), false);
      }
      cb(null, true);
    },

    authenticate(client, username, password, done) {
      const meta = metaOf(client);
      const s = state();
      const addr = meta?.remoteAddress ?? "?";
      const fail = (code: 2 | 3 | 4 | 5, reason: string, counted = false): void => {
        counters.authFailures++;
        if (code !== 2 && code !== 3 && !counted) throttle.fail(addr, username);
        rl.warn(`auth:${addr}`, { mod: "mqtt-broker", event: "auth-failed", user: username ?? null, clientIdLength: client.id.length, remoteAddress: meta?.remoteAddress, listener: meta?.listener, reason }, "login refused");
        done(authError(code, reason), false);
      };
      const internalListener = meta?.listener === "internal";
      if (emptyPersistent.has(client)) return fail(2, "empty client id with clean session off");
      if (client.id.length > limits.maxClientIdLength) return fail(2, `client id longer than ${limits.maxClientIdLength}`);
      if (!internalListener && client.id.startsWith(RESERVED_CLIENT_PREFIX)) return fail(2, "reserved client id");
      const ok = (name: string | undefined, internal = false): void => {
        if (!internal && client.clean === false) {
          const book = ctx.sessions();
          if (!book.has(client.id)) {
            const why = book.count() >= limits.maxSessions ? `more than ${limits.maxSessions} persistent sessions` : book.countOf(name) >= limits.maxSessionsPerUser ? `more than ${limits.maxSessionsPerUser} persistent sessions for this user` : undefined;
            if (why) {
              counters.sessionsRefused++;
              return fail(3, why);
            }
          }
          book.claim(client.id, name);
        }
        const rules = internal ? [] : rulesFor(s.acl, name, client.id);
        auth.set(client, { username: name, internal, rules, checkForward: rules.some((r) => r.access === "deny") });
        meta?.loggedIn?.();
        done(null, true);
      };
      if (internalListener) {
        const given = Buffer.from(password ?? "");
        const want = Buffer.from(s.internalPassword);
        return username === INTERNAL_USER && given.length === want.length && timingSafeEqual(given, want) ? ok(INTERNAL_USER, true) : fail(4, "bad internal credentials");
      }
      if (meta?.certCN !== undefined && s.certIdentityListeners.has(meta.listener)) return ok(meta.certCN);
      if (username === undefined || username === "") {
        if (password !== undefined) return fail(4, "password without username");
        const loopback = LOOPBACK.test(meta?.remoteAddress ?? "");
        return s.allowAnonymous === "loopback" && loopback ? ok(undefined) : fail(5, "anonymous access is off");
      }
      if (username === INTERNAL_USER) return fail(4, "reserved username");
      // Counted before the check starts, so parallel attempts cannot all pass the limit while checks run.
      if (throttle.blocked(addr, username)) {
        counters.throttledLogins++;
        return fail(3, "too many failed logins", true);
      }
      const started = throttle.attempt(addr, username);
      void slots.acquire().then((release) => {
        if (!release) {
          counters.loginsBusy++;
          throttle.succeeded(addr, username, started);
          return fail(3, "too many logins in progress", true);
        }
        counters.passwordChecks++;
        verifyPassword(password?.toString("utf8") ?? "", s.users.get(username))
          .then(
            (valid) => {
              if (!valid) return fail(4, "bad username or password", true);
              throttle.succeeded(addr, username, started);
              ok(username);
            },
            (err: unknown) => {
              log.error({ mod: "mqtt-broker", err }, "password check failed");
              fail(4, "password check failed", true);
            },
          )
          .finally(release);
      });
    },

    authorizePublish(client, packet, cb) {
      if (!client) return cb(null); // the broker's own publishes (wills of vanished clients, $SYS)
      // aedes sends the PUBACK as soon as cb(null) ran: a held topic waits for the durable write first.
      const allow = (): void => {
        if (!held?.filters.some((f) => matches(f, packet.topic))) return cb(null);
        held.hold({ topic: packet.topic, payload: Buffer.from(packet.payload), qos: packet.qos, retain: packet.retain }).then(
          () => cb(null),
          (err: unknown) => {
            rl.warn(`hold:${packet.topic}`, { mod: "mqtt-broker", event: "publish-not-durable", clientId: client.id, topic: packet.topic, err }, "publish refused: it could not be made durable");
            cb(err instanceof Error ? err : new Error(String(err)));
          },
        );
      };
      const a = auth.get(client);
      if (a?.internal) return allow();
      if (packet.topic.includes("\0")) return cb(nul(client, "PUBLISH topic"));
      if (packet.topic.startsWith("$")) {
        counters.publishDenied++;
        deny(client, "publish", packet.topic, "$-topics are reserved");
        return cb(new GatewayError("MQTT_PUBLISH_DENIED", "reserved topic"));
      }
      const d = a ? canPublish(a.rules, packet.topic) : { allowed: false, reason: "not authenticated" };
      if (d.allowed) {
        // A retained request would run again on every resubscribe of the gateway: deliver it once, never store it.
        if (packet.retain && packet.topic.startsWith(ctx.requestPrefix)) {
          packet.retain = false;
          counters.retainedRequestsCleared++;
          rl.warn(`retained-request:${a?.username ?? "-"}`, { mod: "mqtt-broker", event: "retained-request", user: a?.username ?? null, clientId: client.id, topic: packet.topic }, "retain flag cleared on a request: requests are never stored");
        }
        return allow();
      }
      counters.publishDenied++;
      deny(client, "publish", packet.topic, d.reason);
      // MQTT 3.1.1 §3.3.5 [MQTT-3.3.5-2]: without a way to NACK, the server must ack or close; we close.
      cb(new GatewayError("MQTT_PUBLISH_DENIED", `publish denied: ${d.reason}`));
    },

    authorizeSubscribe(client, sub, cb) {
      const a = auth.get(client);
      if (a?.internal) return cb(null, sub);
      if (sub.topic.includes("\0")) return cb(nul(client, "SUBSCRIBE filter"), null);
      const count = Object.keys((client as unknown as { subscriptions: object }).subscriptions).length;
      let d = a ? canSubscribe(a.rules, sub.topic) : { allowed: false, reason: "not authenticated" };
      if (d.allowed && count >= limits.maxSubscriptionsPerClient) d = { allowed: false, reason: `more than ${limits.maxSubscriptionsPerClient} subscriptions` };
      if (d.allowed) return cb(null, sub);
      counters.subscribeDenied++;
      deny(client, "subscribe", sub.topic, d.reason);
      cb(null, null); // SUBACK 0x80 for this filter, connection kept (docs/reliability.md #26)
    },

    authorizeForward(client, packet) {
      // A new subscription gets the retained messages aedes read from the store after adding it, while newer
      // publishes on those topics already reach the subscriber live: a copy read before a newer publish could
      // arrive after it and leave the subscriber with the older state until the next change (a `links/…`
      // document shown `degraded` after it became `ready`). aedes marks these copies with a null brokerId; one
      // that is no longer the stored value is dropped, since the value that replaced it is delivered live.
      if (packet.retain && (packet as { brokerId?: string | null }).brokerId === null && !ctx.retained().isStored(packet.topic, packet.payload as Buffer)) return null;
      const a = auth.get(client);
      if (!a?.checkForward || canRead(a.rules, packet.topic)) return packet;
      counters.forwardDenied++;
      return null;
    },
  };
}
