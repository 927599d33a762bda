import type { ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { backoffDelay } from "../../../src/shared/backoff.js";
import { GatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../../../src/shared/typed-emitter.js";
import type { BrokerConfig } from "../mqtt-config.js";
import type { FromBroker, ToBroker } from "./broker-ipc.js";
import { forkBrokerChild } from "./broker-prefork.js";
import type { BrokerStats } from "./broker-server.js";

/**
 * Runs the embedded broker in a child process and keeps it running:
 *
 *   gateway process ──fork/IPC──► broker-child (aedes + listeners)
 *        │  mqtt.js over 127.0.0.1:<internal port>  ▲
 *        └──────────────────────────────────────────┘
 *
 * An unexpected exit is logged and followed by a restart after a capped, jittered backoff (src/shared/
 * backoff.ts); the attempt counter resets once a child has stayed up for `stableMs`. Every port (the
 * internal one included) is fixed after the first start, so the gateway's client and the devices simply
 * reconnect to the new process.
 */
export interface SupervisorOptions {
  broker: BrokerConfig;
  baseTopic: string;
  log: Logger;
  /** Where the child's JSON log lines go (1 stdout for the daemon, 2 stderr for the CLI). */
  logFd?: 1 | 2;
  /** Internal listener port; 0 picks a free one on first start. */
  internalPort?: number;
  stableMs?: number;
  /** Publishes on these filters are PUBACKed only after `intake` (set with `onIntake`) resolved. */
  holdFilters?: string[];
}

/** Makes a held publish durable; a rejection refuses it (the client gets no PUBACK and sends it again). */
export type IntakeHandler = (m: { topic: string; payload: Buffer; qos: 0 | 1 | 2; retain: boolean }) => Promise<void>;

/** Events of the supervisor: a child became ready, exited, or is about to be restarted. */
export interface SupervisorEvents {
  ready: (ports: Record<string, number>, pid: number) => void;
  exit: (code: number | null, signal: string | null) => void;
  restarting: (delayMs: number, attempt: number) => void;
}

/** Forks, watches and restarts the broker process; see above. */
export class BrokerSupervisor {
  /** The gateway's own broker password: random per gateway run, never written anywhere. */
  readonly internalPassword = randomBytes(24).toString("base64url");
  readonly internalHost = "127.0.0.1";
  private readonly brokerId = randomUUID();
  private readonly events: TypedEmitter<SupervisorEvents>;
  private child: ChildProcess | undefined;
  private internalPort: number;
  private currentPorts: Record<string, number> = {};
  private attempt = 0;
  private restartCount = 0;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private readonly pending = new Map<number, (m: FromBroker) => void>();
  private intake: IntakeHandler | undefined;

  constructor(private readonly opts: SupervisorOptions) {
    this.internalPort = opts.internalPort ?? 0;
    this.events = new TypedEmitter<SupervisorEvents>((err, event) => opts.log.error({ mod: "mqtt-supervisor", err, event }, "listener failed"));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get ports(): Record<string, number> {
    return { ...this.currentPorts };
  }
  get restarts(): number {
    return this.restartCount;
  }

  on<K extends keyof SupervisorEvents>(event: K, fn: SupervisorEvents[K]): Unsubscribe {
    return this.events.on(event, fn);
  }

  /** Sets what makes held publishes durable (before `start()`; without one they are refused). */
  onIntake(fn: IntakeHandler): void {
    this.intake = fn;
  }

  /** Starts the broker; rejects with MQTT_BROKER_FAILED if the first start fails (bad config, port in use). */
  async start(): Promise<Record<string, number>> {
    this.stopped = false;
    return this.spawn();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearTimeout(this.stableTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      this.send({ type: "stop" });
    });
  }

  /** Memory, connections and security counters of the broker process (2 s timeout). */
  stats(): Promise<BrokerStats> {
    return this.request({ type: "stats", id: ++this.seq }).then((m) => {
      if (m.type !== "stats") throw new GatewayError("MQTT_BROKER_FAILED", "unexpected reply to stats");
      return m.stats;
    });
  }

  /** Makes the broker re-read its users and ACL files. */
  async reload(): Promise<void> {
    const m = await this.request({ type: "reload", id: ++this.seq });
    if (m.type === "reloaded" && m.error) throw new GatewayError("MQTT_AUTH_FILE_INVALID", m.error);
  }

  private request(msg: Extract<ToBroker, { id: number }>): Promise<FromBroker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msg.id);
        reject(new GatewayError("MQTT_BROKER_FAILED", "broker process did not answer within 2 s"));
      }, 2000);
      this.pending.set(msg.id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      if (!this.send(msg)) {
        clearTimeout(timer);
        this.pending.delete(msg.id);
        reject(new GatewayError("MQTT_BROKER_FAILED", "broker process is not running"));
      }
    });
  }

  private send(msg: ToBroker): boolean {
    const c = this.child;
    if (!c?.connected) return false;
    c.send(msg);
    return true;
  }

  /** The broker config for the next child: ports chosen by the first start (port 0) are kept, so clients find it again. */
  private configForSpawn(): BrokerConfig {
    const b = this.opts.broker;
    return { ...b, listeners: b.listeners.map((l, i) => (l.port === 0 ? { ...l, port: this.currentPorts[`${l.kind}-${i}`] ?? 0 } : l)) };
  }

  private spawn(): Promise<Record<string, number>> {
    const b = this.configForSpawn();
    const child = forkBrokerChild({ maxOldSpaceMb: b.maxOldSpaceMb, maxSemiSpaceMb: b.maxSemiSpaceMb, optimizeForSize: b.optimizeForSize });
    this.child = child;
    const log = this.opts.log.child({ mod: "mqtt-supervisor" });
    return new Promise((resolve, reject) => {
      let started = false;
      child.on("message", (m: FromBroker) => {
        if (m.type === "ready") {
          started = true;
          this.currentPorts = m.ports;
          this.internalPort = m.ports["internal"] ?? this.internalPort;
          log.info({ pid: child.pid, ports: m.ports, restarts: this.restartCount }, "broker process ready");
          this.stableTimer = setTimeout(() => (this.attempt = 0), this.opts.stableMs ?? 30_000);
          this.stableTimer.unref();
          this.events.emit("ready", m.ports, child.pid ?? 0);
          resolve(m.ports);
        } else if (m.type === "failed") {
          reject(new GatewayError("MQTT_BROKER_FAILED", `broker process could not start: ${m.message}`, { context: { reason: m.message, code: m.code, errno: m.errno } }));
        } else if (m.type === "intake") {
          const handler = this.intake ?? (() => Promise.reject(new Error("no intake handler")));
          handler({ topic: m.topic, payload: Buffer.from(m.payload, "base64"), qos: m.qos === 2 ? 2 : m.qos === 1 ? 1 : 0, retain: m.retain }).then(
            () => child.connected && child.send({ type: "intake-done", id: m.id } satisfies ToBroker),
            (err: unknown) => child.connected && child.send({ type: "intake-done", id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies ToBroker),
          );
        } else {
          this.pending.get(m.id)?.(m);
          this.pending.delete(m.id);
        }
      });
      child.once("error", (err) => reject(new GatewayError("MQTT_BROKER_FAILED", "could not fork the broker process", { cause: err })));
      child.once("exit", (code, signal) => {
        clearTimeout(this.stableTimer);
        this.events.emit("exit", code, signal);
        if (!started) reject(new GatewayError("MQTT_BROKER_FAILED", `broker process exited during start (code ${code}, signal ${signal})`));
        if (this.stopped || this.child !== child) return;
        log.error({ pid: child.pid, code, signal }, "broker process exited unexpectedly");
        this.scheduleRestart();
      });
      child.send({ type: "start", logLevel: b.logLevel, logFd: this.opts.logFd ?? 1, config: { broker: b, baseTopic: this.opts.baseTopic, brokerId: this.brokerId, ...(this.opts.holdFilters ? { holdFilters: this.opts.holdFilters } : {}), internal: { host: this.internalHost, port: this.internalPort, password: this.internalPassword } } } satisfies ToBroker);
    });
  }

  private scheduleRestart(): void {
    const b = this.opts.broker;
    const delay = backoffDelay(this.attempt++, { baseMs: b.restartBaseMs, capMs: b.restartCapMs, minMs: b.restartBaseMs });
    this.restartCount++;
    this.events.emit("restarting", delay, this.attempt);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      // A failed start ends in the child's exit, whose handler schedules the next attempt.
      this.spawn().catch((err: unknown) => this.opts.log.error({ mod: "mqtt-supervisor", err }, "broker restart failed; retrying"));
    }, delay);
  }
}
