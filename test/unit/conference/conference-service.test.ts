import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { ConferenceConfig } from "../../../src/conference/conference-config.js";
import { ConferenceRegistry } from "../../../src/conference/conference-registry.js";
import { type ConferencePatch, ConferenceService, type ConferenceServiceDeps } from "../../../src/conference/conference-service.js";
import type { ConferenceStateJson } from "../../../src/conference/conference-state.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { FakeClock } from "../../helpers/fake-clock.js";
import { FakeBridge } from "./fake-bridge.js";

const confs: ConferenceConfig[] = [
  { id: "rsk", name: "Regional samverkanskonferens", uri: "sip:konferens@bridge.example", pin: "4711#", pinDelayMs: 2500, talkgroup: "9001" },
  { id: "lsk", name: "Länsstyrelsen", uri: "sip:lan@bridge.example", pin: "12,3*", pinDelayMs: 1000 },
  { id: "kom", name: "Kommun", uri: "sip:kom@bridge.example", pinDelayMs: 0 },
];

function setup(extra: Partial<ConferenceServiceDeps> = {}, list = confs) {
  const clock = new FakeClock();
  const bridge = new FakeBridge(list.map((c) => c.id));
  const published: ConferenceStateJson[] = [];
  const svc = new ConferenceService({ bridge, registry: new ConferenceRegistry(list), log: silentLogger(), clock, publish: (s) => published.push(s), random: () => 0.5, ...extra });
  const states = (id: string) => published.filter((p) => p.id === id).map((p) => p.state);
  return { clock, bridge, svc, published, states };
}

describe("ConferenceService: join", () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it("dials, waits pinDelayMs after the answer, sends the PIN key by key, then is in-conference", async () => {
    const s = t.svc.join("rsk");
    expect(s.state).toBe("dialling");
    expect(t.bridge.commands).toEqual(["dial rsk sip:konferens@bridge.example"]);
    await t.clock.tick(10);
    t.bridge.answerCall("rsk");
    await t.clock.tick(2400);
    expect(t.bridge.keys.get("rsk")).toBeUndefined();
    await t.clock.tick(200);
    expect(t.bridge.keys.get("rsk")).toBe("4");
    await t.clock.tick(5000);
    expect(t.bridge.keys.get("rsk")).toBe("4711#");
    expect(t.svc.get("rsk").state).toBe("in-conference");
    expect(t.states("rsk").at(-1)).toBe("in-conference");
  });

  it("participants lists what the gateway knows: its own leg (the site) while in the conference, nobody otherwise", async () => {
    const u = setup({ site: "sos-stockholm" });
    expect(u.svc.get("kom").participants).toEqual([]);
    u.svc.join("kom");
    expect(u.svc.get("kom").participants).toEqual([]);
    u.bridge.answerCall("kom");
    await u.clock.tick(10);
    const s = u.svc.get("kom");
    expect(s.state).toBe("in-conference");
    expect(s.participants).toEqual([{ who: "sos-stockholm", since: s.since }]);
    expect(u.published.filter((p) => p.id === "kom").at(-1)?.participants).toEqual([{ who: "sos-stockholm", since: s.since }]);
    await u.svc.leave("kom");
    expect(u.svc.get("kom").participants).toEqual([]);
  });

  it("honours pauses written as ',' in the PIN; keys are spaced by interDigitMs", async () => {
    t.svc.join("lsk");
    t.bridge.answerCall("lsk");
    await t.clock.tick(1000);
    expect(t.bridge.keys.get("lsk")).toBe("1");
    await t.clock.tick(250);
    expect(t.bridge.keys.get("lsk")).toBe("12");
    await t.clock.tick(990);
    expect(t.bridge.keys.get("lsk")).toBe("12");
    await t.clock.tick(10);
    expect(t.bridge.keys.get("lsk")).toBe("123");
    await t.clock.tick(250);
    expect(t.bridge.keys.get("lsk")).toBe("123*");
    expect(t.svc.get("lsk").state).toBe("in-conference");
  });

  it("an answer that arrives before the agent acknowledged the dial starts no answer timer", async () => {
    const u = setup({ answerTimeoutMs: 1000 });
    u.svc.join("kom");
    u.bridge.answerCall("kom");
    await u.clock.tick(5000);
    expect(u.svc.get("kom").state).toBe("in-conference");
    expect(u.bridge.commands).not.toContain("hangup kom");
  });

  it("joining again is idempotent", () => {
    t.svc.join("kom");
    t.svc.join("kom");
    expect(t.bridge.dials()).toBe(1);
  });

  it("unknown conference: SIP_UNKNOWN_CONFERENCE", () => {
    expect(() => t.svc.join("nope")).toThrow(expect.objectContaining({ code: "SIP_UNKNOWN_CONFERENCE" }));
  });

  it("two at once; a third is refused with SIP_CONFERENCE_LIMIT", () => {
    t.svc.join("rsk");
    t.svc.join("lsk");
    try {
      t.svc.join("kom");
      expect.unreachable();
    } catch (err) {
      expect(isGatewayError(err, "SIP_CONFERENCE_LIMIT")).toBe(true);
    }
  });

  it("a third is allowed when configured", () => {
    const u = setup({ maxSimultaneous: 3 });
    u.svc.join("rsk");
    u.svc.join("lsk");
    expect(u.svc.join("kom").state).toBe("dialling");
  });
});

