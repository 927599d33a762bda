import { describe, expect, it } from "vitest";
import { canPublish, canRead, canSubscribe, parseAcl, rulesFor } from "../../../adapters/mqtt/auth/acl.js";
import { covers, isValidTopicName, matches } from "../../../adapters/mqtt/auth/topic-match.js";

describe("topic matching (MQTT 3.1.1 §4.7)", () => {
  it.each([
    ["a/b/c", "a/b/c", true],
    ["a/+/c", "a/b/c", true],
    ["a/+", "a/b/c", false],
    ["a/#", "a/b/c", true],
    ["a/#", "a", true], // [MQTT-4.7.1-2] # also matches the parent level
    ["#", "a/b", true],
    ["#", "$SYS/x", false], // [MQTT-4.7.2-1]
    ["+/x", "$SYS/x", false],
    ["$SYS/#", "$SYS/x", true],
    ["a/b", "a/b/c", false],
    ["+", "", true],
  ])("matches(%s, %s) = %s", (filter, topic, want) => {
    expect(matches(filter, topic)).toBe(want);
  });

  it.each([
    ["rakelgw/demo/#", "rakelgw/demo/#", true],
    ["rakelgw/demo/#", "rakelgw/demo/links/+", true],
    ["rakelgw/demo/#", "#", false],
    ["rakelgw/demo/#", "rakelgw/#", false],
    ["rakelgw/+/state", "rakelgw/+/state", true],
    ["rakelgw/+/state", "rakelgw/#", false],
    ["rakelgw/x/state", "rakelgw/+/state", false],
    ["#", "$SYS/#", false],
    ["a/b", "a/b", true],
  ])("covers(%s, %s) = %s", (pattern, filter, want) => {
    expect(covers(pattern, filter)).toBe(want);
  });

  it.each([
    ["a/b", true],
    ["a/+", false],
    ["a/#", false],
    ["", false],
    ["a\u0000b", false],
  ])("isValidTopicName(%j) = %s", (t, want) => expect(isValidTopicName(t)).toBe(want));
});

const ACL = `
# anonymous (loopback) clients
topic read rakelgw/site1/bridge/state

user county-board
topic write rakelgw/site1/bridge/request/#
topic read rakelgw/site1/#

user display-1
topic read rakelgw/site1/alerts/#
topic deny rakelgw/site1/alerts/secret/#

pattern readwrite devices/%u/#
pattern write clients/%c/status
`;

describe("ACL file (mosquitto acl_file format)", () => {
  const parsed = parseAcl(ACL);
  if (!parsed.ok) throw new Error(parsed.reason);
  const acl = parsed.value;

  it("parses users, anonymous rules and patterns", () => {
    expect(acl.anonymous).toHaveLength(1);
    expect([...acl.users.keys()]).toEqual(["county-board", "display-1"]);
    expect(acl.patterns).toHaveLength(2);
  });

  it.each([
    { who: "county-board", topic: "rakelgw/site1/bridge/request/alert/send", want: true },
    { who: "display-1", topic: "rakelgw/site1/bridge/request/alert/send", want: false },
    { who: "display-1", topic: "rakelgw/site1/alerts/42", want: false },
    { who: "display-1", topic: "devices/display-1/temp", want: true },
    { who: "display-1", topic: "devices/county-board/temp", want: false },
    { who: "display-1", topic: "clients/disp-c1/status", want: true },
    { who: undefined, topic: "rakelgw/site1/bridge/state", want: false },
  ])("publish by $who to $topic → $want", ({ who, topic, want }) => {
    expect(canPublish(rulesFor(acl, who, "disp-c1"), topic).allowed).toBe(want);
  });

  it.each([
    { who: "display-1", filter: "rakelgw/site1/alerts/#", want: true },
    { who: "display-1", filter: "rakelgw/site1/alerts/secret/#", want: false },
    { who: "display-1", filter: "#", want: false },
    { who: "county-board", filter: "rakelgw/site1/links/+", want: true },
    { who: undefined, filter: "rakelgw/site1/bridge/state", want: true },
    { who: undefined, filter: "rakelgw/site1/#", want: false },
    { who: "stranger", filter: "rakelgw/site1/alerts/#", want: false },
  ])("subscribe by $who to $filter → $want", ({ who, filter, want }) => {
    expect(canSubscribe(rulesFor(acl, who, "c1"), filter).allowed).toBe(want);
  });

  it("a deny rule cuts into an allowed wildcard subscription per message", () => {
    const rules = rulesFor(acl, "display-1", "c1");
    expect(canSubscribe(rules, "rakelgw/site1/alerts/#").allowed).toBe(true);
    expect(canRead(rules, "rakelgw/site1/alerts/7")).toBe(true);
    expect(canRead(rules, "rakelgw/site1/alerts/secret/7")).toBe(false);
  });

  it("a substitution that would widen a pattern makes the rule not apply", () => {
    expect(rulesFor(acl, "display-1", "evil/#").some((r) => r.topic.includes("evil"))).toBe(false);
    expect(rulesFor(acl, undefined, "c1").some((r) => r.topic.startsWith("devices/"))).toBe(false);
  });

  it("names the deny rule's line in the reason", () => {
    expect(canSubscribe(rulesFor(acl, "display-1", "c"), "rakelgw/site1/alerts/secret/x").reason).toBe("deny rule line 11");
  });

  it.each([
    ["topic read a/#/b", "line 1"],
    ["topic read a/b+", "line 1"],
    ["frobnicate x", 'unknown keyword "frobnicate"'],
    ["user", "user needs a name"],
  ])("rejects %j with a line number", (text, reason) => {
    const r = parseAcl(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it("defaults the access to readwrite like mosquitto", () => {
    const r = parseAcl("user u\ntopic a/b");
    expect(r.ok && r.value.users.get("u")?.[0]?.access).toBe("readwrite");
  });
});
