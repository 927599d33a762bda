import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { builtCli } from "../helpers/run-cli.js";
import { makePki, type TestPki } from "../integration/mqtt/helpers/certs.js";
import { freePort, sleep, until } from "../integration/mqtt/helpers/procs.js";
import { RawClient, connectPacket, publishPacket, subscribePacket } from "../integration/mqtt/helpers/raw-mqtt.js";

/**
 * Issue 9: the running daemon (the built `rakelgw run`, simulated devices) attacked the way a hostile but ordinary
 * local client would — mqtt.js clients and hand-made packets on loopback over its TCP, TLS and WebSocket
 * listeners. Each `describe` is one item of the issue.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const BASE = "rakelgw/harden";
const PASS: Record<string, string> = { board: "board-pass", display: "display-pass", dev: "dev-pass", console: "console-pass" };
const ORIGIN = "https://status.site1.example";
let dir: string;
let pki: TestPki;
let ports: { tcp: number; ws: number; tls: number };
let daemon: ChildProcess;
let daemonOut = "";
let observer: MqttClient;
const bridgeStates: string[] = [];
const responses: { verb: string; body: Record<string, unknown> }[] = [];

async function writeConfig(): Promise<string> {
  const users = await Promise.all(Object.entries(PASS).map(async ([username, p]) => ({ username, hash: await hashPassword(p, { N: 1024, r: 8, p: 1 }) })));
  const config = {
    site: "harden",
    stateDir: join(dir, "state"),
    log: { level: "info" },
    mqtt: {
      baseTopic: BASE,
      broker: {
        listeners: [
          { kind: "tcp", host: "127.0.0.1", port: ports.tcp },
          { kind: "ws", host: "127.0.0.1", port: ports.ws, path: "/mqtt", allowedOrigins: [ORIGIN] },
          { kind: "tls", host: "127.0.0.1", port: ports.tls, certFile: pki.serverCert, keyFile: pki.serverKey, handshakeTimeoutMs: 1000 },
        ],
        users,
        acl: [`user board`, `topic write ${BASE}/bridge/request/#`, `topic read ${BASE}/#`, `user display`, `topic read ${BASE}/bridge/state`, `topic read ${BASE}/links/#`, `user dev`, `topic readwrite devices/#`, `user console`, `topic read ${BASE}/#`, ""].join("\n"),
        allowAnonymous: "off",
        stateDir: join(dir, "broker"),
        limits: { maxSessionsPerUser: 3, maxSessions: 6, maxOfflineQueue: 5, maxOfflineQueueBytes: 2500, maxQueuedTotal: 8, loginFailuresPerMinute: 5, connectTimeoutMs: 1500, maxPendingPerAddress: 8, maxConnections: 80 },
      },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal", talkgroups: { plan: "brand-ledningscentral-example" } }],
  };
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify(config));
  return path;
}

async function startDaemon(cfgPath: string): Promise<void> {
  daemon = spawn(process.execPath, [builtCli(), "run", "--config", cfgPath, "--allow-sim"], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  daemon.stdout!.on("data", (d: Buffer) => (daemonOut += d.toString()));
  daemon.stderr!.on("data", (d: Buffer) => (daemonOut += d.toString()));
  await until(() => bridgeStates.at(-1) === "online" && daemon.exitCode === null, 30_000, `the daemon online; output ${daemonOut.slice(-1500)}`);
}

async function stopDaemon(): Promise<void> {
  if (daemon.exitCode !== null) return;
  const exited = new Promise((r) => daemon.once("exit", r));
  daemon.kill("SIGTERM");
  await exited;
}

/** Connects once; resolves with the client or the CONNACK code / error that refused it. */
function tryConnect(url: string, o: IClientOptions, ms = 3000): Promise<{ client?: MqttClient; code?: number; error?: string }> {
  return new Promise((res) => {
    const c = connect(url, { reconnectPeriod: 0, connectTimeout: ms, ...o });
    const timer = setTimeout(() => (c.end(true), res({ error: "timeout" })), ms + 500);
    c.once("connect", () => (clearTimeout(timer), res({ client: c })));
    c.once("error", (err: Error & { code?: unknown }) => (clearTimeout(timer), c.end(true), res(typeof err.code === "number" ? { code: err.code } : { error: err.message })));
    c.once("close", () => setTimeout(() => (clearTimeout(timer), res({ error: "closed" })), 50));
  });
}

