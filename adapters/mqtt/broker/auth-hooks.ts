import { timingSafeEqual } from "node:crypto";
import type { AedesOptions, AuthenticateError, Client } from "aedes";
import { GatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { canPublish, canRead, canSubscribe, rulesFor, type AclConfig, type AclRule } from "../auth/acl.js";
import { verifyPassword } from "../auth/password-hash.js";
import type { UsersMap } from "../auth/users-file.js";
import type { BrokerLimits } from "../mqtt-config.js";
import { LoginThrottle } from "./login-throttle.js";
import type { ConnMeta, PacketGuard } from "./packet-guard.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * Authentication and authorisation as aedes hooks (aedes docs/Aedes.md): `preConnect` throttles addresses
 * with many failed logins before any scrypt work, `authenticate` checks the users file, `authorizePublish`
 * / `authorizeSubscribe` apply the ACL, `authorizeForward` re-checks reads only for clients whose rules
 * contain a `deny`. Denials are logged with user, client id, topic and reason, rate-limited per user.
 */
export const INTERNAL_USER = "$gateway";

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
}

interface ClientAuth {
  username: string | undefined;
  internal: boolean;
  rules: AclRule[];
  checkForward: boolean;
}

type Hooks = Required<Pick<AedesOptions, "preConnect" | "authenticate" | "authorizePublish" | "authorizeSubscribe" | "authorizeForward">>;

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function authError(returnCode: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

/** The connection meta (listener, address, certificate CN) of an aedes client. */
export function metaOf(client: Client): ConnMeta | undefined {
  return (client.conn as Partial<PacketGuard>).meta;
}

/** Builds the aedes hooks; `state()` is read per connection so a reload applies to new ones. */
export function createAuthHooks(state: () => AuthState, limits: BrokerLimits, log: Logger, counters: SecurityCounters): Hooks {
  const auth = new WeakMap<Client, ClientAuth>();
  const rl = new RateLimitedLog(log);
  const throttle = new LoginThrottle(limits.loginFailuresPerMinute);

  const deny = (client: Client, what: string, topic: string, reason: string): void => {
    const a = auth.get(client);
    rl.warn(`${what}:${a?.username ?? "-"}`, { mod: "mqtt-broker", event: `${what}-denied`, user: a?.username ?? null, clientId: client.id, topic, reason }, `${what} denied`);
  };

  return {
    preConnect(client, packet, cb) {
      const addr = metaOf(client)?.remoteAddress ?? "?";
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
      const fail = (code: 2 | 4 | 5, reason: string): void => {
        counters.authFailures++;
        if (code !== 2) throttle.fail(meta?.remoteAddress ?? "?", username);
        rl.warn(`auth:${meta?.remoteAddress ?? "?"}`, { mod: "mqtt-broker", event: "auth-failed", user: username ?? null, clientIdLength: client.id.length, remoteAddress: meta?.remoteAddress, listener: meta?.listener, reason }, "login refused");
        done(authError(code, reason), false);
      };
      if (client.id.length > limits.maxClientIdLength) return fail(2, `client id longer than ${limits.maxClientIdLength}`);
      const ok = (name: string | undefined, internal = false): void => {
        const rules = internal ? [] : rulesFor(s.acl, name, client.id);
        auth.set(client, { username: name, internal, rules, checkForward: rules.some((r) => r.access === "deny") });
        done(null, true);
      };
      if (meta?.listener === "internal") {
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
      verifyPassword(password?.toString("utf8") ?? "", s.users.get(username)).then(
        (valid) => (valid ? ok(username) : fail(4, "bad username or password")),
        (err: unknown) => {
          log.error({ mod: "mqtt-broker", err }, "password check failed");
          fail(4, "password check failed");
        },
      );
    },

    authorizePublish(client, packet, cb) {
      if (!client) return cb(null); // the broker's own publishes (wills of vanished clients, $SYS)
      const a = auth.get(client);
      if (a?.internal) return cb(null);
      if (packet.topic.startsWith("$")) {
        counters.publishDenied++;
        deny(client, "publish", packet.topic, "$-topics are reserved");
        return cb(new GatewayError("MQTT_PUBLISH_DENIED", "reserved topic"));
      }
      const d = a ? canPublish(a.rules, packet.topic) : { allowed: false, reason: "not authenticated" };
      if (d.allowed) return cb(null);
      counters.publishDenied++;
      deny(client, "publish", packet.topic, d.reason);
      // MQTT 3.1.1 §3.3.5 [MQTT-3.3.5-2]: without a way to NACK, the server must ack or close; we close.
      cb(new GatewayError("MQTT_PUBLISH_DENIED", `publish denied: ${d.reason}`));
    },

    authorizeSubscribe(client, sub, cb) {
      const a = auth.get(client);
      if (a?.internal) return cb(null, sub);
      const count = Object.keys((client as unknown as { subscriptions: object }).subscriptions).length;
      let d = a ? canSubscribe(a.rules, sub.topic) : { allowed: false, reason: "not authenticated" };
      if (d.allowed && count >= limits.maxSubscriptionsPerClient) d = { allowed: false, reason: `more than ${limits.maxSubscriptionsPerClient} subscriptions` };
      if (d.allowed) return cb(null, sub);
      counters.subscribeDenied++;
      deny(client, "subscribe", sub.topic, d.reason);
      cb(null, null); // SUBACK 0x80 for this filter, connection kept (docs/reliability.md #26)
    },

    authorizeForward(client, packet) {
      const a = auth.get(client);
      if (!a?.checkForward || canRead(a.rules, packet.topic)) return packet;
      counters.forwardDenied++;
      return null;
    },
  };
}
