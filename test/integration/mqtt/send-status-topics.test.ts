import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { connect, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../../adapters/mqtt/auth/password-hash.js";
import { API } from "../../../adapters/mqtt/api/payloads.js";
import { Gateway } from "../../../src/app/gateway.js";
import { GatewayConfigSchema } from "../../../src/app/gateway-config.js";
import { validateAgainst } from "../../../src/config/validate.js";
import { silentLogger } from "../../../src/shared/logger.js";

/**
 * Issue 14 item 9: incoming SMS and the stages of sent SDS/SMS after the `ok` response reach MQTT
 * (`<base>/sms/received`, `<base>/sds/status`, `<base>/sms/status`), through the whole gateway on the
 * simulated terminal and modem, seen by a real mqtt.js client and checked against the topic schemas.
 */
const BASE = "rakelgw/status-test";
let dir: string;
let gw: Gateway;
let client: MqttClient;
const seen: { topic: string; body: Record<string, unknown> }[] = [];

async function until<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; seen: ${JSON.stringify(seen.map((s) => s.topic))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const on = (topic: string) => seen.filter((s) => s.topic === `${BASE}/${topic}`).map((s) => s.body);

async function request(verb: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const transaction = `t-${Math.random().toString(36).slice(2)}`;
  await client.publishAsync(`${BASE}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
  return until(() => seen.find((s) => s.topic === `${BASE}/bridge/response/${verb}` && s.body["transaction"] === transaction)?.body, 15_000, `the ${verb} response`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-status-"));
  const raw = {
    site: "status-test",
    stateDir: join(dir, "state"),
    mqtt: {
      baseTopic: BASE,
      broker: {
        listeners: [{ kind: "tcp", host: "127.0.0.1", port: 0 }],
        users: [{ username: "ops", hash: await hashPassword("ops-pass") }],
        acl: `user ops\ntopic readwrite ${BASE}/#\n`,
        stateDir: join(dir, "broker"),
      },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal" }],
    modems: [{ id: "modem-1", port: "sim:modem" }],
  };
  gw = await Gateway.start({ config: validateAgainst(GatewayConfigSchema, raw, "test config"), log: silentLogger(), version: "test", allowSim: true });
  client = connect({ host: "127.0.0.1", port: gw.mqtt.ports["tcp-0"]!, username: "ops", password: "ops-pass", reconnectPeriod: 0 });
  await new Promise<void>((res, rej) => {
    client.once("connect", () => res());
    client.once("error", rej);
  });
  client.on("message", (topic, payload) => seen.push({ topic, body: payload.length ? (JSON.parse(payload.toString()) as Record<string, unknown>) : {} }));
  await client.subscribeAsync([`${BASE}/#`], { qos: 1 });
  await until(() => (on("links/terminal-1").at(-1)?.["state"] === "ready" && on("links/modem-1").at(-1)?.["state"] === "ready") || undefined, 15_000, "both links ready");
}, 30_000);

afterAll(async () => {
  client?.end(true);
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("send status and incoming SMS on MQTT", () => {
  it("publishes each stage of an SDS after the ok response on sds/status, keyed by its id", async () => {
    const r = await request("sds/send", { to: "issi:2009999", text: "Samverkan 16:00", report: "received" });
    expect(r).toMatchObject({ status: "ok" });
    const id = (r["data"] as { id: string }).id;
    const mine = () => on("sds/status").filter((b) => b["id"] === id);
    await until(() => mine().some((b) => b["stage"] === "delivered") || undefined, 10_000, "the delivered stage");
    const stages = mine().map((b) => b["stage"]);
    expect(stages.indexOf("sent")).toBeGreaterThanOrEqual(0);
    expect(stages.indexOf("sent")).toBeLessThan(stages.indexOf("delivered"));
    for (const b of mine()) expect(Value.Check(API["sds/status"].schema, b), JSON.stringify(b)).toBe(true);
    expect(mine().at(-1)).toMatchObject({ terminal: "terminal-1", to: "issi:2009999", stage: "delivered", references: (r["data"] as { messageReferences: number[] }).messageReferences });
  });

  it("publishes the delivery of an SMS after the ok response on sms/status, keyed by its id", async () => {
    const r = await request("sms/send", { to: "+46701234567", text: "Larm via MQTT", report: true });
    expect(r).toMatchObject({ status: "ok" });
    const data = r["data"] as { id: string; references: number[] };
    const mine = () => on("sms/status").filter((b) => b["id"] === data.id);
    await until(() => mine().some((b) => b["stage"] === "delivered") || undefined, 10_000, "the delivered stage");
    for (const b of mine()) expect(Value.Check(API["sms/status"].schema, b), JSON.stringify(b)).toBe(true);
    expect(mine().at(-1)).toMatchObject({ modem: "modem-1", to: "+46701234567", stage: "delivered", references: data.references });
  });

  it("publishes an incoming SMS on sms/received", async () => {
    gw.modemSimulators.get("modem-1")!.deliverSms("+46709876543", "OK 4711 från stationen");
    const sms = await until(() => on("sms/received").find((b) => b["from"] === "+46709876543"), 10_000, "sms/received");
    expect(Value.Check(API["sms/received"].schema, sms), JSON.stringify(sms)).toBe(true);
    expect(sms).toMatchObject({ modem: "modem-1", text: "OK 4711 från stationen", complete: true, parts: 1 });
  });
});
