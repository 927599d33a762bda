import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { builtCli } from "../helpers/run-cli.js";

/**
 * The daemon as systemd runs it (`rakelgw run --config FILE`, here with --allow-sim on simulated devices),
 * talked to only over MQTT with real clients: request/response verbs, retained state, a graceful stop.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const BASE = "rakelgw/e2e";
let dir: string;
let port: number;
let daemon: ChildProcess;
let daemonErr = "";
let client: MqttClient;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => res(p));
    });
  });
}

async function until<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\ndaemon stderr: ${daemonErr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const retained = new Map<string, unknown>();
const responses: { topic: string; body: Record<string, unknown> }[] = [];

function request(verb: string, payload: Record<string, unknown>, ms = 15_000): Promise<Record<string, unknown>> {
  const transaction = `t-${Math.random().toString(36).slice(2)}`;
  client.publish(`${BASE}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
  return until(() => responses.find((r) => r.body["transaction"] === transaction)?.body, ms, `the ${verb} response`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-daemon-"));
  port = await freePort();
  const config = {
    site: "e2e",
    stateDir: join(dir, "state"),
    log: { level: "info" },
    mqtt: {
      baseTopic: BASE,
      broker: {
        listeners: [{ kind: "tcp", host: "127.0.0.1", port }],
        users: [{ username: "ops", hash: await hashPassword("ops-pass") }],
        acl: `user ops\ntopic readwrite ${BASE}/#\n`,
        allowAnonymous: "off",
        stateDir: join(dir, "broker"),
      },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal", talkgroups: { plan: "brand-ledningscentral-example" } }],
    modems: [{ id: "modem-1", port: "sim:modem" }],
    http: { listen: "127.0.0.1:0" },
  };
  const cfgPath = join(dir, "config.json");
  writeFileSync(cfgPath, JSON.stringify(config));
  daemon = spawn(process.execPath, [builtCli(), "run", "--config", cfgPath, "--allow-sim"], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  daemon.stderr!.on("data", (d: Buffer) => (daemonErr += d.toString()));
  client = await new Promise<MqttClient>((res, rej) => {
    const deadline = Date.now() + 20_000;
    const attempt = (): void => {
      const c = connect({ host: "127.0.0.1", port, username: "ops", password: "ops-pass", reconnectPeriod: 0, connectTimeout: 2000 });
      c.once("connect", () => res(c));
      c.once("error", () => {
        c.end(true);
        if (Date.now() > deadline) rej(new Error(`daemon broker never accepted us: ${daemonErr.slice(-2000)}`));
        else setTimeout(attempt, 200);
      });
      c.once("close", () => undefined);
    };
    attempt();
  });
  // Latest payload per topic (retained state and the live sds/received stream), responses in order.
  client.on("message", (topic, payload) => {
    const body = payload.length ? (JSON.parse(payload.toString()) as Record<string, unknown>) : {};
    if (topic.startsWith(`${BASE}/bridge/response/`)) responses.push({ topic, body });
    else retained.set(topic, body);
  });
  await client.subscribeAsync([`${BASE}/#`], { qos: 1 });
}, 40_000);

afterAll(async () => {
  client?.end(true);
  if (daemon && daemon.exitCode === null) {
    daemon.kill("SIGKILL");
    await new Promise((r) => daemon.once("exit", r));
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("rakelgw run, driven over MQTT", () => {
  it("publishes the retained bridge state, link states and terminal state", async () => {
    const state = await until(() => retained.get(`${BASE}/bridge/state`) as Record<string, unknown> | undefined, 15_000, "bridge/state");
    expect(state).toMatchObject({ state: "online", simulated: true });
    const link = await until(() => ((retained.get(`${BASE}/links/terminal-1`) as { state?: string } | undefined)?.state === "ready" ? true : undefined), 15_000, "terminal-1 ready");
    expect(link).toBe(true);
    await until(() => ((retained.get(`${BASE}/links/modem-1`) as { state?: string } | undefined)?.state === "ready" ? true : undefined), 15_000, "modem-1 ready");
    expect(retained.get(`${BASE}/terminals/terminal-1`)).toMatchObject({ id: "terminal-1", issi: "2001234", mode: { name: "tmo" } });
  });

  it("answers health with every link and the terminal's state", async () => {
    const r = await request("health", {});
    expect(r).toMatchObject({ status: "ok", data: { state: "online", site: "e2e", links: { "terminal-1": { state: "ready" }, "modem-1": { state: "ready" } } } });
  });

  it("sends an SDS on sds/send and publishes the simulated peer's answer on sds/received", async () => {
    const r = await request("sds/send", { to: "issi:2009999", text: "Samverkan 16:00 via MQTT", report: "received" });
    expect(r).toMatchObject({ status: "ok", data: { terminal: "terminal-1", parts: 1 } });
    // The simulated peer's delivery report arrives as an incoming SDS-REPORT.
    await until(() => (retained.get(`${BASE}/sds/received`) as { kind?: string } | undefined)?.kind === "report" || undefined, 10_000, "the delivery report on sds/received");
  });

  it("refuses bad requests with an error code and does nothing", async () => {
    // MQTT_BAD_PAYLOAD is answered by the validation in front of the handlers: the handler never ran.
    const bad = await request("sds/send", { to: "issi:2345678;AT+CTOM=1", text: "x" });
    expect(bad).toMatchObject({ status: "error", error: { code: "MQTT_BAD_PAYLOAD" } });
    const both = await request("sds/send", { to: "issi:2009999", text: "x", status: 32770 });
    expect(both).toMatchObject({ status: "error", error: { code: "MQTT_BAD_PAYLOAD" } });
    const unknown = await request("no/such/verb", {});
    expect(unknown).toMatchObject({ status: "error", error: { code: "MQTT_UNKNOWN_VERB" } });
    const wrongTerminal = await request("sds/send", { terminal: "nope", to: "issi:1", status: 32770 });
    expect(wrongTerminal).toMatchObject({ status: "error", error: { code: "CFG_UNKNOWN_TARGET" } });
  });

  it("sends an SMS on sms/send through the modem", async () => {
    const r = await request("sms/send", { to: "+46701234567", text: "Larm via MQTT", report: true });
    expect(r).toMatchObject({ status: "ok", data: { modem: "modem-1" } });
  });

  it("runs a talk-group check on talkgroups/check and retains the result", async () => {
    const r = await request("talkgroups/check", { terminal: "terminal-1" }, 30_000);
    expect(r).toMatchObject({ status: "ok", data: { method: "list", restored: true } });
    const groups = (r["data"] as { groups: { gssi: number; status: string }[] }).groups;
    expect(groups.find((g) => g.gssi === 9001)?.status).toBe("present");
    await until(() => retained.get(`${BASE}/talkgroups/terminal-1/check`), 5000, "the retained check");
  });

  it("stops on SIGTERM, leaving bridge/state offline", async () => {
    daemon.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => daemon.once("exit", (c) => r(c)));
    expect(code).toBe(0);
    // The last publish may still be on its way to us when the process has exited.
    await until(() => ((retained.get(`${BASE}/bridge/state`) as { state?: string } | undefined)?.state === "offline" ? true : undefined), 3000, "bridge/state offline");
  }, 20_000);
});