const readFileSyncUtf8 = (p: string): string => readFileSync(p, "utf8");
const tlsOpts = (): IClientOptions => ({ ca: [readFileSync(pki.caCert)], rejectUnauthorized: true, servername: "localhost" });

async function request(verb: string, payload: Record<string, unknown>, ms = 15_000): Promise<Record<string, unknown>> {
  const transaction = `t-${Math.random().toString(36).slice(2)}`;
  const board = await connectAs("board");
  await board.publishAsync(`${BASE}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
  board.end(true);
  await until(() => responses.some((r) => r.body["transaction"] === transaction), ms, `the ${verb} response`);
  return responses.find((r) => r.body["transaction"] === transaction)!.body;
}

async function connectAs(user: string, o: IClientOptions = {}): Promise<MqttClient> {
  const r = await tryConnect(`mqtt://127.0.0.1:${ports.tcp}`, { username: user, password: PASS[user], ...o });
  if (!r.client) throw new Error(`${user} could not log in: ${r.code ?? r.error}`);
  return r.client;
}

async function brokerPid(): Promise<number> {
  const h = await request("health", {});
  return (h["data"] as { broker: { pid: number } }).broker.pid;
}

/** kill -9 of the broker process; resolves once the gateway is online on the new one. */
async function crashBroker(before?: () => void): Promise<void> {
  const pid = await brokerPid();
  // The health request's client logged in and out; let the broker's state flush (≤ 50 ms) settle first.
  await sleep(300);
  const seen = bridgeStates.length;
  before?.();
  process.kill(pid, "SIGKILL");
  await until(() => bridgeStates.slice(seen).includes("online"), 30_000, "the gateway online on the restarted broker");
  await until(async () => (await brokerPid().catch(() => pid)) !== pid, 30_000, "a new broker pid");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-harden-"));
  pki = await makePki(join(dir, "pki"), [], { rsaServer: true });
  ports = { tcp: await freePort(), ws: await freePort(), tls: await freePort() };
  const cfg = await writeConfig();
  const attach = (): void => {
    observer = connect(`mqtt://127.0.0.1:${ports.tcp}`, { username: "console", password: PASS["console"], reconnectPeriod: 200, connectTimeout: 2000 });
    observer.on("message", (topic, payload, packet) => {
      if (topic === `${BASE}/bridge/state` && payload.length) bridgeStates.push((JSON.parse(payload.toString()) as { state: string }).state);
      else if (topic.startsWith(`${BASE}/bridge/response/`) && !packet.retain) responses.push({ verb: topic.slice(`${BASE}/bridge/response/`.length), body: JSON.parse(payload.toString()) as Record<string, unknown> });
    });
    observer.on("connect", () => void observer.subscribeAsync([`${BASE}/bridge/state`, `${BASE}/bridge/response/#`], { qos: 1 }));
  };
  const starting = startDaemon(cfg);
  attach();
  await starting;
}, 90_000);

afterAll(async () => {
  observer?.end(true);
  // SIGTERM: the daemon stops its broker process too, so nothing writes into the directory afterwards.
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once("exit", r));
    daemon.kill("SIGTERM");
    await Promise.race([exited, sleep(15_000)]);
    if (daemon.exitCode === null) daemon.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}, 30_000);

describe("1. the gateway's own connection cannot be taken over", () => {
  it("refuses the gateway's client-id prefix with CONNACK 2 on the TCP, WebSocket and TLS listeners; bridge/state never flips", async () => {
    const seen = bridgeStates.length;
    const ids = [`rakelgw-gateway-${daemon.pid}`, "rakelgw-gateway-0123456789abcdef"];
    const urls: [string, IClientOptions][] = [
      [`mqtt://127.0.0.1:${ports.tcp}`, {}],
      [`ws://127.0.0.1:${ports.ws}/mqtt`, {}],
      [`mqtts://127.0.0.1:${ports.tls}`, tlsOpts()],
    ];
    for (const [url, extra] of urls) {
      for (const clientId of ids) {
        const r = await tryConnect(url, { ...extra, clientId, username: "display", password: PASS["display"] });
        r.client?.end(true);
        expect({ url, clientId, code: r.code }).toEqual({ url, clientId, code: 2 });
      }
    }
    await sleep(500);
    expect(bridgeStates.slice(seen)).not.toContain("offline");
    expect(await request("health", {})).toMatchObject({ status: "ok" });
  }, 60_000);
});

