import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { LinkState } from "../../../src/link-health/link-state.js";
import { backoffDelay } from "../../../src/shared/backoff.js";
import type { Logger } from "../../../src/shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../../../src/shared/typed-emitter.js";

/**
 * Keeps one MQTT connection to the regional broker (cluster), trying its URLs in turn with capped, jittered
 * backoff — mqtt.js alone reconnects at a fixed period and to one URL, which makes a
 * rack of gateways hammer a recovering cluster in lockstep.
 *
 * Liveness: mqtt.js pings every `keepaliveSec` (reschedulePings off, so a steady stream of unacknowledged
 * publishes cannot postpone the ping) and we declare the link unresponsive when nothing at all has arrived
 * from the broker for `deadAfterMs`. With the defaults (3 s, 4 s, checked every 250 ms) a silently cut link
 * is flagged within ~4.3 s; mqtt.js' own 1.5 × keepalive check (measured worst 6.55 s at 5 s keepalive,
 * docs/reliability.md) stays as a backstop.
 *
 *   connecting ──CONNACK──► ready ──silence/close──► unresponsive ──retry──► …
 *        └── failures ≥ 3 × urls ──► disconnected (still retrying, slower)
 */
export interface UplinkConnectionOptions {
  urls: string[];
  clientId: string;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  protocolVersion: 4 | 5;
  keepaliveSec: number;
  deadAfterMs: number;
  connectTimeoutMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  will: { topic: string; payload: Buffer; qos: 1; retain: true };
  log: Logger;
  /** Injected in tests. */
  connect?: (url: string, opts: IClientOptions) => MqttClient;
}

/** State of the uplink for the link registry. */
export interface UplinkStatus {
  state: LinkState;
  detail: string;
}

/** Status changes, a new live client, and the loss of one. */
export interface UplinkEvents {
  status: (s: UplinkStatus) => void;
  connected: (client: MqttClient) => void;
  lost: () => void;
}

/** Strips credentials from a URL before it reaches a log line or a retained topic. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(bad url)";
  }
}

/** The connection manager described above. */
export class UplinkConnection {
  private readonly events: TypedEmitter<UplinkEvents>;
  private current: MqttClient | undefined;
  private connected = false;
  private failures = 0;
  private urlIndex = 0;
  private lastRx = 0;
  private stopped = true;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private statusNow: UplinkStatus = { state: "disconnected", detail: "not started" };

  constructor(private readonly opts: UplinkConnectionOptions) {
    this.events = new TypedEmitter<UplinkEvents>((err, event) => opts.log.error({ mod: "uplink", err, event }, "listener failed"));
  }

  get status(): UplinkStatus {
    return this.statusNow;
  }
  /** The live client while connected, else undefined. */
  get client(): MqttClient | undefined {
    return this.connected ? this.current : undefined;
  }

  on<K extends keyof UplinkEvents>(event: K, fn: UplinkEvents[K]): Unsubscribe {
    return this.events.on(event, fn);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.watchdog = setInterval(() => this.checkLiveness(), 250);
    this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.watchdog);
    const c = this.current;
    this.current = undefined;
    this.connected = false;
    // A clean DISCONNECT: the regional broker discards our will, so `offline` is published by us instead.
    // Bounded: endAsync(false) waits for unacknowledged publishes, which a silent broker never acknowledges.
    if (c) {
      await Promise.race([c.endAsync(false).catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
      c.end(true);
    }
    this.setStatus("disconnected", "stopped");
  }

  private attempt(): void {
    if (this.stopped) return;
    const url = this.opts.urls[this.urlIndex % this.opts.urls.length] as string;
    const o = this.opts;
    const client = (o.connect ?? connect)(url, {
      clientId: o.clientId,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.ca ? { ca: o.ca } : {}),
      ...(o.cert ? { cert: o.cert } : {}),
      ...(o.key ? { key: o.key } : {}),
      rejectUnauthorized: true, // docs/reliability.md #33: never fall back to an unverified broker
      protocolVersion: o.protocolVersion,
      keepalive: o.keepaliveSec,
      reschedulePings: false,
      connectTimeout: o.connectTimeoutMs,
      reconnectPeriod: 0,
      clean: false,
      resubscribe: false,
      will: o.will,
    });
    this.current = client;
    client.on("packetreceive", () => (this.lastRx = performance.now()));
    client.once("connect", () => {
      if (client !== this.current) return;
      this.connected = true;
      this.failures = 0;
      this.lastRx = performance.now();
      this.setStatus("ready", `connected to ${safeUrl(url)}`);
      this.events.emit("connected", client);
    });
    client.on("error", (err: Error & { code?: number | string }) => {
      if (client !== this.current) return;
      const auth = err.code === 4 || err.code === 5 || err.code === 134 || err.code === 135;
      this.opts.log.warn({ mod: "uplink", url: safeUrl(url), err: err.message, code: err.code }, auth ? "regional broker refused our credentials" : "uplink error");
      // docs/reliability.md #32: rotated credentials — keep trying, but slowly.
      if (auth) this.failures = Math.max(this.failures, 8);
      this.drop(`${safeUrl(url)}: ${err.message}`);
    });
    client.on("close", () => {
      if (client === this.current) this.drop(`${safeUrl(url)}: connection closed`);
    });
  }

  private checkLiveness(): void {
    if (!this.connected || !this.current) return;
    const silent = performance.now() - this.lastRx;
    if (silent > this.opts.deadAfterMs) this.drop(`no answer from the broker for ${Math.round(silent)} ms`);
  }

  /** Tears down the current client and schedules the next attempt (next URL). */
  private drop(reason: string): void {
    const c = this.current;
    if (!c) return;
    const wasConnected = this.connected;
    this.current = undefined;
    this.connected = false;
    c.removeAllListeners();
    c.on("error", () => undefined);
    c.end(true);
    if (wasConnected) this.events.emit("lost");
    if (this.stopped) return;
    this.failures++;
    this.urlIndex++;
    const gone = this.failures >= 3 * this.opts.urls.length;
    this.setStatus(gone ? "disconnected" : "unresponsive", gone ? `no regional broker reachable: ${reason}` : `${reason}; reconnecting`);
    const delay = backoffDelay(this.failures - 1, { baseMs: this.opts.backoffBaseMs, capMs: this.opts.backoffCapMs, minMs: 50 });
    this.retry = setTimeout(() => this.attempt(), delay);
  }

  private setStatus(state: LinkState, detail: string): void {
    if (this.statusNow.state === state && this.statusNow.detail === detail) return;
    this.statusNow = { state, detail };
    this.events.emit("status", this.statusNow);
  }
}
