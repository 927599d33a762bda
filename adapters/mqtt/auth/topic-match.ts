/**
 * MQTT topic matching for ACLs (MQTT 3.1.1 §4.7). `matches` answers "does this filter match this topic";
 * `covers` answers "does every topic this subscription filter can match also match the ACL pattern", which
 * is what a subscribe must satisfy: `rakelgw/demo/#` covers `rakelgw/demo/links/+` but not `#`.
 * Patterns starting with a wildcard never match topics starting with `$` ([MQTT-4.7.2-1]).
 */
export function matches(filter: string, topic: string): boolean {
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === "#") return true; // also matches the parent level itself [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic matched by subscription `filter` is also matched by ACL `pattern`. */
export function covers(pattern: string, filter: string): boolean {
  if (filter.startsWith("$") && (pattern.startsWith("+") || pattern.startsWith("#"))) return false;
  const p = pattern.split("/");
  const f = filter.split("/");
  for (let i = 0; i < p.length; i++) {
    const pl = p[i];
    if (pl === "#") return true;
    const fl = f[i];
    if (fl === undefined) return false;
    if (fl === "#") return false; // only a `#` in the pattern can cover a `#` in the filter
    if (pl === "+") continue; // covers a literal level and a `+`
    if (fl === "+" || pl !== fl) return false;
  }
  return p.length === f.length;
}

/** True when a topic name (for PUBLISH) contains no wildcard, no NUL and is not empty ([MQTT-3.3.2-2]). */
export function isValidTopicName(topic: string): boolean {
  return topic.length > 0 && !/[+#]/.test(topic) && !topic.includes("\0");
}