describe("2. retained requests are never stored and run once", () => {
  it("runs a retained sds/send once: not again after a broker crash, nor after a daemon restart", async () => {
    const board = await connectAs("board");
    const transaction = "retained-sds-1";
    await board.publishAsync(`${BASE}/bridge/request/sds/send`, JSON.stringify({ transaction, to: "issi:2009999", status: 32771 }), { qos: 1, retain: true });
    board.end(true);
    const runs = (): number => responses.filter((r) => r.body["transaction"] === transaction).length;
    await until(() => runs() === 1, 10_000, "the first (only) run");
    expect(responses.find((r) => r.body["transaction"] === transaction)?.body).toMatchObject({ status: "ok" });

    // Nothing stored: a new subscriber to the request topics gets no retained message.
    const probe = await connectAs("board");
    const stored: string[] = [];
    probe.on("message", (t, _p, pkt) => pkt.retain && stored.push(t));
    await probe.subscribeAsync(`${BASE}/bridge/request/#`, { qos: 1 });
    await sleep(500);
    probe.end(true);
    expect(stored).toEqual([]);

    await crashBroker();
    await sleep(1500);
    expect(runs()).toBe(1);

    await stopDaemon();
    await startDaemon(join(dir, "config.json"));
    await sleep(1500);
    expect(runs()).toBe(1);
  }, 90_000);
});

describe("3. persistent sessions and queues are bounded", () => {
  it("answers an empty client id with clean session off with CONNACK 2 [MQTT-3.1.3-8]", async () => {
    const { client, returnCode } = await RawClient.connect(ports.tcp, { clientId: "", clean: false, username: "display", password: PASS["display"] });
    client.destroy();
    expect(returnCode).toBe(2);
    const ok = await RawClient.connect(ports.tcp, { clientId: "", clean: true, username: "display", password: PASS["display"] });
    ok.client.destroy();
    expect(ok.returnCode).toBe(0);
  });

  it("caps persistent sessions per user (CONNACK 3 for one more)", async () => {
    const codes: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const { client, returnCode } = await RawClient.connect(ports.tcp, { clientId: `disp-s${i}`, clean: false, username: "display", password: PASS["display"] });
      codes.push(returnCode);
      client.destroy();
    }
    expect(codes).toEqual([0, 0, 0, 3]);
  });

  it("caps queued bytes per session and queued messages in total, then refuses", async () => {
    const session = async (id: string, filter: string): Promise<void> => {
      const c = await connectAs("dev", { clientId: id, clean: false });
      await c.subscribeAsync(filter, { qos: 1 });
      await c.endAsync();
    };
    const drain = async (id: string): Promise<number> => {
      let n = 0;
      // The listener must be there before CONNACK: queued messages may come in the same read.
      const c = connect(`mqtt://127.0.0.1:${ports.tcp}`, { username: "dev", password: PASS["dev"], clientId: id, clean: false, reconnectPeriod: 0 });
      c.on("message", () => n++);
      await until(() => c.connected, 3000, `${id} connected`);
      await sleep(1500);
      await c.endAsync();
      return n;
    };
    await session("dev-q1", "devices/q/#");
    const pub = await connectAs("dev");
    for (let i = 0; i < 10; i++) await pub.publishAsync("devices/q/x", Buffer.alloc(1000, 65), { qos: 1 });
    // 2500 bytes per session: two 1000-byte messages (plus topics) fit, the rest is refused.
    expect(await drain("dev-q1")).toBe(2);

    await session("dev-q2", "devices/t/#");
    await session("dev-q3", "devices/t/#");
    for (let i = 0; i < 10; i++) await pub.publishAsync("devices/t/x", `m${i}`, { qos: 1 });
    pub.end(true);
    const [a, b] = [await drain("dev-q2"), await drain("dev-q3")];
    // Each message is queued for both sessions: after 4 messages the total budget of 8 is used up
    // (5 per session would have allowed 10).
    expect([a, b]).toEqual([4, 4]);
  }, 30_000);

  it("caps persistent sessions in total", async () => {
    // display holds 3, dev 3: the total of 6 is reached.
    const { client, returnCode } = await RawClient.connect(ports.tcp, { clientId: "board-s1", clean: false, username: "board", password: PASS["board"] });
    client.destroy();
    expect(returnCode).toBe(3);
  });

  it("starts clean, loudly, when a restored state is over budget, and does not crash again", async () => {
    const sessions: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) sessions[`crafted-${i}`] = { owner: "dev", subs: [{ topic: "devices/#", qos: 1 }], outgoing: [{ topic: "devices/x", payload: Buffer.alloc(200, 66).toString("base64"), qos: 1, retain: false }] };
    const file = join(dir, "broker", "broker-state.json");
    await crashBroker(() => writeFileSync(file, JSON.stringify({ version: 1, retained: [], sessions })));
    // The crafted session was not restored: CONNACK 0 without the session-present flag.
    const c = await RawClient.open(ports.tcp);
    c.socket.write(connectPacket({ clientId: "crafted-7", clean: false, username: "dev", password: PASS["dev"] }));
    const connack = await c.next(2, 3000);
    c.destroy();
    expect(connack.body[1]).toBe(0);
    expect((connack.body[0] ?? 1) & 1).toBe(0);
    // No crash loop: the same broker process is still up 2 s later.
    const pid = await brokerPid();
    await sleep(2000);
    expect(await brokerPid()).toBe(pid);
    expect(readdirSync(join(dir, "broker")).some((f) => f.startsWith("broker-state.json.over-budget-"))).toBe(true);
    expect(daemonOut).toContain("state-over-budget");
  }, 60_000);
});

