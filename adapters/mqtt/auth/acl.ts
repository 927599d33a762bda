import { readFile } from "node:fs/promises";
import { GatewayError, fail, ok, type ParseResult } from "../../../src/shared/errors.js";
import { covers, matches } from "./topic-match.js";

/**
 * Topic access rules in mosquitto's `acl_file` format (mosquitto.conf(5)), so technicians can reuse what
 * they know:
 *
 *   # lines before any `user` apply to anonymous clients (only if anonymous access is enabled)
 *   topic read rakelgw/site1/bridge/state
 *   user county-board
 *   topic write rakelgw/site1/bridge/request/#
 *   topic read rakelgw/site1/#
 *   user display-1
 *   topic read rakelgw/site1/alerts/#
 *   topic deny rakelgw/site1/alerts/secret/#
 *   # patterns apply to every authenticated client; %u = username, %c = client id
 *   pattern readwrite devices/%u/#
 *
 * Access is `read`, `write`, `readwrite` (the default) or `deny`; a matching `deny` wins. A publish needs a
 * write rule matching the topic; a subscribe needs a read rule covering the whole filter, so a device that
 * may read `rakelgw/site1/#` gets SUBACK 0x80 for `#` (docs/reliability.md #26). Substitutions that would put `/`,
 * `+` or `#` into a pattern make that rule not apply, so an odd client id can never widen access.
 */
export type Access = "read" | "write" | "readwrite" | "deny";

/** One `topic` or `pattern` line. */
export interface AclRule {
  access: Access;
  topic: string;
  /** From a `pattern` line: %u/%c are substituted per client. */
  pattern: boolean;
  line: number;
}

/** A parsed ACL file: anonymous rules, per-user rules, patterns. */
export interface AclConfig {
  anonymous: AclRule[];
  users: Map<string, AclRule[]>;
  patterns: AclRule[];
}

/** Outcome of an ACL check, with the reason for the denial log. */
export interface AclDecision {
  allowed: boolean;
  /** Why, for the denial log: "no read rule covers the filter", "deny rule line 7". */
  reason: string;
}

const ACCESS = new Set<Access>(["read", "write", "readwrite", "deny"]);

/** Parses ACL text; problems are reported as `line N: reason`. */
export function parseAcl(text: string): ParseResult<AclConfig> {
  const cfg: AclConfig = { anonymous: [], users: new Map(), patterns: [] };
  let current: AclRule[] = cfg.anonymous;
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === "user") {
      const name = rest.join(" ");
      if (!name) return problems.push(`line ${i + 1}: user needs a name`);
      current = cfg.users.get(name) ?? [];
      cfg.users.set(name, current);
      return;
    }
    if (keyword !== "topic" && keyword !== "pattern") return problems.push(`line ${i + 1}: unknown keyword "${keyword}"`);
    const access: Access = ACCESS.has(rest[0] as Access) && rest.length > 1 ? (rest.shift() as Access) : "readwrite";
    const topic = rest.join(" ");
    if (!topic || !validFilter(topic)) return problems.push(`line ${i + 1}: "${topic}" is not a valid topic filter`);
    const rule: AclRule = { access, topic, pattern: keyword === "pattern", line: i + 1 };
    (keyword === "pattern" ? cfg.patterns : current).push(rule);
  });
  return problems.length > 0 ? fail(problems.join("; ")) : ok(cfg);
}

function validFilter(f: string): boolean {
  const levels = f.split("/");
  return levels.every((l, i) => (l.includes("#") ? l === "#" && i === levels.length - 1 : !l.includes("+") || l === "+"));
}

/** Reads and parses an ACL file; throws MQTT_AUTH_FILE_INVALID. */
export async function loadAclFile(path: string): Promise<AclConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new GatewayError("MQTT_AUTH_FILE_INVALID", `cannot read ACL file ${path}`, { cause: err, context: { path } });
  }
  const parsed = parseAcl(text);
  if (!parsed.ok) throw new GatewayError("MQTT_AUTH_FILE_INVALID", `ACL file ${path}: ${parsed.reason}`, { context: { path, problems: parsed.reason.split("; ") } });
  return parsed.value;
}

const UNSAFE = /[/+#]/;

/** The rules that apply to one client, with substitutions done; computed once per connection. */
export function rulesFor(cfg: AclConfig, username: string | undefined, clientId: string): AclRule[] {
  const own = username === undefined ? cfg.anonymous : (cfg.users.get(username) ?? []);
  const out = [...own];
  for (const p of cfg.patterns) {
    if (p.topic.includes("%u") && (username === undefined || UNSAFE.test(username) || username.includes("\0"))) continue;
    if (p.topic.includes("%c") && (UNSAFE.test(clientId) || clientId.includes("\0"))) continue;
    out.push({ ...p, topic: p.topic.replaceAll("%u", username ?? "").replaceAll("%c", clientId) });
  }
  return out;
}

/** Publish check: a write rule must match the topic and no deny rule may. */
export function canPublish(rules: readonly AclRule[], topic: string): AclDecision {
  let allowed = false;
  for (const r of rules) {
    if (!matches(r.topic, topic)) continue;
    if (r.access === "deny") return { allowed: false, reason: `deny rule line ${r.line}` };
    if (r.access === "write" || r.access === "readwrite") allowed = true;
  }
  return allowed ? { allowed, reason: "write rule" } : { allowed, reason: "no write rule matches the topic" };
}

/** Subscribe check: a read rule must cover the whole filter and no deny rule may. */
export function canSubscribe(rules: readonly AclRule[], filter: string): AclDecision {
  let allowed = false;
  for (const r of rules) {
    if (r.access === "deny" && covers(r.topic, filter)) return { allowed: false, reason: `deny rule line ${r.line}` };
    if ((r.access === "read" || r.access === "readwrite") && covers(r.topic, filter)) allowed = true;
  }
  return allowed ? { allowed, reason: "read rule" } : { allowed, reason: "no read rule covers the filter" };
}

/** Per-message read check, needed only when a deny rule could cut into an allowed subscription. */
export function canRead(rules: readonly AclRule[], topic: string): boolean {
  let allowed = false;
  for (const r of rules) {
    if (!matches(r.topic, topic)) continue;
    if (r.access === "deny") return false;
    if (r.access === "read" || r.access === "readwrite") allowed = true;
  }
  return allowed;
}