describe("ConferenceService: failures, retry, rejoin", () => {
  it("busy is retried with backoff, bounded, then failed with the SIP reason", async () => {
    const t = setup({ retry: { attempts: 3, baseMs: 1000, capMs: 8000 } });
    t.svc.join("kom");
    t.bridge.call({ kind: "closed", line: "kom", reason: "486 Busy Here" });
    expect(t.svc.get("kom").detail).toMatch(/busy/);
    await t.clock.tick(999);
    expect(t.bridge.dials()).toBe(1);
    await t.clock.tick(1);
    expect(t.bridge.dials()).toBe(2);
    t.bridge.call({ kind: "closed", line: "kom", reason: "486 Busy Here" });
    await t.clock.tick(3000);
    expect(t.bridge.dials()).toBe(3);
    t.bridge.call({ kind: "closed", line: "kom", reason: "486 Busy Here" });
    await t.clock.tick(60000);
    expect(t.bridge.dials()).toBe(3);
    expect(t.svc.get("kom")).toMatchObject({ state: "failed", detail: "486 Busy Here" });
  });

  it("no answer within the answer timeout hangs up and retries", async () => {
    const t = setup({ answerTimeoutMs: 5000, retry: { attempts: 2, baseMs: 100, capMs: 100 } });
    t.svc.join("kom");
    t.bridge.call({ kind: "ringing", line: "kom", callId: "x" });
    await t.clock.tick(5000);
    expect(t.bridge.commands).toContain("hangup kom");
    await t.clock.tick(100);
    expect(t.bridge.dials()).toBe(2);
    await t.clock.tick(5100);
    expect(t.svc.get("kom")).toMatchObject({ state: "failed" });
    expect(t.svc.get("kom").detail).toMatch(/no answer/);
  });

  it("a definite refusal (404) fails at once", () => {
    const t = setup();
    t.svc.join("kom");
    t.bridge.call({ kind: "closed", line: "kom", reason: "404 Not Found" });
    expect(t.svc.get("kom")).toMatchObject({ state: "failed", detail: "404 Not Found" });
    expect(t.svc.join("kom").state).toBe("dialling");
  });

  it("far-end hang-up: ended, then rejoined while still wanted", async () => {
    const t = setup({ rejoinDelayMs: 2000 });
    t.svc.join("kom");
    t.bridge.answerCall("kom");
    await t.clock.tick(10);
    expect(t.svc.get("kom").state).toBe("in-conference");
    t.bridge.call({ kind: "closed", line: "kom", reason: "Connection reset by peer" });
    expect(t.svc.get("kom")).toMatchObject({ state: "ended", detail: "Connection reset by peer" });
    await t.clock.tick(2000);
    expect(t.bridge.dials()).toBe(2);
    expect(t.svc.get("kom").state).toBe("dialling");
  });

  it("a far end that keeps hanging up is not rejoined for ever", async () => {
    const t = setup({ rejoinDelayMs: 10, retry: { attempts: 2, baseMs: 10, capMs: 10 } });
    t.svc.join("kom");
    for (let i = 0; i < 3; i++) {
      t.bridge.answerCall("kom");
      await t.clock.tick(1);
      t.bridge.call({ kind: "closed", line: "kom", reason: "BYE" });
      await t.clock.tick(20);
    }
    expect(t.svc.get("kom").state).toBe("failed");
  });

  it("leave hangs up, goes idle, and a later far-end close does not rejoin", async () => {
    const t = setup();
    t.svc.join("kom");
    t.bridge.answerCall("kom");
    await t.clock.tick(10);
    const s = await t.svc.leave("kom");
    expect(s.state).toBe("idle");
    expect(t.bridge.commands).toContain("hangup kom");
    t.bridge.call({ kind: "closed", line: "kom", reason: "BYE" });
    await t.clock.tick(60000);
    expect(t.bridge.dials()).toBe(1);
  });

  it("a PIN that cannot be sent hangs up and retries", async () => {
    const t = setup({ retry: { attempts: 2, baseMs: 100, capMs: 100 } });
    t.bridge.failDtmf = true;
    t.svc.join("rsk");
    t.bridge.answerCall("rsk");
    await t.clock.tick(2600);
    expect(t.bridge.commands).toContain("hangup rsk");
    await t.clock.tick(200);
    expect(t.bridge.dials()).toBe(2);
  });

  it("agent lost mid-call: ended, redialled when the agent is back", async () => {
    const t = setup();
    t.svc.join("kom");
    t.bridge.answerCall("kom");
    await t.clock.tick(10);
    t.bridge.setHealth("disconnected", "baresip exited");
    expect(t.svc.get("kom")).toMatchObject({ state: "ended" });
    expect(t.svc.get("kom").detail).toMatch(/SIP agent lost/);
    t.bridge.setHealth("ready");
    expect(t.bridge.dials()).toBe(2);
  });

  it("join while the agent is down waits for it", () => {
    const t = setup();
    t.bridge.setHealth("disconnected", "starting");
    t.svc.join("kom");
    expect(t.bridge.dials()).toBe(0);
    expect(t.svc.get("kom").detail).toMatch(/waiting for the SIP agent/);
    t.bridge.setHealth("ready");
    expect(t.bridge.dials()).toBe(1);
  });
});

