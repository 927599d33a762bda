import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, type MqttClient } from "mqtt";
import type { SimModem } from "../../adapters/gsm-sms/sim/sim-modem.js";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import type { SimTerminal } from "../../adapters/rakel-pei/sim/sim-terminal.js";
import { DAEMON_V8_FLAGS } from "../../src/app/daemon-v8-flags.js";
import { withMallocDefaults } from "../../src/shared/malloc-env.js";
import { PtyDevice, simModem, simTerminal, TERMINAL_ISSI } from "./devices.js";
import { freePort, killGroup, Mosquitto, sleep, until } from "./processes.js";
import { PROOF_ACTIVATOR_ISSI, PROOF_ACTIVATOR_MSISDN, PROOF_ROSTER } from "./workloads.js";

/**
 * The whole gateway as a command centre runs it, plus its surroundings:
 *
 *   proof runner ── simulated terminal + modem on real ptys (socat), byte logs kept across crashes
 *        │      ── a real Mosquitto: the regional broker, with a subscriber on the uplink's topics
 *        │      ── an MQTT client on the gateway's embedded broker (requests, bridged publishes)
 *        └──spawn── node dist/src/main.js run --config FILE   (its own process group: broker child too)
 *
 * The daemon runs from the build (`npm run build`), never from the sources. The probe preload
 * (daemon-probe.mjs) only measures (event-loop delay) and, for the clock proof, shifts the wall clock.
 */
export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "dist/src/main.js");
const PROBE = join(ROOT, "proof/harness/daemon-probe.mjs");
export const BASE = "rakelgw/proof";
export const REMOTE_BASE = "region/proof";
const USER = "proof";
const PASS = "proof-pass";