describe("4. login throttling", () => {
  it("checks at most loginFailuresPerMinute passwords of 30 parallel bad logins for one user; others still log in", async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => RawClient.connect(ports.tcp, { clientId: `bad-${i}`, username: "intruder", password: "wrong" }).then((r) => (r.client.destroy(), r.returnCode), () => -1)));
    // CONNACK 4 means a password was checked. The others were refused before any check (CONNACK 3), or
    // closed as the oldest of more than maxPendingPerAddress connections from 127.0.0.1 still logging in.
    const checked = results.filter((c) => c === 4).length;
    expect(checked).toBeLessThanOrEqual(5);
    expect(results.filter((c) => c === 0)).toEqual([]);
    const ok = await connectAs("display");
    ok.end(true);
  }, 30_000);
});

describe("5. connections before login", () => {
  it("keeps logins working past 200 idle TCP sockets and closes TLS sockets that never handshake", async () => {
    const open = (port: number): Promise<Socket> =>
      new Promise((res, rej) => {
        const s = netConnect({ host: "127.0.0.1", port }, () => res(s));
        s.once("error", rej);
      });
    const idle: Socket[] = [];
    for (let i = 0; i < 200; i++) idle.push(await open(ports.tcp).catch(() => netConnect({ host: "127.0.0.1", port: 1 }).on("error", () => undefined)));
    const idleTls: Socket[] = [];
    for (let i = 0; i < 60; i++) idleTls.push(await open(ports.tls));
    for (const s of [...idle, ...idleTls]) s.on("error", () => undefined);
    // Our side sees each connect before the broker process has accepted it: let it catch up first (it keeps
    // the newest maxPendingPerAddress = 8 and closes the rest), or a login made meanwhile can itself be the
    // oldest pending socket when the last idle ones are accepted, and be closed as such (1 run in 4).
    const closed = (): number => [...idle, ...idleTls].filter((s) => s.destroyed || s.readyState === "closed").length;
    await until(() => closed() >= idle.length + idleTls.length - 8, 10_000, "the broker to accept the idle sockets and close all but 8");
    let logins = 0;
    for (let i = 0; i < 10; i++) {
      const r = await tryConnect(`mqtt://127.0.0.1:${ports.tcp}`, { username: "display", password: PASS["display"] });
      if (r.client) logins++;
      r.client?.end(true);
    }
    expect(logins).toBe(10);
    const t = await tryConnect(`mqtts://127.0.0.1:${ports.tls}`, { ...tlsOpts(), username: "display", password: PASS["display"] });
    expect(t.client).toBeDefined();
    t.client?.end(true);
    // Every idle socket is closed: the oldest to make room, the rest by the 1.5 s login timeout.
    await until(() => [...idle, ...idleTls].every((s) => s.destroyed || s.readyState === "closed"), 5000, "idle sockets closed by the broker");
  }, 60_000);
});

