import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { INTERNAL_USER } from "../../adapters/mqtt/broker/auth-hooks.js";
import { BaresipAgent } from "../../adapters/sip-conference/baresip-agent.js";
import { SipConfigSchema, type SipConfig } from "../../adapters/sip-conference/sip-config.js";
import { Gateway } from "../../src/app/gateway.js";
import { GatewayConfigSchema } from "../../src/app/gateway-config.js";
import { validateAgainst } from "../../src/config/validate.js";
import type { Logger } from "../../src/shared/logger.js";

/**
 * Real SIP on loopback: the gateway (with its own baresip) and a second baresip acting as the conference
 * bridge, both on the gateway's embedded broker. The bridge auto-answers lines `conf1`, `conf2` and leaves
 * `silent` ringing; every DTMF key it receives is collected per line from its events.
 */
export const BASE = "rakelgw/siptest";
const BRIDGE_TOPIC = "siptest-bridge";

/** Two SIP ports far apart (baresip picks RTP ports near its SIP port; adjacent agents collide). */
export function sipPorts(): { gateway: number; bridge: number } {
  const gateway = 20000 + 2 * Math.floor(Math.random() * 10000);
  return { gateway, bridge: gateway + 1000 + 2 * Math.floor(Math.random() * 500) };
}

export interface Loopback {
  gw: Gateway;
  bridge: BaresipAgent;
  /** DTMF keys the bridge got, by bridge line (`conf1`, …). */
  digits: Map<string, string>;
  /** Bridge-side call events (type per line). */
  bridgeEvents: { type: string; line: string | undefined }[];
  client: MqttClient;
  retained: Map<string, Record<string, unknown>>;
  request(verb: string, payload: Record<string, unknown>, ms?: number): Promise<Record<string, unknown>>;
  until<T>(fn: () => T | undefined, ms: number, what: string): Promise<T>;
  stop(): Promise<void>;
}

export async function until<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * An 8 kHz mono 16-bit WAV of silence. aufile paces the audio itself (20 ms frames); ALSA's `null` device
 * does not, and an unpaced source sent DTMF events so fast that the far end lost keys. aufile ends the call
 * at the end of the file, so it lasts longer than any test call.
 */
export function silenceWav(path: string, seconds: number, talk = false): string {
  const samples = 8000 * seconds;
  const b = Buffer.alloc(44 + samples * 2);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + samples * 2, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(samples * 2, 40);
  // `talk`: a 440 Hz tone (about -15 dBov) for 2 s, then 2 s of silence, over and over: a "phone side" that speaks.
  if (talk) for (let i = 0; i < samples; i++) if (Math.floor(i / 16000) % 2 === 0) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)), 44 + 2 * i);
  writeFileSync(path, b);
  return path;
}