describe("ConferenceService: PIN sources and secrecy", () => {
  it("reads the PIN from a file or an environment variable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "conf-pin-"));
    writeFileSync(join(dir, "pin"), "98#\n");
    const list: ConferenceConfig[] = [
      { id: "a", name: "A", uri: "sip:a@b", pin: { file: join(dir, "pin") }, pinDelayMs: 0 },
      { id: "b", name: "B", uri: "sip:b@b", pin: { env: "CONF_B_PIN" }, pinDelayMs: 0 },
    ];
    const t = setup({ env: { CONF_B_PIN: "55*" } }, list);
    t.svc.join("a");
    t.svc.join("b");
    t.bridge.answerCall("a");
    t.bridge.answerCall("b");
    await t.clock.tick(5000);
    expect(t.bridge.keys.get("a")).toBe("98#");
    expect(t.bridge.keys.get("b")).toBe("55*");
  });

  it("a missing PIN file or variable refuses the join with SIP_PIN_UNAVAILABLE, naming no value", () => {
    const list: ConferenceConfig[] = [
      { id: "a", name: "A", uri: "sip:a@b", pin: { file: "/nonexistent/pin" }, pinDelayMs: 0 },
      { id: "b", name: "B", uri: "sip:b@b", pin: { env: "NOPE_PIN" }, pinDelayMs: 0 },
    ];
    const t = setup({ env: {} }, list);
    expect(() => t.svc.join("a")).toThrow(expect.objectContaining({ code: "SIP_PIN_UNAVAILABLE" }));
    expect(() => t.svc.join("b")).toThrow(expect.objectContaining({ code: "SIP_PIN_UNAVAILABLE" }));
  });

  it("never publishes or logs the PIN", async () => {
    const lines: string[] = [];
    const { pino } = await import("pino");
    const log = pino({ level: "trace" }, { write: (s: string) => lines.push(s) });
    const t = setup({ log });
    t.svc.join("rsk");
    t.bridge.answerCall("rsk");
    await t.clock.tick(10000);
    t.bridge.call({ kind: "closed", line: "rsk", reason: "BYE" });
    await t.svc.leave("rsk");
    const all = lines.join("\n") + JSON.stringify(t.published);
    expect(t.bridge.keys.get("rsk")).toBe("4711#");
    expect(all).not.toContain("4711");
  });
});

describe("ConferenceService: patch", () => {
  it("starts the patch when in-conference, publishes patchedTalkgroup, stops it on far-end hang-up and on leave", async () => {
    const log: string[] = [];
    const patch: ConferencePatch = {
      talkgroup: "9001",
      start: () => (log.push("start"), Promise.resolve()),
      stop: () => (log.push("stop"), Promise.resolve()),
      phoneSpeech: (a) => log.push(`speech ${a}`),
    };
    const t = setup({ patchFor: (c) => (c.talkgroup ? patch : undefined) });
    t.svc.join("rsk");
    t.bridge.answerCall("rsk");
    await t.clock.tick(10000);
    expect(t.svc.get("rsk").patchedTalkgroup).toBe("9001");
    expect(t.published.at(-1)?.patchedTalkgroup).toBe("9001");
    t.bridge.call({ kind: "speech", line: "rsk", active: true });
    t.bridge.call({ kind: "closed", line: "rsk", reason: "BYE" });
    await t.clock.tick(1);
    expect(t.svc.get("rsk").patchedTalkgroup).toBeUndefined();
    expect(log).toEqual(["start", "speech true", "stop"]);
    await t.clock.tick(2000);
    t.bridge.answerCall("rsk");
    await t.clock.tick(10000);
    await t.svc.stop();
    expect(log).toEqual(["start", "speech true", "stop", "start", "stop"]);
  });

  it("a patch that cannot start is stopped (de-keyed) and no longer published; the conference stays", async () => {
    const log: string[] = [];
    const patch: ConferencePatch = {
      talkgroup: "9001",
      start: () => Promise.reject(new Error("terminal gone")),
      stop: () => (log.push("stop"), Promise.resolve()),
      phoneSpeech: () => undefined,
    };
    const t = setup({ patchFor: () => patch });
    t.svc.join("rsk");
    t.bridge.answerCall("rsk");
    await t.clock.tick(10000);
    expect(t.svc.get("rsk")).toMatchObject({ state: "in-conference" });
    expect(t.svc.get("rsk").patchedTalkgroup).toBeUndefined();
    expect(t.published.at(-1)?.patchedTalkgroup).toBeUndefined();
    expect(log).toEqual(["stop"]);
  });
});
