import { describe, expect, it } from "vitest";
import { lineAor, renderAccounts, renderBaresipConfig } from "../../../adapters/sip-conference/baresip-config.js";
import { parseBaresipEvent, toCallEvent } from "../../../adapters/sip-conference/baresip-events.js";
import { SipConfigSchema } from "../../../adapters/sip-conference/sip-config.js";
import { validateAgainst } from "../../../src/config/validate.js";

const sip = validateAgainst(SipConfigSchema, { listen: "127.0.0.1:5060", audio: { source: "alsa,plughw:1", player: "alsa,plughw:1" } }, "sip");
const broker = { host: "127.0.0.1", port: 1883, username: "sip-agent-x", password: "s3cret", clientId: "rakelgw-sip-x", baseTopic: "rakelgw-sip-x" };

describe("baresip config from the gateway's sip section", () => {
  it("loads g711, the audio driver, account, menu and mqtt; no stdio, no ausine; points mqtt at the broker", () => {
    const text = renderBaresipConfig(sip, broker);
    const lines = text.split("\n");
    expect(lines).toContain("sip_listen 127.0.0.1:5060");
    expect(lines).toContain("audio_source alsa,plughw:1");
    expect(lines).toEqual(expect.arrayContaining(["module g711.so", "module alsa.so", "module_app account.so", "module_app menu.so", "module_app mqtt.so"]));
    expect(lines).toEqual(expect.arrayContaining(["mqtt_broker_port 1883", "mqtt_broker_user sip-agent-x", "mqtt_broker_password s3cret", "mqtt_basetopic rakelgw-sip-x"]));
    expect(text).not.toMatch(/stdio|ausine|cons\.so/);
  });

  it("aufile devices load aufile", () => {
    const text = renderBaresipConfig({ listen: sip.listen, audio: { source: "aufile,/srv/silence.wav", player: "aufile,/dev/null" } }, broker);
    expect(text).toContain("module aufile.so");
    expect(text).not.toContain("alsa.so");
  });

  it("one account per conference line; without a registrar nothing registers", () => {
    const text = renderAccounts(sip, [{ id: "rsk", answer: "manual" }, { id: "lsk", answer: "manual" }], undefined);
    expect(text).toBe("<sip:rakelgw-rsk@127.0.0.1:5060>;answermode=manual;regint=0\n<sip:rakelgw-lsk@127.0.0.1:5060>;answermode=manual;regint=0\n");
    expect(lineAor(sip, "rsk")).toBe("sip:rakelgw-rsk@127.0.0.1:5060");
  });

  it("with a registrar: the first line registers, every line authenticates through it", () => {
    const withReg = validateAgainst(SipConfigSchema, { account: { user: "lc-sthlm", domain: "pbx.example", registrar: "sip:pbx.example", authUser: "lc-sthlm", password: { env: "X" } } }, "sip");
    const text = renderAccounts(withReg, [{ id: "rsk", answer: "manual" }, { id: "lsk", answer: "manual" }], "pw");
    const [a, b] = text.trim().split("\n");
    expect(a).toBe('<sip:lc-sthlm-rsk@pbx.example>;answermode=manual;regint=600;outbound="sip:pbx.example;lr";auth_user=lc-sthlm;auth_pass=pw');
    expect(b).toContain("regint=0;");
  });

  it("the schema refuses ausine and other drivers that cannot feed an 8 kHz call", () => {
    expect(() => validateAgainst(SipConfigSchema, { audio: { source: "ausine,440" } }, "sip")).toThrow(expect.objectContaining({ code: "CFG_INVALID" }));
  });
});

describe("baresip events", () => {
  it.each([
    ['{"type":"CALL_RINGING","accountaor":"sip:a@b","direction":"outgoing","id":"c1"}', { kind: "ringing", line: "rsk", callId: "c1" }],
    ['{"type":"CALL_ESTABLISHED","accountaor":"sip:a@b","id":"c1"}', { kind: "established", line: "rsk", callId: "c1" }],
    ['{"type":"CALL_CLOSED","accountaor":"sip:a@b","id":"c1","param":"486 Busy Here"}', { kind: "closed", line: "rsk", callId: "c1", reason: "486 Busy Here" }],
    ['{"type":"CALL_INCOMING","accountaor":"sip:a@b","id":"c2","peeruri":"sip:x@y"}', { kind: "incoming", line: "rsk", callId: "c2", from: "sip:x@y" }],
  ])("%s", (json, want) => {
    const e = parseBaresipEvent(json);
    expect(e.ok).toBe(true);
    if (e.ok) expect(toCallEvent(e.value, "rsk")).toEqual(want);
  });

  it("ignores SDP/RTCP events and incoming ringing", () => {
    const e = parseBaresipEvent('{"type":"CALL_RTCP","accountaor":"sip:a@b"}');
    expect(e.ok && toCallEvent(e.value, "rsk")).toBeUndefined();
    const r = parseBaresipEvent('{"type":"CALL_RINGING","direction":"incoming"}');
    expect(r.ok && toCallEvent(r.value, "rsk")).toBeUndefined();
  });

  it.each(["not json", "[]", '{"no":"type"}', "null"])("bad payload %s is a parse failure, not a throw", (p) => {
    expect(parseBaresipEvent(p).ok).toBe(false);
  });
});

describe("phone-side voice activity from VU_RX_REPORT levels", () => {
  it("speaks at the threshold, is quiet after the hang time below it", async () => {
    const { SpeechDetector, rxLevelOf } = await import("../../../adapters/sip-conference/baresip-events.js");
    const d = new SpeechDetector(-40, 1000);
    expect(d.level(-84, 0)).toBeUndefined();
    expect(d.level(-15, 500)).toBe(true);
    expect(d.level(-15, 1000)).toBeUndefined();
    expect(d.level(-84, 1500)).toBeUndefined();
    expect(d.level(-84, 1999)).toBeUndefined();
    expect(d.level(-84, 2000)).toBe(false);
    expect(d.level(-40, 2500)).toBe(true);
    expect(d.reset()).toBe(false);
    expect(d.reset()).toBeUndefined();
    const e = parseBaresipEvent('{"type":"VU_RX_REPORT","class":"VU_REPORT","accountaor":"sip:a@b","param":"-15.27"}');
    expect(e.ok && rxLevelOf(e.value)).toBe(-15.27);
    const tx = parseBaresipEvent('{"type":"VU_TX_REPORT","param":"-15.27"}');
    expect(tx.ok && rxLevelOf(tx.value)).toBeUndefined();
  });

  it("the agent config loads vumeter with its stderr bar off", () => {
    expect(renderBaresipConfig(sip, broker)).toContain("module vumeter.so\nvumeter_stderr no\n");
  });
});
