import { readFile, rename } from "node:fs/promises";
import type { Logger } from "../../../src/shared/logger.js";
import { writeFileDurable } from "../../../src/shared/durable-file.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * Makes aedes' in-memory persistence (aedes-persistence 11, the only one installed) survive a restart of
 * the broker process: retained messages, the subscriptions of persistent sessions (clean=false) and their
 * queued QoS 1/2 messages are mirrored into one snapshot file, written atomically with fsync
 * (src/shared/durable-file.ts), at most `flushDelayMs` after a change and on close. Restore replays the snapshot into the
 * fresh persistence before any listener opens.
 *
 * This is not the alert journal: the broker PUBACKs before storing (docs/reliability.md), so a crash inside the
 * flush window can lose the newest retained value; every publisher of retained state (the gateway itself)
 * republishes on reconnect. The wrapper also enforces `maxRetained` and `maxOfflineQueue`, which
 * aedes-persistence does not bound.
 */
type Pkt = { topic: string; payload: Buffer; qos: number; retain?: boolean; brokerId?: string; brokerCounter?: number; cmd?: string };
type Sub = { topic: string; qos: number };
type ClientRef = { id: string };

/** The promise-returning surface of aedes-persistence we rely on. */
export interface PersistenceLike {
  storeRetained(p: Pkt): Promise<void>;
  addSubscriptions(c: ClientRef, subs: Sub[]): Promise<void>;
  removeSubscriptions(c: ClientRef, topics: string[]): Promise<void>;
  cleanSubscriptions(c: ClientRef): Promise<void>;
  outgoingEnqueue(sub: { clientId: string }, p: Pkt): Promise<void>;
  outgoingEnqueueCombi(subs: { clientId: string }[], p: Pkt): Promise<void>;
  outgoingClearMessageId(c: ClientRef, p: { messageId?: number }): Promise<Pkt | undefined>;
  outgoingStream(c: ClientRef): AsyncIterable<Pkt>;
}

interface Snapshot {
  version: 1;
  retained: { topic: string; payload: string; qos: number }[];
  sessions: Record<string, { subs: Sub[]; outgoing: { topic: string; payload: string; qos: number; retain: boolean; brokerId?: string; brokerCounter?: number }[] }>;
}

/** Bounds aedes-persistence lacks. */
export interface MirrorLimits {
  maxRetained: number;
  maxOfflineQueue: number;
}

/** Wraps an aedes persistence: limits, snapshot, restore. */
export class PersistenceMirror {
  private readonly retained = new Map<string, { payload: Buffer; qos: number }>();
  private readonly sessions = new Map<string, Map<string, number>>();
  private readonly queued = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private again = false;
  private readonly rl: RateLimitedLog;

  /** `file` undefined: limits only, nothing written (no `stateDir` configured). */
  constructor(
    private readonly file: string | undefined,
    private readonly p: PersistenceLike,
    private readonly limits: MirrorLimits,
    private readonly log: Logger,
    private readonly flushDelayMs = 50,
  ) {
    this.rl = new RateLimitedLog(log);
  }

  /** Replaces the persistence's methods with mirroring ones. Call once, before `restore()`. */
  wrap(): void {
    const p = this.p;
    const o = { storeRetained: p.storeRetained.bind(p), addSubscriptions: p.addSubscriptions.bind(p), removeSubscriptions: p.removeSubscriptions.bind(p), cleanSubscriptions: p.cleanSubscriptions.bind(p), outgoingEnqueueCombi: p.outgoingEnqueueCombi.bind(p), outgoingEnqueue: p.outgoingEnqueue.bind(p), outgoingClearMessageId: p.outgoingClearMessageId.bind(p) };
    p.storeRetained = async (pkt) => {
      if (pkt.payload.length === 0) this.retained.delete(pkt.topic);
      else if (!this.retained.has(pkt.topic) && this.retained.size >= this.limits.maxRetained) {
        this.rl.warn("retained-cap", { mod: "mqtt-broker", event: "retained-dropped", topic: pkt.topic, max: this.limits.maxRetained }, "retained message not stored: limit reached");
        return;
      } else this.retained.set(pkt.topic, { payload: pkt.payload, qos: pkt.qos });
      await o.storeRetained(pkt);
      this.dirty();
    };
    p.addSubscriptions = async (c, subs) => {
      const m = this.sessions.get(c.id) ?? new Map<string, number>();
      for (const s of subs) m.set(s.topic, s.qos);
      this.sessions.set(c.id, m);
      await o.addSubscriptions(c, subs);
      this.dirty();
    };
    p.removeSubscriptions = async (c, topics) => {
      const m = this.sessions.get(c.id);
      for (const t of topics) m?.delete(t);
      if (m?.size === 0) this.sessions.delete(c.id);
      await o.removeSubscriptions(c, topics);
      this.dirty();
    };
    p.cleanSubscriptions = async (c) => {
      this.sessions.delete(c.id);
      this.queued.delete(c.id);
      await o.cleanSubscriptions(c);
      this.dirty();
    };
    // The per-message paths return the original promise instead of awaiting it: one promise hop less on
    // every QoS 1 publish (the memory persistence does its work synchronously when called).
    p.outgoingEnqueueCombi = (subs, pkt) => {
      if (subs.length === 0) return o.outgoingEnqueueCombi(subs, pkt);
      const room = subs.filter((s) => this.admit(s.clientId, pkt.topic));
      this.dirty();
      return o.outgoingEnqueueCombi(room, pkt);
    };
    p.outgoingEnqueue = (sub, pkt) => {
      this.dirty();
      return this.admit(sub.clientId, pkt.topic) ? o.outgoingEnqueue(sub, pkt) : Promise.resolve();
    };
    p.outgoingClearMessageId = (c, pkt) =>
      o.outgoingClearMessageId(c, pkt).then((removed) => {
        if (removed) this.queued.set(c.id, Math.max(0, (this.queued.get(c.id) ?? 1) - 1));
        this.dirty();
        return removed;
      });
  }