export interface RigOptions {
  /** The regional broker and the uplink (default true). */
  uplink?: boolean;
  /** A state directory chosen by the proof (a tmpfs mount in the power-cut proof). */
  stateDir?: string;
  /** Extra environment of the daemon (PROOF_CLOCK_FILE, PROOF_BLOCK_MS, …). */
  env?: Record<string, string>;
  /** Changes to the generated configuration. */
  tweak?: (config: Record<string, unknown>) => void;
  /**
   * The simulated terminal's SDS budget per minute (default its own 60, beyond which it answers CME 42):
   * proofs that dispatch alerts to up to 200 recipients raise it, as a dispatch site's terminal is not the
   * bottleneck they measure.
   */
  sdsPerMinute?: number;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export class Rig {
  readonly dir: string;
  readonly terminal: PtyDevice<SimTerminal>;
  readonly modem: PtyDevice<SimModem>;
  regional: Mosquitto | undefined;
  /** The gateway's embedded broker port. */
  port = 0;
  configPath = "";
  stateDir = "";
  daemon: ChildProcess | undefined;
  readonly exits: DaemonExit[] = [];
  /** When the proof's MQTT client on the embedded broker lost its connection (performance.now()). */
  readonly clientCloses: number[] = [];
  /** Every message seen on the regional broker's uplink topics: topic → arrival times. */
  readonly upstream = new Map<string, number[]>();
  /** Latest message per topic on the gateway's broker, and the sds/received stream. */
  readonly local = new Map<string, Buffer>();
  readonly sdsReceived: Record<string, unknown>[] = [];
  /** Proof keys found in the texts of the retained alert documents (`alerts/<id>`): the alert exists. */
  readonly alertTexts = new Set<string>();
  /** Every `links/<id>` state change seen, with its arrival time (performance.now()). */
  readonly linkEvents: { link: string; state: string; detail: string; at: number }[] = [];
  client: MqttClient | undefined;
  private regionalSub: MqttClient | undefined;
  private readonly responses = new Map<string, (body: Record<string, unknown>) => void>();
  private logFd = -1;
  starts = 0;

  private constructor(private readonly opts: RigOptions) {
    this.dir = mkdtempSync(join(tmpdir(), "rakelgw-proof-"));
    this.terminal = new PtyDevice(simTerminal(undefined, opts.sdsPerMinute), join(this.dir, "tty-terminal"));
    this.modem = new PtyDevice(simModem(), join(this.dir, "tty-modem"));
  }

  static async create(opts: RigOptions = {}): Promise<Rig> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
    const rig = new Rig(opts);
    await rig.terminal.plug();
    await rig.modem.plug();
    if (opts.uplink !== false) {
      rig.regional = await Mosquitto.start(rig.dir);
      rig.regionalSub = connect(rig.regional.url, { clientId: `proof-regional-${process.pid}`, clean: false, reconnectPeriod: 200 });
      rig.regionalSub.on("message", (topic) => {
        const list = rig.upstream.get(topic) ?? [];
        list.push(performance.now());
        rig.upstream.set(topic, list);
      });
      rig.regionalSub.on("connect", () => void rig.regionalSub?.subscribeAsync(`${REMOTE_BASE}/#`, { qos: 1 }));
      await until(() => (rig.regionalSub?.connected ? true : undefined), 10_000, "the regional subscriber");
      await rig.regionalSub.subscribeAsync(`${REMOTE_BASE}/#`, { qos: 1 });
    }
    rig.port = await freePort();
    rig.stateDir = opts.stateDir ?? join(rig.dir, "state");
    const config: Record<string, unknown> = {
      site: "proof",
      stateDir: rig.stateDir,
      log: { level: "info" },
      // A free port for the status page: two proofs (or a proof beside a running gateway) must not share 8088.
      http: { listen: "127.0.0.1:0" },
      mqtt: {
        baseTopic: BASE,
        broker: {
          listeners: [{ kind: "tcp", host: "127.0.0.1", port: rig.port }],
          users: [{ username: USER, hash: await hashPassword(PASS) }],
          acl: `user ${USER}\ntopic readwrite ${BASE}/#\n`,
          allowAnonymous: "off",
          stateDir: join(rig.stateDir, "broker"),
          limits: { publishRatePerSecond: 0 },
        },
        ...(rig.regional
          ? {
              uplink: {
                urls: [rig.regional.url],
                remoteBase: REMOTE_BASE,
                keepaliveSec: 2,
                deadAfterMs: 3000,
                backoffBaseMs: 200,
                backoffCapMs: 2000,
                queueDir: join(rig.stateDir, "uplink"),
                bridge: [{ direction: "out", topic: "events/#", localPrefix: `${BASE}/`, remotePrefix: `${REMOTE_BASE}/`, qos: 1 }],
              },
            }
          : {}),
      },
      terminals: [{ id: "terminal-1", port: rig.terminal.path, expectedIssi: TERMINAL_ISSI }],
      // 120 SMS a minute: the crash and soak proofs' alerts reach a few SMS recipients on top of sms/send.
      modems: [{ id: "modem-1", port: rig.modem.path, maxPerMinute: 120 }],
      // Alert dispatch (alertWorkloads): six one-person roles, activators by SDS and SMS. No receipts: they
      // would add an SMS per activation to a modem queue of 10 per minute and prove nothing more here.
      dispatch: { roster: "roster.json", activators: [{ sds: PROOF_ACTIVATOR_ISSI }, { sms: PROOF_ACTIVATOR_MSISDN }], reportTo: "none", ackTimeoutS: 5 },
    };
    writeFileSync(join(rig.dir, "roster.json"), JSON.stringify(PROOF_ROSTER, null, 2));
    opts.tweak?.(config);
    rig.configPath = join(rig.dir, "config.json");
    writeFileSync(rig.configPath, JSON.stringify(config, null, 2));
    mkdirSync(rig.stateDir, { recursive: true });
    rig.logFd = openSync(join(rig.dir, "daemon.log"), "a");
    return rig;
  }

  get daemonLog(): string {
    return readFileSync(join(this.dir, "daemon.log"), "utf8");
  }

  get running(): boolean {
    return this.daemon !== undefined && this.daemon.exitCode === null && this.daemon.signalCode === null;
  }