describe("6. smaller items", () => {
  it("closes the connection on a NUL character in a topic name or filter [MQTT-1.5.3-2]", async () => {
    const pub = await RawClient.connect(ports.tcp, { clientId: "nul-pub", username: "board", password: PASS["board"] });
    pub.client.socket.write(publishPacket(`${BASE}/bridge/request/health\u0000x`, Buffer.from("{}"), { qos: 1, id: 7 }));
    await Promise.race([pub.client.closed, sleep(3000)]);
    expect(pub.client.isClosed()).toBe(true);
    const sub = await RawClient.connect(ports.tcp, { clientId: "nul-sub", username: "display", password: PASS["display"] });
    sub.client.socket.write(subscribePacket(3, `${BASE}/links/\u0000`, 0));
    await Promise.race([sub.client.closed, sleep(3000)]);
    expect(sub.client.isClosed()).toBe(true);
  });

  it("reveals no absolute path in an error (talkgroups/check with plan '..')", async () => {
    for (const plan of ["..", ".", "no-such-plan"]) {
      const r = await request("talkgroups/check", { terminal: "terminal-1", plan });
      expect(r).toMatchObject({ status: "error", error: { code: "CFG_INVALID" } });
      const message = (r["error"] as { message: string }).message;
      expect(message).not.toMatch(/(^|[\s'"(=:])\/[A-Za-z]/);
      expect(message).not.toContain(ROOT);
    }
  });

  it("offers no TLS suite without forward secrecy (AES128-SHA) by default", async () => {
    const attempt = (ciphers?: string): Promise<string> =>
      new Promise((res) => {
        const s = tlsConnect({ host: "127.0.0.1", port: ports.tls, ca: readFileSyncUtf8(pki.caCert), servername: "localhost", maxVersion: "TLSv1.2", ...(ciphers ? { ciphers } : {}) }, () => {
          const name = s.getCipher().name;
          s.destroy();
          res(name);
        });
        s.once("error", (e: Error) => res(`error: ${e.message}`));
      });
    expect(await attempt("AES128-SHA")).toMatch(/^error/);
    expect(await attempt()).toMatch(/^ECDHE-RSA-/);
  });

  it("accepts WebSocket upgrades only from configured origins (and from non-browser clients)", async () => {
    const url = `ws://127.0.0.1:${ports.ws}/mqtt`;
    const creds = { username: "display", password: PASS["display"] };
    const evil = await tryConnect(url, { ...creds, wsOptions: { origin: "https://evil.example" } });
    evil.client?.end(true);
    expect(evil.client).toBeUndefined();
    const good = await tryConnect(url, { ...creds, wsOptions: { origin: ORIGIN } });
    expect(good.client).toBeDefined();
    good.client?.end(true);
    const plain = await tryConnect(url, creds);
    expect(plain.client).toBeDefined();
    plain.client?.end(true);
  });

  it("leaves no temp state files behind after a crash during writes", async () => {
    const brokerDir = join(dir, "broker");
    // What an earlier crash in the middle of a write leaves: both temp-name styles (pid 4194304 is above
    // the kernel's PID_MAX_LIMIT, so its writer is certainly gone).
    writeFileSync(join(brokerDir, "broker-state.json.4194304.deadbeef.tmp"), "{");
    writeFileSync(join(brokerDir, ".broker-state.json.4194304.cafebabe.tmp"), "{");
    const dev = await connectAs("dev");
    let i = 0;
    const writer = setInterval(() => void dev.publishAsync(`devices/r/${i++ % 50}`, `v${i}`, { qos: 1, retain: true }).catch(() => undefined), 2);
    await sleep(300);
    await crashBroker();
    clearInterval(writer);
    dev.end(true);
    await sleep(200);
    const current = await brokerPid();
    expect(readdirSync(brokerDir).filter((f) => f.endsWith(".tmp") && !f.includes(`.${current}.`))).toEqual([]);
  }, 40_000);
});