export async function startLoopback(log: Logger, overrides: { pinDelayMs?: number; sip?: Record<string, unknown> } = {}): Promise<Loopback> {
  const dir = mkdtempSync(join(tmpdir(), "rakelgw-sip-"));
  const ports = sipPorts();
  const wav = silenceWav(join(dir, "silence.wav"), 300);
  const audio = { source: `aufile,${wav}`, player: "aufile,/dev/null" };
  // The bridge "speaks" (tone bursts) so the gateway sees the phone side's voice activity.
  const bridgeAudio = { source: `aufile,${silenceWav(join(dir, "talk.wav"), 300, true)}`, player: "aufile,/dev/null" };
  const bridgePass = randomBytes(12).toString("hex");
  const bridgeUri = (line: string) => `sip:bridge-${line}@127.0.0.1:${ports.bridge}`;
  const raw = {
    site: "siptest",
    stateDir: join(dir, "state"),
    mqtt: {
      baseTopic: BASE,
      broker: {
        listeners: [{ kind: "tcp", host: "127.0.0.1", port: 0 }],
        users: [{ username: "bridge", hash: await hashPassword(bridgePass) }],
        acl: `user bridge\ntopic readwrite /${BRIDGE_TOPIC}/#\ntopic readwrite ${BASE}/#\n`,
      },
    },
    terminals: [{ id: "t1", port: "sim:terminal" }],
    sip: {
      agent: "baresip",
      listen: `127.0.0.1:${ports.gateway}`,
      audio,
      answerTimeoutMs: 3000,
      retry: { attempts: 2, baseMs: 300, capMs: 600 },
      rejoinDelayMs: 300,
      interDigitMs: 250,
      restartBaseMs: 200,
      restartCapMs: 1000,
      ...overrides.sip,
    },
    conferences: [
      { id: "rsk", name: "Regional samverkanskonferens", uri: bridgeUri("conf1"), pin: "4711#", pinDelayMs: overrides.pinDelayMs ?? 1000, talkgroup: "9001" },
      { id: "lsk", name: "Länsstyrelsen", uri: bridgeUri("conf2"), pin: { env: "SIPTEST_LSK_PIN" }, pinDelayMs: overrides.pinDelayMs ?? 1000 },
      { id: "tyst", name: "Svarar inte", uri: bridgeUri("silent"), pin: "1#", pinDelayMs: 0 },
    ],
  };
  process.env["SIPTEST_LSK_PIN"] = "*2580#";
  const config = validateAgainst(GatewayConfigSchema, raw, "test config");
  const gw = await Gateway.start({ config, log, version: "test", allowSim: true });
  const brokerPort = gw.mqtt.ports["tcp-0"]!;
  const bridgeSip: SipConfig = validateAgainst(SipConfigSchema, { listen: `127.0.0.1:${ports.bridge}`, audio: bridgeAudio, account: { user: "bridge" } }, "bridge sip");
  const bridge = new BaresipAgent({
    name: "test-bridge",
    sip: bridgeSip,
    lines: [
      { id: "conf1", answer: "auto" },
      { id: "conf2", answer: "auto" },
      { id: "silent", answer: "manual" },
    ],
    dir: join(dir, "bridge"),
    agentBroker: { host: "127.0.0.1", port: brokerPort, username: "bridge", password: bridgePass, clientId: "siptest-bridge", baseTopic: BRIDGE_TOPIC },
    control: { host: "127.0.0.1", port: gw.mqtt.ports["internal"]!, username: INTERNAL_USER, password: gw.mqtt.broker.internalPassword },
    log: log.child({ side: "bridge" }),
  });
  const digits = new Map<string, string>();
  const bridgeEvents: { type: string; line: string | undefined }[] = [];
  const retained = new Map<string, Record<string, unknown>>();
  const responses: Record<string, unknown>[] = [];
  const client = connect({ host: "127.0.0.1", port: brokerPort, username: "bridge", password: bridgePass, clientId: `siptest-${process.pid}` });
  await new Promise<void>((res) => client.once("connect", () => res()));
  await client.subscribeAsync([`/${BRIDGE_TOPIC}/event`, `${BASE}/#`]);
  client.on("message", (topic, payload) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString()) as Record<string, unknown>;
    } catch {
      return;
    }
    if (topic === `/${BRIDGE_TOPIC}/event`) {
      const aor = typeof body["accountaor"] === "string" ? body["accountaor"] : "";
      const line = /^sip:bridge-([a-z0-9]+)@/.exec(aor)?.[1];
      bridgeEvents.push({ type: String(body["type"]), line });
      if (body["type"] === "CALL_DTMF_START" && line) digits.set(line, (digits.get(line) ?? "") + String(body["param"]));
    } else if (topic.startsWith(`${BASE}/bridge/response/`)) responses.push(body);
    else retained.set(topic, body);
  });
  await bridge.start();
  // The limit bounds a hang: on a loaded 2-core CI machine baresip's start and its control connection took
  // longer than 15 s once. The health of both agents goes into the error, so a failure says which one.
  const both = (): string => `bridge ${bridge.health.state} (${bridge.health.detail}; ${bridge.restarts} restarts), gateway ${gw.sipBridge?.health.state ?? "absent"} (${gw.sipBridge?.health.detail ?? ""})`;
  await until(() => (bridge.health.state === "ready" && gw.sipBridge?.health.state === "ready" ? true : undefined), 40_000, "both SIP agents ready").catch((err: unknown) => {
    throw new Error(`${(err as Error).message}: ${both()}`);
  });
  const request = async (verb: string, payload: Record<string, unknown>, ms = 10000) => {
    const transaction = `t-${Math.random().toString(36).slice(2)}`;
    await client.publishAsync(`${BASE}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
    return until(() => responses.find((r) => r["transaction"] === transaction), ms, `${verb} response`);
  };
  return {
    gw,
    bridge,
    digits,
    bridgeEvents,
    client,
    retained,
    request,
    until,
    stop: async () => {
      await client.endAsync(true);
      await bridge.stop();
      await gw.stop();
    },
  };
}

/** The retained conference state as last seen. */
export function conferenceState(lb: Loopback, id: string): Record<string, unknown> | undefined {
  return lb.retained.get(`${BASE}/conferences/${id}`);
}
