import { describe, expect, it } from "vitest";
import { LoopGuard, compileRules, mapIn, mapOut } from "../../../adapters/mqtt/uplink/bridge-rules.js";

const compiled = compileRules([
  { direction: "out", topic: "alerts/#", qos: 1, localPrefix: "rakelgw/site1/", remotePrefix: "region/north/site1/" },
  { direction: "in", topic: "#", qos: 1, localPrefix: "rakelgw/site1/inbound/", remotePrefix: "region/north/broadcast/" },
  { direction: "both", topic: "shared/+", qos: 0, localPrefix: "rakelgw/site1/", remotePrefix: "region/north/", retain: true },
]);
if (!compiled.ok) throw new Error(compiled.reason);
const rules = compiled.value;

describe("bridge rules (mosquitto bridge `topic` semantics)", () => {
  it.each([
    ["rakelgw/site1/alerts/7", { topic: "region/north/site1/alerts/7", qos: 1, retain: undefined }],
    ["rakelgw/site1/alerts", { topic: "region/north/site1/alerts", qos: 1, retain: undefined }],
    ["rakelgw/site1/shared/x", { topic: "region/north/shared/x", qos: 0, retain: true }],
    ["rakelgw/site1/links/ip", undefined],
    ["rakelgw/site1/inbound/x", undefined],
  ])("out: %s", (local, want) => expect(mapOut(rules, local)).toEqual(want));

  it.each([
    ["region/north/broadcast/fire", { topic: "rakelgw/site1/inbound/fire", qos: 1, retain: undefined }],
    ["region/north/shared/x", { topic: "rakelgw/site1/shared/x", qos: 0, retain: true }],
    ["region/north/site1/alerts/7", undefined],
  ])("in: %s", (remote, want) => expect(mapIn(rules, remote)).toEqual(want));

  it("refuses wildcards in prefixes and invalid filters", () => {
    const r = compileRules([{ direction: "out", topic: "a/#/b", qos: 1, localPrefix: "x/+/", remotePrefix: "" }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/wildcards.*not a valid filter/);
  });
});

describe("LoopGuard", () => {
  it("swallows exactly one echo per injected message, within the TTL", () => {
    let now = 0;
    const g = new LoopGuard(1000, 100, () => now);
    const p = Buffer.from("x");
    g.remember("a/b", p);
    g.remember("a/b", p);
    expect(g.isEcho("a/b", p)).toBe(true);
    expect(g.isEcho("a/b", p)).toBe(true);
    expect(g.isEcho("a/b", p)).toBe(false);
    g.remember("a/b", p);
    expect(g.isEcho("a/b", Buffer.from("y"))).toBe(false);
    now = 2000;
    expect(g.isEcho("a/b", p)).toBe(false);
  });

  it("drops fingerprints older than the TTL as new ones come, not only at the size cap", () => {
    let now = 0;
    const g = new LoopGuard(1000, 10_000, () => now);
    for (let i = 0; i < 500; i++) g.remember(`t/${i}`, Buffer.from("p"));
    now = 600;
    g.remember("t/again", Buffer.from("p"));
    expect(g.size).toBe(501);
    now = 1500;
    g.remember("t/late", Buffer.from("p"));
    // The first 500 are past the TTL; the one remembered at 600 is not.
    expect(g.size).toBe(2);
    expect(g.isEcho("t/again", Buffer.from("p"))).toBe(true);
    expect(g.isEcho("t/late", Buffer.from("p"))).toBe(true);
  });

  it("stays bounded", () => {
    const g = new LoopGuard(60_000, 10);
    for (let i = 0; i < 100; i++) g.remember(`t/${i}`, Buffer.from("p"));
    expect(g.isEcho("t/0", Buffer.from("p"))).toBe(false);
    expect(g.isEcho("t/99", Buffer.from("p"))).toBe(true);
  });
});