  /** Spawns the daemon (its own process group, so a kill takes the broker child too). */
  spawnDaemon(extraEnv: Record<string, string> = {}): ChildProcess {
    this.starts++;
    writeFileSync(this.logFd, `\n=== start ${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [...DAEMON_V8_FLAGS, "--import", PROBE, CLI, "run", "--config", this.configPath], {
      cwd: ROOT,
      env: { ...withMallocDefaults(process.env), NODE_NO_WARNINGS: "1", ...this.opts.env, ...extraEnv },
      stdio: ["ignore", this.logFd, this.logFd],
      detached: true,
    });
    child.once("exit", (code, signal) => this.exits.push({ code, signal, at: performance.now() }));
    this.daemon = child;
    return child;
  }

  /** Starts the daemon and waits until both devices are ready (health verb); returns ms to ready. */
  async start(timeoutMs = 30_000): Promise<number> {
    const t0 = performance.now();
    this.spawnDaemon();
    await this.connectClient();
    await this.waitReady(timeoutMs);
    return performance.now() - t0;
  }

  /** Starts the daemon and waits only until it answers `health` (whatever its links say); ms to answer. */
  async startAnswering(timeoutMs = 20_000): Promise<number> {
    const t0 = performance.now();
    this.spawnDaemon();
    await this.connectClient();
    await until(
      async () => {
        if (!this.running) throw new Error(`the daemon exited (${JSON.stringify(this.exits.at(-1))})`);
        const h = await this.request("health", {}, 1500).catch(() => undefined);
        return h?.["status"] === "ok" ? true : undefined;
      },
      timeoutMs,
      "a health answer",
    );
    return performance.now() - t0;
  }

  /** Waits for `health` to report terminal and modem ready. */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    await until(
      async () => {
        if (!this.running) throw new Error(`the daemon exited (${JSON.stringify(this.exits.at(-1))}); log tail:\n${this.daemonLog.slice(-3000)}`);
        const h = await this.request("health", {}, 1500).catch(() => undefined);
        const links = (h?.["data"] as { links?: Record<string, { state?: string }> } | undefined)?.links;
        return links?.["terminal-1"]?.state === "ready" && links["modem-1"]?.state === "ready" ? true : undefined;
      },
      timeoutMs,
      "terminal-1 and modem-1 ready",
    );
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.daemon) await killGroup(this.daemon, signal);
  }

  /** SIGTERM to the daemon only (as systemd's stop does first); resolves with its exit. */
  async terminate(timeoutMs = 20_000): Promise<DaemonExit> {
    const d = this.daemon;
    if (!d || !this.running) return this.exits.at(-1) ?? { code: null, signal: null, at: performance.now() };
    const exited = new Promise<void>((r) => d.once("exit", () => r()));
    d.kill("SIGTERM");
    await Promise.race([exited, sleep(timeoutMs)]);
    if (this.running) await this.kill();
    return this.exits.at(-1)!;
  }

  private connectClient(): Promise<void> {
    if (this.client) return Promise.resolve();
    const c = connect({ host: "127.0.0.1", port: this.port, username: USER, password: PASS, clientId: `proof-${process.pid}`, clean: true, reconnectPeriod: 100, connectTimeout: 2000 });
    c.on("error", () => undefined);
    c.on("close", () => this.clientCloses.push(performance.now()));
    c.on("message", (topic, payload) => {
      if (topic.startsWith(`${BASE}/bridge/response/`)) {
        try {
          const body = JSON.parse(payload.toString()) as Record<string, unknown>;
          const t = body["transaction"];
          if (typeof t === "string") this.responses.get(t)?.(body);
        } catch {
          /* not ours */
        }
        return;
      }
      if (topic === `${BASE}/sds/received`) {
        try {
          this.sdsReceived.push(JSON.parse(payload.toString()) as Record<string, unknown>);
        } catch {
          /* counted by the proof that needs it */
        }
      }
      if (topic.startsWith(`${BASE}/alerts/`)) {
        try {
          const doc = JSON.parse(payload.toString()) as { text?: unknown };
          if (typeof doc.text === "string") for (const k of doc.text.match(/P[0-9a-z]+-\d+/g) ?? []) this.alertTexts.add(k);
        } catch {
          /* an empty retained message clears a topic */
        }
        return;
      }
      if (topic.startsWith(`${BASE}/links/`)) {
        try {
          const h = JSON.parse(payload.toString()) as { state?: string; detail?: string };
          this.linkEvents.push({ link: topic.slice(`${BASE}/links/`.length), state: h.state ?? "?", detail: h.detail ?? "", at: performance.now() });
        } catch {
          /* ignored */
        }
      }
      this.local.set(topic, payload);
    });
    c.on("connect", () => void c.subscribeAsync([`${BASE}/bridge/response/#`, `${BASE}/sds/received`, `${BASE}/links/#`, `${BASE}/alerts/+`], { qos: 1 }).catch(() => undefined));
    this.client = c;
    return Promise.resolve();
  }

  /** One request/response round trip; rejects after `ms` without an answer. */
  request(verb: string, payload: Record<string, unknown>, ms = 15_000): Promise<Record<string, unknown>> {
    const c = this.client;
    if (!c?.connected) return Promise.reject(new Error("not connected"));
    const transaction = `t-${Math.random().toString(36).slice(2)}`;
    return this.requestRaw(verb, JSON.stringify({ transaction, ...payload }), transaction, ms);
  }

  /** One request over a connection of its own (the rig's client may be busy resending what was refused). */
  async freshRequest(verb: string, payload: Record<string, unknown>, ms = 15_000): Promise<Record<string, unknown>> {
    const c = connect({ host: "127.0.0.1", port: this.port, username: USER, password: PASS, clientId: `proof-fresh-${Math.random().toString(36).slice(2)}`, clean: true, reconnectPeriod: 0, connectTimeout: ms });
    c.on("error", () => undefined);
    try {
      await new Promise<void>((res, rej) => {
        c.once("connect", () => res());
        c.once("close", () => rej(new Error("connection closed")));
      });
      const transaction = `f-${Math.random().toString(36).slice(2)}`;
      const answer = new Promise<Record<string, unknown>>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no ${verb} response within ${ms} ms`)), ms);
        c.on("message", (_topic, body) => {
          const b = JSON.parse(body.toString()) as Record<string, unknown>;
          if (b["transaction"] !== transaction) return;
          clearTimeout(timer);
          res(b);
        });
      });
      await c.subscribeAsync(`${BASE}/bridge/response/${verb}`, { qos: 1 });
      await c.publishAsync(`${BASE}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 0 });
      return await answer;
    } finally {
      c.end(true);
    }
  }

  /** Publishes any bytes as a request; resolves with the response carrying `transaction`. */
  requestRaw(verb: string, body: string | Buffer, transaction: string, ms = 15_000): Promise<Record<string, unknown>> {
    const c = this.client;
    if (!c?.connected) return Promise.reject(new Error("not connected"));
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.responses.delete(transaction);
        rej(new Error(`no ${verb} response within ${ms} ms`));
      }, ms);
      this.responses.set(transaction, (b) => {
        clearTimeout(timer);
        this.responses.delete(transaction);
        res(b);
      });
      c.publish(`${BASE}/bridge/request/${verb}`, body, { qos: 1 }, (err) => {
        if (err) {
          clearTimeout(timer);
          this.responses.delete(transaction);
          rej(err);
        }
      });
    });
  }

  /** Rejects every request still waiting (the daemon was killed: their outcome is unknown). */
  abandonRequests(): void {
    for (const [t, fn] of this.responses) fn({ transaction: t, status: "abandoned" });
  }

  /** Resolves with the time of the first `links/<id>` event after `since` whose state passes `want`. */
  async linkEvent(link: string, want: (state: string) => boolean, since: number, timeoutMs: number): Promise<number> {
    return until(() => this.linkEvents.find((e) => e.link === link && e.at >= since && want(e.state))?.at, timeoutMs, `${link} state change`);
  }

  /** The retained `links/<id>` state as last seen on the gateway's broker. */
  linkState(id: string): string | undefined {
    const b = this.local.get(`${BASE}/links/${id}`);
    try {
      return b ? ((JSON.parse(b.toString()) as { state?: string }).state ?? undefined) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Pids of the daemon's descendants (the broker process), from /proc. */
  childPids(): number[] {
    const pid = this.daemon?.pid;
    return pid && this.running ? childPids(pid) : [];
  }

  /** RSS (KiB) of the daemon and (default) its children (the broker process). */
  rssKiB(withChildren = true): number {
    return this.sumProc("status", /VmRSS:\s+(\d+)/, withChildren);
  }

  /**
   * Anonymous RSS (KiB: heaps, malloc, stacks) of the daemon and its broker process, without the file-backed
   * pages of the Node executable: where a leak would show.
   */
  rssAnonKiB(): number {
    return this.sumProc("status", /RssAnon:\s+(\d+)/, true);
  }

  /**
   * PSS of the daemon and its broker process, KiB: each shared page (the Node executable, about 44 MiB,
   * mapped by both) is counted once, split between them, as the service's cgroup counts it. The sum of
   * RSS counts those pages twice.
   */
  pssKiB(): number {
    return this.sumProc("smaps_rollup", /^Pss:\s+(\d+)/m, true);
  }

  private sumProc(file: string, re: RegExp, withChildren: boolean): number {
    const pid = this.daemon?.pid;
    if (!pid || !this.running) return 0;
    let total = 0;
    for (const p of [pid, ...(withChildren ? childPids(pid) : [])]) {
      try {
        total += Number(re.exec(readFileSync(`/proc/${p}/${file}`, "utf8"))?.[1] ?? 0);
      } catch {
        /* gone */
      }
    }
    return total;
  }

  async close(keep = false): Promise<void> {
    await this.kill();
    this.client?.end(true);
    this.regionalSub?.end(true);
    await this.regional?.stop();
    await this.terminal.stop();
    await this.modem.stop();
    this.terminal.sim.stop();
    this.modem.sim.stop();
    if (this.logFd >= 0) closeSync(this.logFd);
    if (!keep && !process.env["PROOF_KEEP"]) rmSync(this.dir, { recursive: true, force: true });
  }
}

function childPids(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return kids ? kids.split(/\s+/).map(Number).flatMap((k) => [k, ...childPids(k)]) : [];
  } catch {
    return [];
  }
}
