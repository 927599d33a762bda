import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { API } from "../../../adapters/mqtt/api/payloads.js";
import type { VerbPayload } from "../../../src/ports/message-bus.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { runFixture } from "./helpers/node-script.js";
import { killAll, run, sleep, subscribed, type LineProc } from "./helpers/procs.js";
import { BASE, as, startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * The public topic API (docs/mqtt-interface.md) through real mosquitto clients: retained bridge state and its last
 * will, request → response with transaction echo, validation at the boundary, retained link/terminal state,
 * incoming SDS. Every payload the gateway publishes is checked against the schema in api/payloads.ts.
 */
let t: TestGateway;
const sdsCalls: VerbPayload<"sds/send">[] = [];
beforeAll(async () => {
  t = await startTestGateway();
  t.gw.bus.registerVerb("sds/send", (p) => {
    sdsCalls.push(p);
    if (p.to === "issi:999") return Promise.reject(new GatewayError("SDS_SEND_FAILED", "terminal not registered"));
    return Promise.resolve({ id: "sds-1", parts: 1 });
  });
  t.gw.bus.registerVerb("sms/send", () => Promise.resolve({ parts: 1 }));
  t.gw.bus.registerCustomVerb("alert/ack", Type.Object({ transaction: Type.Optional(Type.String()), id: Type.String() }, { additionalProperties: false }), (p) => Promise.resolve({ acked: p.id }));
}, 20_000);
afterAll(async () => t?.stop());
afterEach(() => killAll());

const responses = (): Promise<LineProc> => subscribed(as("county-board", t.port, ["-t", `${BASE}/bridge/response/#`, "-v", "-q", "1"]));
const request = (verb: string, payload: string | Buffer) => run("mosquitto_pub", as("county-board", t.port, ["-t", `${BASE}/bridge/request/${verb}`, "-s", "-q", "1"]), { input: payload });
const parse = (line: string): { topic: string; body: Record<string, unknown> } => ({ topic: line.slice(0, line.indexOf(" ")), body: JSON.parse(line.slice(line.indexOf(" ") + 1)) as Record<string, unknown> });

async function ask(verb: string, payload: string | Buffer): Promise<{ topic: string; body: Record<string, unknown> }> {
  const r = await responses();
  expect((await request(verb, payload)).code).toBe(0);
  const [line] = await r.waitFor((l) => l.length > 0, 3000, `response to ${verb}`);
  const got = parse(line ?? "");
  expect(Value.Check(API["bridge/response/+"].schema, got.body)).toBe(true);
  return got;
}

describe("bridge state", () => {
  it("is retained as online, with the schema's fields", async () => {
    const r = await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/bridge/state`, "-C", "1", "-W", "3", "-F", "%r %p"]));
    const [retained, payload] = [r.stdout.slice(0, 1), JSON.parse(r.stdout.slice(2)) as unknown];
    expect(retained).toBe("1");
    expect(Value.Check(API["bridge/state"].schema, payload)).toBe(true);
    expect(payload).toMatchObject({ state: "online" });
  });

});

describe("requests", () => {
  it("answers health with the transaction echoed", async () => {
    const { topic, body } = await ask("health", '{"transaction":"h-1"}');
    expect(topic).toBe(`${BASE}/bridge/response/health`);
    expect(body).toMatchObject({ transaction: "h-1", status: "ok", data: { state: "online", version: "0.1.0-test" } });
  });

  it("passes a validated sds/send to the injected handler", async () => {
    const { body } = await ask("sds/send", JSON.stringify({ transaction: "s-1", to: "issi:2345678", text: "Brand i Rosenlund", report: "received" }));
    expect(body).toEqual({ transaction: "s-1", status: "ok", data: { id: "sds-1", parts: 1 } });
    expect(sdsCalls.at(-1)).toEqual({ transaction: "s-1", to: "issi:2345678", text: "Brand i Rosenlund", report: "received" });
  });

  it("reports a handler's GatewayError code", async () => {
    const { body } = await ask("sds/send", JSON.stringify({ transaction: "s-2", to: "issi:999", status: 3 }));
    expect(body).toMatchObject({ transaction: "s-2", status: "error", error: { code: "SDS_SEND_FAILED" } });
  });

  it("serves custom verbs registered by the core", async () => {
    expect((await ask("alert/ack", '{"transaction":"k","id":"42"}')).body).toEqual({ transaction: "k", status: "ok", data: { acked: "42" } });
  });

  it.each([
    { title: "malformed JSON", verb: "sds/send", payload: '{"to":', code: "MQTT_BAD_JSON" },
    { title: "wrong types", verb: "sds/send", payload: '{"transaction":"w","to":42,"text":true}', code: "MQTT_BAD_PAYLOAD" },
    { title: "unknown fields", verb: "sms/send", payload: '{"to":"+46701234567","text":"x","bcc":"+1"}', code: "MQTT_BAD_PAYLOAD" },
    { title: "an AT injection in the MSISDN (docs/reliability.md #4)", verb: "sms/send", payload: '{"to":"0701234567\\r\\nAT+CMGD=1,4","text":"x"}', code: "MQTT_BAD_PAYLOAD" },
    { title: "an unknown verb", verb: "alert/frobnicate", payload: '{"transaction":"u"}', code: "MQTT_UNKNOWN_VERB" },
    { title: "an oversized request (20 KiB)", verb: "sds/send", payload: JSON.stringify({ to: "issi:1", text: "x".repeat(20_000) }), code: "MQTT_PAYLOAD_TOO_LARGE" },
  ])("refuses $title with $code and keeps running", async ({ verb, payload, code }) => {
    const before = sdsCalls.length;
    const { body } = await ask(verb, payload);
    expect(body).toMatchObject({ status: "error", error: { code } });
    expect(sdsCalls.length).toBe(before);
    expect((await ask("health", "{}")).body).toMatchObject({ status: "ok" });
  });
});

describe("state topics", () => {
  it("retains link and terminal state and publishes incoming SDS", async () => {
    t.gw.links.set("radio-1", "degraded", "2 of 5 commands timed out");
    await t.gw.bus.publishTerminalState("radio-1", { issi: "2345678", model: "MTP3550", registered: true });
    await sleep(200);
    const r = await run("mosquitto_sub", as("county-board", t.port, ["-t", `${BASE}/links/radio-1`, "-t", `${BASE}/terminals/radio-1`, "-C", "2", "-W", "3", "-v"]));
    const got = Object.fromEntries(r.stdout.trim().split("\n").map((l) => [parse(l).topic, parse(l).body]));
    expect(Value.Check(API["links/+"].schema, got[`${BASE}/links/radio-1`])).toBe(true);
    expect(got[`${BASE}/links/radio-1`]).toMatchObject({ state: "degraded", detail: "2 of 5 commands timed out" });
    expect(got[`${BASE}/terminals/radio-1`]).toEqual({ issi: "2345678", model: "MTP3550", registered: true });

    const sds = await subscribed(as("county-board", t.port, ["-t", `${BASE}/sds/received`, "-q", "1"]));
    await t.gw.bus.publishSdsReceived({ from: "2345678", to: "1000001", hex: "8204D2", payload: { kind: "status", value: 32771 } });
    const [line] = await sds.waitFor((l) => l.length > 0, 3000, "sds/received");
    expect(Value.Check(API["sds/received"].schema, JSON.parse(line ?? ""))).toBe(true);
  });

  it("refuses a terminal id that would make a wildcard topic", async () => {
    await expect(t.gw.bus.publishTerminalState("radio/+", {})).rejects.toThrow(/cannot be a topic segment/);
  });
});

// Last, because it leaves the retained bridge state at `offline` (the gateway's own client is still connected).
describe("last will", () => {
  it("turns offline through the last will when the gateway's client is killed (kill -9)", async () => {
    const watcher = await subscribed(as("display-1", t.port, ["-t", `${BASE}/bridge/state`, "-v"]));
    const fixture = runFixture("bridge-client.ts", { PORT: String(t.gw.ports["internal"]), PASSWORD: t.gw.broker.internalPassword, BASE });
    await fixture.waitFor((l) => l.includes("ready"), 10_000, "fixture ready");
    await fixture.kill("SIGKILL");
    const lines = await watcher.waitFor((l) => l.some((x) => x.includes('"state":"offline"')), 5000, "offline will");
    const offline = lines.find((x) => x.includes('"state":"offline"'))!;
    expect(Value.Check(API["bridge/state"].schema, JSON.parse(offline.slice(offline.indexOf(" ") + 1)))).toBe(true);
  });
});
