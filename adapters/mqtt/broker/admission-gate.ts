import type { Socket } from "node:net";
import type { Logger } from "../../../src/shared/logger.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * Admission control for the sockets of one broker: every accepted TCP socket is counted from `accept`
 * (TLS handshakes and WebSocket upgrades included) until it closes. A socket that has not been
 * logged in (CONNACK 0) is *pending*: it is closed when it stays pending longer than `loginTimeoutMs`,
 * and when an address already holds `maxPendingPerAddress` pending sockets (or all addresses
 * `maxPending`), the OLDEST pending socket is closed to make room for the new one. Idle sockets that
 * never send CONNECT therefore can never take the slots a real client needs: a real client completes its
 * login in milliseconds, long before it becomes the oldest.
 */
export interface GateLimits {
  /** Connections counted against `maxConnections`; Infinity for the internal listener. */
  maxConnections: number;
  maxPending: number;
  maxPendingPerAddress: number;
  loginTimeoutMs: number;
}

interface Entry {
  socket: Socket;
  address: string;
  pending: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Counters the broker reports in its stats. */
export interface GateCounters {
  current: number;
  pending: number;
  refused: number;
  evicted: number;
  loginTimeouts: number;
}

/** One gate per broker (device listeners) plus one for the internal listener. */
export class AdmissionGate {
  readonly counters: GateCounters = { current: 0, pending: 0, refused: 0, evicted: 0, loginTimeouts: 0 };
  /** Pending entries, oldest first (Map keeps insertion order). */
  private readonly pending = new Map<Socket, Entry>();
  private readonly perAddress = new Map<string, number>();
  private readonly rl: RateLimitedLog;

  constructor(
    private readonly limits: GateLimits,
    log: Logger,
  ) {
    this.rl = new RateLimitedLog(log);
  }

  /** Counts a freshly accepted socket; false (socket destroyed) when the connection limit is reached. */
  enter(socket: Socket, listener: string): boolean {
    const address = socket.remoteAddress ?? "?";
    if (this.counters.current >= this.limits.maxConnections) {
      this.counters.refused++;
      this.rl.warn("max-connections", { mod: "mqtt-broker", event: "connection-refused", listener, remoteAddress: address, max: this.limits.maxConnections }, "connection refused: limit reached");
      socket.destroy();
      return false;
    }
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxPendingPerAddress) this.evictOldest(listener, address);
    if (this.pending.size >= this.limits.maxPending) this.evictOldest(listener, undefined);
    const entry: Entry = { socket, address, pending: true, timer: undefined };
    entry.timer = setTimeout(() => {
      if (!entry.pending) return;
      this.counters.loginTimeouts++;
      this.rl.warn(`login-timeout:${address}`, { mod: "mqtt-broker", event: "login-timeout", listener, remoteAddress: address, ms: this.limits.loginTimeoutMs }, "connection closed: no login in time");
      socket.destroy();
    }, this.limits.loginTimeoutMs);
    entry.timer.unref();
    this.pending.set(socket, entry);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.counters.current++;
    this.counters.pending++;
    socket.once("close", () => {
      this.counters.current--;
      this.settle(entry);
    });
    return true;
  }

  /** The socket's client got CONNACK 0: it no longer counts as pending. */
  admitted(socket: Socket): void {
    const entry = this.pending.get(socket);
    if (entry) this.settle(entry);
  }

  private settle(entry: Entry): void {
    if (!entry.pending) return;
    entry.pending = false;
    clearTimeout(entry.timer);
    this.pending.delete(entry.socket);
    this.counters.pending--;
    const n = (this.perAddress.get(entry.address) ?? 1) - 1;
    if (n > 0) this.perAddress.set(entry.address, n);
    else this.perAddress.delete(entry.address);
  }

  private evictOldest(listener: string, address: string | undefined): void {
    for (const e of this.pending.values()) {
      if (address !== undefined && e.address !== address) continue;
      this.counters.evicted++;
      this.rl.warn(`evicted:${e.address}`, { mod: "mqtt-broker", event: "pending-evicted", listener, remoteAddress: e.address, max: address === undefined ? this.limits.maxPending : this.limits.maxPendingPerAddress }, "oldest connection without login closed to make room");
      this.settle(e);
      e.socket.destroy();
      return;
    }
  }
}
