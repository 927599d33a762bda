import { describe, expect, it } from "vitest";
import { LoginThrottle } from "../../../adapters/mqtt/broker/login-throttle.js";
import { RateLimitedLog } from "../../../adapters/mqtt/broker/rate-limited-log.js";
import { checkBaseTopic, isAnswerableVerb, segment, verbOf } from "../../../adapters/mqtt/api/topics.js";
import type { Logger } from "../../../src/shared/logger.js";

describe("LoginThrottle", () => {
  it("blocks a user on an address after the limit, not its neighbours, and forgets after a minute", () => {
    let now = 0;
    const t = new LoginThrottle(3, 100, () => now);
    for (let i = 0; i < 3; i++) t.fail("127.0.0.1", "display-1");
    expect(t.blocked("127.0.0.1", "display-1")).toBe(true);
    expect(t.blocked("127.0.0.1", "county-board")).toBe(false);
    now = 61_000;
    expect(t.blocked("127.0.0.1", "display-1")).toBe(false);
  });

  it("blocks the whole address when it scans many usernames", () => {
    const t = new LoginThrottle(3);
    for (let i = 0; i < 30; i++) t.fail("10.0.0.9", `user${i}`);
    expect(t.blocked("10.0.0.9", "anyone")).toBe(true);
  });

  it("stays bounded in memory", () => {
    const t = new LoginThrottle(3, 50);
    for (let i = 0; i < 1000; i++) t.fail(`10.0.${i >> 8}.${i & 255}`, "u");
    expect((t as unknown as { failures: Map<string, unknown> }).failures.size).toBeLessThanOrEqual(50);
  });
});

describe("RateLimitedLog", () => {
  it("logs the first N per key and window, then one suppressed line", () => {
    const lines: unknown[] = [];
    const log = { warn: (o: unknown, m: string) => lines.push([o, m]) } as unknown as Logger;
    let now = 0;
    const rl = new RateLimitedLog(log, 2, 1000, () => now);
    for (let i = 0; i < 10; i++) rl.warn("k", { i }, "denied");
    rl.warn("other", { i: 99 }, "denied");
    expect(lines).toHaveLength(3);
    now = 1500;
    rl.warn("k", { i: 10 }, "denied");
    expect(lines.slice(3)).toEqual([[{ key: "k", suppressed: 8, windowMs: 1000 }, "similar log lines suppressed"], [{ i: 10 }, "denied"]]);
  });
});

describe("topics", () => {
  it.each([
    ["rakelgw/site1/bridge/request/sds/send", "sds/send"],
    ["rakelgw/site1/bridge/request/", undefined],
    ["rakelgw/site1/bridge/response/sds/send", undefined],
    ["rakelgw/site2/bridge/request/health", undefined],
  ])("verbOf(%s) = %s", (t, v) => expect(verbOf("rakelgw/site1", t)).toBe(v));

  it.each([
    ["health", true],
    ["talkgroups/check", true],
    ["a/b/c/d/e", false],
    ["a//b", false],
    ["x".repeat(65), false],
  ])("isAnswerableVerb(%s) = %s", (v, want) => expect(isAnswerableVerb(v)).toBe(want));

  it("refuses wildcards and slashes in segments and base topics", () => {
    expect(segment("radio-1", "link")).toBe("radio-1");
    for (const bad of ["a/b", "+", "#", "", "x".repeat(65)]) expect(() => segment(bad, "link")).toThrow(/cannot be a topic segment/);
    expect(checkBaseTopic("rakelgw/site1")).toBe("rakelgw/site1");
    for (const bad of ["$SYS/x", "a/+/b", "a//b", "/a"]) expect(() => checkBaseTopic(bad)).toThrow(/not valid/);
  });
});
