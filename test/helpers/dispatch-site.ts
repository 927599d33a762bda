import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { SimModem } from "../../adapters/gsm-sms/sim/sim-modem.js";
import { SimTerminal, type SimTerminalConfig } from "../../adapters/rakel-pei/sim/index.js";
import { runOnPty, type PtySession } from "../../adapters/shared-kits/simulator/pty-runner.js";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { freePort } from "../integration/mqtt/helpers/procs.js";
import { builtCli } from "./run-cli.js";

/**
 * A whole site for the dispatch e2e tests: the daemon (`rakelgw run`, its own process, killable with -9),
 * the simulated terminal and modem in this process behind real pseudo-terminals (socat), a real Mosquitto
 * as the regional broker, and MQTT clients on both brokers.
 */
const ROOT = resolve(import.meta.dirname, "../..");
export const BASE = "rakelgw/e2e";
export const REMOTE = "region/e2e";

const gone = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

export async function until<T>(fn: () => T | undefined | false, ms: number, what: string, extra = (): string => ""): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${extra()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Mosquitto {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startMosquitto(dir: string): Promise<Mosquitto> {
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  let child: ChildProcess | undefined;
  const m: Mosquitto = {
    port,
    start: async () => {
      child = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
      for (let i = 0; i < 200; i++) {
        if (await canConnect(port)) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error("mosquitto did not start");
    },
    stop: async () => {
      if (!child || gone(child)) return;
      const c = child;
      await new Promise((r) => {
        c.once("exit", r);
        c.kill("SIGKILL");
      });
    },
  };
  await m.start();
  return m;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), res(true)));
    s.once("error", () => res(false));
  });
}

export interface SiteOptions {
  roster: unknown;
  dispatch?: Record<string, unknown>;
  sim?: Partial<SimTerminalConfig>;
  uplink?: boolean;
  /** More top-level site config (e.g. `sip` and `conferences`). */
  extra?: Record<string, unknown>;
  /** More `rakelgw run` arguments (e.g. `--allow-sim` for the simulated SIP agent). */
  daemonArgs?: string[];
}

export class DispatchSite {
  dir = "";
  daemon: ChildProcess | undefined;
  out = "";
  terminal!: SimTerminal;
  modem!: SimModem;
  mosquitto: Mosquitto | undefined;
  local: MqttClient | undefined;
  upstream: MqttClient | undefined;
  readonly retained = new Map<string, Record<string, unknown>>();
  readonly upstreamLog: { topic: string; body: Record<string, unknown> }[] = [];
  readonly responses: Record<string, unknown>[] = [];
  private ptys: PtySession[] = [];
  private cfgPath = "";
  private port = 0;
  private daemonArgs: string[] = [];