  /** Loads the snapshot into the (wrapped) persistence. A corrupt file is moved aside, never fatal (R8). */
  async restore(): Promise<{ retained: number; sessions: number; queued: number }> {
    if (this.file === undefined) return { retained: 0, sessions: 0, queued: 0 };
    let snap: Snapshot;
    try {
      snap = JSON.parse(await readFile(this.file, "utf8")) as Snapshot;
      if (snap.version !== 1 || !Array.isArray(snap.retained) || typeof snap.sessions !== "object") throw new Error("unexpected snapshot shape");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { retained: 0, sessions: 0, queued: 0 };
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      this.log.error({ mod: "mqtt-broker", err, file: this.file, movedTo: aside }, "broker state file unreadable; starting empty");
      return { retained: 0, sessions: 0, queued: 0 };
    }
    let queued = 0;
    for (const r of snap.retained) await this.p.storeRetained({ cmd: "publish", topic: r.topic, payload: Buffer.from(r.payload, "base64"), qos: r.qos, retain: true });
    for (const [id, s] of Object.entries(snap.sessions)) {
      if (s.subs.length > 0) await this.p.addSubscriptions({ id }, s.subs);
      for (const m of s.outgoing) {
        await this.p.outgoingEnqueue({ clientId: id }, { cmd: "publish", topic: m.topic, payload: Buffer.from(m.payload, "base64"), qos: m.qos, retain: m.retain, brokerId: m.brokerId, brokerCounter: m.brokerCounter });
        queued++;
      }
    }
    return { retained: snap.retained.length, sessions: Object.keys(snap.sessions).length, queued };
  }

  /** Writes the snapshot now (coalescing concurrent calls). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.write().finally(() => {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        this.dirty();
      }
    });
    return this.flushing;
  }

  private admit(clientId: string, topic: string): boolean {
    const n = this.queued.get(clientId) ?? 0;
    if (n >= this.limits.maxOfflineQueue) {
      this.rl.warn(`queue-cap:${clientId}`, { mod: "mqtt-broker", event: "offline-queue-full", clientId, topic, max: this.limits.maxOfflineQueue }, "message not queued for persistent session: queue full");
      return false;
    }
    this.queued.set(clientId, n + 1);
    return true;
  }

  private dirty(): void {
    if (this.timer || this.file === undefined) return;
    this.timer = setTimeout(() => void this.flush().catch((err: unknown) => this.log.error({ mod: "mqtt-broker", err }, "broker state flush failed")), this.flushDelayMs);
  }

  private async write(): Promise<void> {
    if (this.file === undefined) return;
    const snap: Snapshot = { version: 1, retained: [], sessions: {} };
    for (const [topic, r] of this.retained) snap.retained.push({ topic, payload: r.payload.toString("base64"), qos: r.qos });
    for (const [id, subs] of this.sessions) {
      const outgoing: Snapshot["sessions"][string]["outgoing"] = [];
      for await (const m of this.p.outgoingStream({ id })) {
        outgoing.push({ topic: m.topic, payload: m.payload.toString("base64"), qos: m.qos, retain: m.retain ?? false, brokerId: m.brokerId, brokerCounter: m.brokerCounter });
      }
      this.queued.set(id, outgoing.length);
      snap.sessions[id] = { subs: [...subs].map(([topic, qos]) => ({ topic, qos })), outgoing };
    }
    await writeFileDurable(this.file, JSON.stringify(snap));
  }
}
