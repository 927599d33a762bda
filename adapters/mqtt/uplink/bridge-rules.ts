import { createHash } from "node:crypto";
import { fail, ok, type ParseResult } from "../../../src/shared/errors.js";
import { keepNewest } from "../../../src/shared/newest-map.js";
import { matches } from "../auth/topic-match.js";
import type { BridgeRule } from "../mqtt-config.js";

/**
 * Topic mapping between the local broker and the regional one, as in mosquitto's bridge
 * (`topic <pattern> <out|in|both> <qos> <local-prefix> <remote-prefix>`, mosquitto.conf(5)): a local
 * `rakelgw/site1/alerts/7` with rule {topic "alerts/#", localPrefix "rakelgw/site1/", remotePrefix
 * "region/north/site1/"} leaves as `region/north/site1/alerts/7`, and `in` rules map back the other way.
 */
export interface CompiledRule extends BridgeRule {
  localFilter: string;
  remoteFilter: string;
}

/** Where a message goes on the other side. */
export interface Mapped {
  topic: string;
  qos: 0 | 1;
  retain: boolean | undefined;
}

/** Checks the rules and precomputes their full filters. */
export function compileRules(rules: readonly BridgeRule[]): ParseResult<CompiledRule[]> {
  const problems: string[] = [];
  const out = rules.map((r, i) => {
    if (/[+#]/.test(r.localPrefix + r.remotePrefix)) problems.push(`/bridge/${i}: prefixes cannot contain wildcards`);
    const levels = r.topic.split("/");
    if (!levels.every((l, j) => (l.includes("#") ? l === "#" && j === levels.length - 1 : !l.includes("+") || l === "+"))) problems.push(`/bridge/${i}/topic: "${r.topic}" is not a valid filter`);
    return { ...r, localFilter: r.localPrefix + r.topic, remoteFilter: r.remotePrefix + r.topic };
  });
  return problems.length > 0 ? fail(problems.join("; ")) : ok(out);
}

function map(rules: readonly CompiledRule[], topic: string, dir: "out" | "in"): Mapped | undefined {
  for (const r of rules) {
    if (r.direction !== dir && r.direction !== "both") continue;
    const [from, to, filter] = dir === "out" ? [r.localPrefix, r.remotePrefix, r.localFilter] : [r.remotePrefix, r.localPrefix, r.remoteFilter];
    if (topic.startsWith(from) && matches(filter, topic)) return { topic: to + topic.slice(from.length), qos: r.qos, retain: r.retain };
  }
  return undefined;
}

/** Local topic → remote topic, by the first `out`/`both` rule that matches. */
export const mapOut = (rules: readonly CompiledRule[], localTopic: string): Mapped | undefined => map(rules, localTopic, "out");
/** Remote topic → local topic, by the first `in`/`both` rule that matches. */
export const mapIn = (rules: readonly CompiledRule[], remoteTopic: string): Mapped | undefined => map(rules, remoteTopic, "in");

/**
 * Loop prevention for `both` rules and overlapping in/out rules. MQTT 3.1.1 has no no-local flag, so a
 * message we inject into one broker comes back to our own subscription there; we remember a fingerprint
 * (topic + payload hash) of every message we inject and swallow exactly one matching arrival within `ttlMs`.
 * Bounded: fingerprints older than `ttlMs` are dropped as new ones come (a busy bridge held `max` of them
 * otherwise, 1.6 MiB of heap for 10,000, though none older than the TTL can match), and at most `max` at once,
 * oldest evicted first.
 */
export class LoopGuard {
  private readonly seen = new Map<string, { count: number; at: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly max = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  remember(topic: string, payload: Buffer): void {
    const k = key(topic, payload);
    const now = this.now();
    keepNewest(this.seen, k, { count: (this.seen.get(k)?.count ?? 0) + 1, at: now }, this.max, (old) => now - old.at > this.ttlMs);
  }

  /** Fingerprints held. */
  get size(): number {
    return this.seen.size;
  }

  /** True (and consumes one) when this exact message was injected by us recently. */
  isEcho(topic: string, payload: Buffer): boolean {
    const k = key(topic, payload);
    const e = this.seen.get(k);
    if (!e) return false;
    if (this.now() - e.at > this.ttlMs) {
      this.seen.delete(k);
      return false;
    }
    if (--e.count <= 0) this.seen.delete(k);
    return true;
  }
}

function key(topic: string, payload: Buffer): string {
  return createHash("sha1").update(topic).update("\u0000").update(payload).digest("base64");
}