  async start(o: SiteOptions): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), "rakelgw-dispatch-"));
    this.terminal = new SimTerminal({ config: { airDelayMs: 10, reportDelayMs: 30, registrationDelayMs: 50, maxSdsPerMinute: 100_000, ...o.sim } });
    this.modem = new SimModem({ config: { registrationDelayMs: 50 } });
    const tty = join(this.dir, "tty-terminal");
    const mdm = join(this.dir, "tty-modem");
    this.ptys.push(await runOnPty(tty, this.terminal), await runOnPty(mdm, this.modem));
    if (o.uplink) this.mosquitto = await startMosquitto(this.dir);
    this.port = await freePort();
    this.daemonArgs = o.daemonArgs ?? [];
    writeFileSync(join(this.dir, "roster.json"), JSON.stringify(o.roster));
    const config = {
      site: "e2e",
      stateDir: join(this.dir, "state"),
      log: { level: "info" },
      mqtt: {
        baseTopic: BASE,
        broker: {
          listeners: [{ kind: "tcp", host: "127.0.0.1", port: this.port }],
          users: [{ username: "ops", hash: await hashPassword("ops-pass") }],
          acl: `user ops\ntopic readwrite ${BASE}/#\n`,
          allowAnonymous: "off",
          stateDir: join(this.dir, "broker"),
        },
        ...(this.mosquitto
          ? {
              uplink: {
                urls: [`mqtt://127.0.0.1:${this.mosquitto.port}`],
                remoteBase: REMOTE,
                queueDir: join(this.dir, "uplink"),
                bridge: [
                  { direction: "in", topic: "bridge/request/#", localPrefix: `${BASE}/`, remotePrefix: `${REMOTE}/` },
                  { direction: "out", topic: "bridge/response/#", localPrefix: `${BASE}/`, remotePrefix: `${REMOTE}/` },
                ],
              },
            }
          : {}),
      },
      terminals: [{ id: "terminal-1", port: tty }],
      modems: [{ id: "modem-1", port: mdm }],
      dispatch: { roster: "roster.json", ackTimeoutS: 5, activators: [{ sds: "2009999" }, { sms: "+46709999999" }], answers: { status: { "32772": "coming", "32773": "not-coming" } }, ...o.dispatch },
      ...o.extra,
    };
    mkdirSync(join(this.dir, "state"), { recursive: true });
    this.cfgPath = join(this.dir, "config.json");
    writeFileSync(this.cfgPath, JSON.stringify(config));
    this.startDaemon();
    this.local = await this.connectLocal();
    if (this.mosquitto) await this.connectUpstream();
  }

  startDaemon(): void {
    this.daemon = spawn(process.execPath, [builtCli(), "run", "--config", this.cfgPath, ...this.daemonArgs], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: kill -9 takes the broker child with it, as systemd's cgroup kill does.
      detached: true,
    });
    this.daemon.stdout!.on("data", (d: Buffer) => (this.out += d.toString()));
    this.daemon.stderr!.on("data", (d: Buffer) => (this.out += d.toString()));
  }

  /**
   * Waits until the daemon answers `health` with its terminal and modem ready (after a (re)start). Asked,
   * not read from retained topics, so a client that reconnects in the middle never misses it.
   */
  async ready(): Promise<void> {
    const end = Date.now() + 60_000;
    for (;;) {
      const h = await this.request("health", {}, 2000).catch(() => undefined);
      const links = (h?.["data"] as { links?: Record<string, { state: string }> } | undefined)?.links;
      if (links?.["terminal-1"]?.state === "ready" && links["modem-1"]?.state === "ready") return;
      if (Date.now() > end) throw new Error(`timed out waiting for terminal and modem ready\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async kill9(): Promise<void> {
    const d = this.daemon;
    if (!d || gone(d)) return;
    await new Promise((r) => {
      d.once("exit", r);
      try {
        process.kill(-(d.pid ?? 0), "SIGKILL");
      } catch {
        d.kill("SIGKILL");
      }
    });
    for (const k of [...this.retained.keys()]) if (k.includes("/links/")) this.retained.delete(k);
  }

  tail(): string {
    return `daemon output:\n${this.out.slice(-3000)}`;
  }

  /** The topics a client connecting now would get as retained under `filter` (local broker or the regional one). */
  async retainedTopics(filter: string, where: "local" | "upstream" = "local"): Promise<string[]> {
    const c = where === "local" ? connect({ host: "127.0.0.1", port: this.port, username: "ops", password: "ops-pass", reconnectPeriod: 0 }) : connect({ host: "127.0.0.1", port: this.mosquitto!.port, reconnectPeriod: 0 });
    try {
      await new Promise<void>((res, rej) => (c.once("connect", () => res()), c.once("error", rej)));
      const topics: string[] = [];
      c.on("message", (topic, payload, packet) => packet.retain && payload.length > 0 && topics.push(topic));
      await c.subscribeAsync(filter, { qos: 1 });
      // Retained messages are sent right after SUBACK; a round trip of our own marks the end of them.
      await c.publishAsync(`${where === "local" ? BASE : REMOTE}/e2e-probe/${process.pid}`, "{}", { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
      return topics.sort();
    } finally {
      await c.endAsync(true);
    }
  }

  private connectLocal(): Promise<MqttClient> {
    return new Promise((res, rej) => {
      const deadline = Date.now() + 30_000;
      const c = connect({ host: "127.0.0.1", port: this.port, username: "ops", password: "ops-pass", reconnectPeriod: 300, connectTimeout: 2000 });
      c.on("message", (topic, payload) => {
        const body = payload.length ? (JSON.parse(payload.toString()) as Record<string, unknown>) : {};
        if (topic.startsWith(`${BASE}/bridge/response/`)) this.responses.push(body);
        else this.retained.set(topic, body);
      });
      c.on("connect", () => void c.subscribeAsync([`${BASE}/#`], { qos: 1 }).then(() => res(c)));
      const t = setInterval(() => {
        if (Date.now() > deadline && !c.connected) {
          clearInterval(t);
          rej(new Error(`local broker never accepted us\n${this.tail()}`));
        }
        if (c.connected) clearInterval(t);
      }, 200);
    });
  }

  private async connectUpstream(): Promise<void> {
    const c = connect({ host: "127.0.0.1", port: this.mosquitto!.port, reconnectPeriod: 200, clientId: `e2e-region-${process.pid}` });
    c.on("message", (topic, payload) => {
      const body = payload.length ? (JSON.parse(payload.toString()) as Record<string, unknown>) : {};
      this.upstreamLog.push({ topic, body });
    });
    await new Promise<void>((r) => c.once("connect", () => r()));
    await c.subscribeAsync([`${REMOTE}/#`], { qos: 1 });
    c.on("connect", () => void c.subscribeAsync([`${REMOTE}/#`], { qos: 1 }));
    this.upstream = c;
  }

  async request(verb: string, payload: Record<string, unknown>, ms = 15_000): Promise<Record<string, unknown>> {
    const transaction = `t-${Math.random().toString(36).slice(2)}`;
    await this.local!.publishAsync(`${BASE}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
    return until(() => this.responses.find((r) => r["transaction"] === transaction), ms, `the ${verb} response`, () => this.tail());
  }

  alert(id: string): { state: string; code: string; recipients: { person?: string; address?: string; state: string; answer?: string; attempts: { channel: string; address: string; result: string }[] }[]; summary: Record<string, number> } | undefined {
    return this.retained.get(`${BASE}/alerts/${id}`) as never;
  }

  /** Texts the simulated terminal sent to an SSI (individual or group). */
  sdsTo(ssi: string): string[] {
    return this.terminal.sent.filter((s) => Number(s.ssi) === Number(ssi)).map((s) => s.text ?? "");
  }

  smsTo(msisdn: string): string[] {
    return this.modem.sent.filter((s) => s.to.replace(/^\+/, "") === msisdn.replace(/^\+/, "")).map((s) => s.text ?? "");
  }

  async stop(): Promise<void> {
    this.local?.end(true);
    this.upstream?.end(true);
    await this.kill9();
    for (const p of this.ptys) await p.stop();
    await this.mosquitto?.stop();
    this.terminal?.stop();
    this.modem?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
