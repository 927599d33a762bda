import { readFile, rename, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { removeStaleTemps, writeFileDurable } from "../../../src/shared/durable-file.js";
import type { Logger } from "../../../src/shared/logger.js";
import type { RetainedBook, SessionBook } from "./auth-hooks.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * Makes aedes' in-memory persistence (aedes-persistence 11, the only one installed) survive a restart of
 * the broker process: retained messages, the subscriptions of persistent sessions (clean=false) and their
 * queued QoS 1/2 messages are mirrored into one snapshot file, written atomically with fsync
 * (src/shared/durable-file.ts), at most `flushDelayMs` after a change and on close. Restore replays the
 * snapshot into the fresh persistence before any listener opens, after deleting temp files a crash left.
 *
 * This is not the alert journal: the broker PUBACKs before storing (docs/reliability.md), so a crash inside the
 * flush window can lose the newest retained value; every publisher of retained state (the gateway itself)
 * republishes on reconnect. The wrapper also enforces the bounds aedes-persistence lacks: `maxRetained`,
 * messages and bytes queued per persistent session and in total (a full queue refuses new messages; QoS 0
 * messages are never queued for a session at all), and it is the SessionBook the auth hooks use to cap
 * persistent sessions per user and in total. A snapshot over those budgets is not restored: the broker
 * starts with no sessions (retained messages kept) and says so at error level, so a state file grown by
 * an attack cannot crash the new broker process again (a crash loop).
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
  sessions: Record<string, { owner?: string | null; subs: Sub[]; outgoing: { topic: string; payload: string; qos: number; retain: boolean; brokerId?: string; brokerCounter?: number }[] }>;
}

/** Bounds aedes-persistence lacks. */
export interface MirrorLimits {
  maxRetained: number;
  maxOfflineQueue: number;
  maxOfflineQueueBytes: number;
  maxQueuedTotal: number;
  maxQueuedBytesTotal: number;
  maxSessions: number;
  maxSessionsPerUser: number;
}

/** What `restore()` found. */
export interface RestoreResult {
  retained: number;
  sessions: number;
  queued: number;
  /** Stale temp files of an interrupted write that were deleted. */
  tmpRemoved: number;
  /** Set when the snapshot's sessions were over budget and discarded. */
  discarded?: string;
}

interface Queue {
  n: number;
  bytes: number;
}

/** Bytes a queued packet costs; a PUBREL that replaced a QoS 2 publish (no topic, no payload) costs none. */
const size = (p: { topic?: string; payload?: Buffer }): number => (typeof p.topic === "string" ? Buffer.byteLength(p.topic) : 0) + (p.payload?.length ?? 0);
const ANON = "\0anonymous";

/** Wraps an aedes persistence: limits, snapshot, restore. */
export class PersistenceMirror implements SessionBook, RetainedBook {
  private readonly retained = new Map<string, { payload: Buffer; qos: number }>();
  private readonly sessions = new Map<string, Map<string, number>>();
  /** Persistent sessions and their owner (username; ANON for anonymous clients). */
  private readonly owners = new Map<string, string>();
  private readonly queued = new Map<string, Queue>();
  private total: Queue = { n: 0, bytes: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  private readonly rl: RateLimitedLog;

  /** `file` undefined: limits only, nothing written (no `stateDir` configured). */
  constructor(
    private readonly file: string | undefined,
    private readonly p: PersistenceLike,
    private readonly limits: MirrorLimits,
    private readonly log: Logger,
    private readonly flushDelayMs = 50,
    /** Topics whose retained messages are never stored (the request topics). */
    private readonly neverRetain: (topic: string) => boolean = () => false,
  ) {
    this.rl = new RateLimitedLog(log);
  }

  has(clientId: string): boolean {
    return this.owners.has(clientId);
  }

  isStored(topic: string, payload: Buffer): boolean {
    const r = this.retained.get(topic);
    return r !== undefined && (r.payload === payload || r.payload.equals(payload));
  }

  count(): number {
    return this.owners.size;
  }

  countOf(username: string | undefined): number {
    const who = username ?? ANON;
    let n = 0;
    for (const o of this.owners.values()) if (o === who) n++;
    return n;
  }

  claim(clientId: string, username: string | undefined): void {
    this.owners.set(clientId, username ?? ANON);
    this.dirty();
  }

  /** Messages and bytes queued over all persistent sessions. */
  get queuedTotal(): Queue {
    return { ...this.total };
  }

  /** Replaces the persistence's methods with mirroring ones. Call once, before `restore()`. */
  wrap(): void {
    const p = this.p;
    const o = { storeRetained: p.storeRetained.bind(p), addSubscriptions: p.addSubscriptions.bind(p), removeSubscriptions: p.removeSubscriptions.bind(p), cleanSubscriptions: p.cleanSubscriptions.bind(p), outgoingEnqueueCombi: p.outgoingEnqueueCombi.bind(p), outgoingEnqueue: p.outgoingEnqueue.bind(p), outgoingClearMessageId: p.outgoingClearMessageId.bind(p) };
    p.storeRetained = async (pkt) => {
      if (this.neverRetain(pkt.topic)) {
        this.rl.warn("never-retain", { mod: "mqtt-broker", event: "retained-refused", topic: pkt.topic }, "retained message on a request topic not stored");
        return;
      }
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
      // Every clean-session login lands here; only a session that existed changes the snapshot.
      const existed = this.sessions.delete(c.id) || this.owners.delete(c.id) || this.queued.has(c.id);
      this.owners.delete(c.id);
      this.unqueue(c.id, this.queued.get(c.id) ?? { n: 0, bytes: 0 });
      this.queued.delete(c.id);
      await o.cleanSubscriptions(c);
      if (existed) this.dirty();
    };
    // The per-message paths return the original promise instead of awaiting it: one promise hop less on
    // every QoS 1 publish (the memory persistence does its work synchronously when called).
    p.outgoingEnqueueCombi = (subs, pkt) => {
      if (subs.length === 0) return o.outgoingEnqueueCombi(subs, pkt);
      const room = subs.filter((s) => this.admit(s.clientId, pkt));
      this.dirty();
      return o.outgoingEnqueueCombi(room, pkt);
    };
    p.outgoingEnqueue = (sub, pkt) => {
      this.dirty();
      return this.admit(sub.clientId, pkt) ? o.outgoingEnqueue(sub, pkt) : Promise.resolve();
    };
    p.outgoingClearMessageId = (c, pkt) =>
      o.outgoingClearMessageId(c, pkt).then((removed) => {
        // A QoS 2 delivery ends with its PUBREL removed, not the publish: recount that client's queue.
        if (removed && typeof removed.topic === "string") this.unqueue(c.id, { n: 1, bytes: size(removed) });
        else if (removed) void this.recount(c.id).catch(() => undefined);
        this.dirty();
        return removed;
      });
  }

  /**
   * Loads the snapshot into the (wrapped) persistence. A corrupt file is moved aside, never fatal (R8); a
   * file or a set of sessions over budget is moved aside too and the broker starts without sessions.
   */
  async restore(): Promise<RestoreResult> {
    const none: RestoreResult = { retained: 0, sessions: 0, queued: 0, tmpRemoved: 0 };
    if (this.file === undefined) return none;
    none.tmpRemoved = await this.removeStaleTemps();
    let snap: Snapshot;
    try {
      // Base64 makes 3 bytes 4; retained values of the gateway are small. A bigger file is not even parsed.
      const maxBytes = Math.ceil((this.limits.maxQueuedBytesTotal * 4) / 3) + 16 * 1024 * 1024;
      const st = await stat(this.file);
      if (st.size > maxBytes) return { ...none, discarded: await this.setAside(`state file is ${st.size} bytes; the budget is ${maxBytes}`, false) };
      snap = JSON.parse(await readFile(this.file, "utf8")) as Snapshot;
      if (snap.version !== 1 || !Array.isArray(snap.retained) || typeof snap.sessions !== "object" || snap.sessions === null) throw new Error("unexpected snapshot shape");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return none;
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      this.log.error({ mod: "mqtt-broker", err, file: this.file, movedTo: aside }, "broker state file unreadable; starting empty");
      return none;
    }
    const over = this.overBudget(snap);
    let discarded: string | undefined;
    if (over) {
      discarded = await this.setAside(over, true);
      snap.sessions = {};
    }
    let queued = 0;
    for (const r of snap.retained) await this.p.storeRetained({ cmd: "publish", topic: r.topic, payload: Buffer.from(r.payload, "base64"), qos: r.qos, retain: true });
    for (const [id, s] of Object.entries(snap.sessions)) {
      this.owners.set(id, s.owner ?? ANON);
      if (s.subs.length > 0) await this.p.addSubscriptions({ id }, s.subs);
      for (const m of s.outgoing) {
        await this.p.outgoingEnqueue({ clientId: id }, { cmd: "publish", topic: m.topic, payload: Buffer.from(m.payload, "base64"), qos: m.qos, retain: m.retain, brokerId: m.brokerId, brokerCounter: m.brokerCounter });
        queued++;
      }
    }
    return { ...none, retained: snap.retained.length, sessions: Object.keys(snap.sessions).length, queued, ...(discarded ? { discarded } : {}) };
  }

  /** Why the snapshot's sessions exceed the budgets, or undefined when they fit. */
  private overBudget(snap: Snapshot): string | undefined {
    const l = this.limits;
    const entries = Object.entries(snap.sessions);
    if (entries.length > l.maxSessions) return `${entries.length} persistent sessions; the limit is ${l.maxSessions}`;
    const perUser = new Map<string, number>();
    let n = 0;
    let bytes = 0;
    for (const [id, s] of entries) {
      if (!Array.isArray(s.subs) || !Array.isArray(s.outgoing)) return `session ${id.slice(0, 64)} is malformed`;
      const owner = s.owner ?? ANON;
      perUser.set(owner, (perUser.get(owner) ?? 0) + 1);
      if ((perUser.get(owner) ?? 0) > l.maxSessionsPerUser) return `more than ${l.maxSessionsPerUser} persistent sessions of one user`;
      const sBytes = s.outgoing.reduce((a, m) => a + Buffer.byteLength(m.topic) + Math.floor((m.payload.length * 3) / 4), 0);
      if (s.outgoing.length > l.maxOfflineQueue || sBytes > l.maxOfflineQueueBytes) return `session ${id.slice(0, 64)} holds ${s.outgoing.length} messages / ${sBytes} bytes; the limits are ${l.maxOfflineQueue} / ${l.maxOfflineQueueBytes}`;
      n += s.outgoing.length;
      bytes += sBytes;
    }
    if (n > l.maxQueuedTotal || bytes > l.maxQueuedBytesTotal) return `${n} queued messages / ${bytes} bytes; the limits are ${l.maxQueuedTotal} / ${l.maxQueuedBytesTotal}`;
    return undefined;
  }

  /** Moves the state file aside and says so loudly; `keep`: the parsed retained messages are still restored. */
  private async setAside(reason: string, keptRetained: boolean): Promise<string> {
    const file = this.file as string;
    const aside = `${file}.over-budget-${Date.now()}`;
    await rename(file, aside).catch(() => undefined);
    this.log.error({ mod: "mqtt-broker", event: "state-over-budget", file, movedTo: aside, reason, keptRetained }, "broker state over budget: persistent sessions NOT restored, starting clean");
    return reason;
  }

  /** Deletes the temp files a state write interrupted by a crash left behind (src/shared/durable-file.ts). */
  private async removeStaleTemps(): Promise<number> {
    const file = this.file as string;
    const removed = (await removeStaleTemps(file)).length;
    if (removed > 0) this.log.warn({ mod: "mqtt-broker", event: "stale-temp-removed", dir: dirname(file), removed }, "temp files of an interrupted state write removed");
    return removed;
  }

  /**
   * Writes the snapshot now. A write already running may have taken its snapshot before the latest change,
   * so it is awaited and the snapshot written once more: when `flush()` resolves (as on close), everything
   * stored before the call is on disk. Returning the running write instead lost a retained message
   * published just before a shutdown.
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing.catch(() => undefined);
    this.flushing = this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private admit(clientId: string, pkt: { topic: string; payload: Buffer }): boolean {
    const q = this.queued.get(clientId) ?? { n: 0, bytes: 0 };
    const b = size(pkt);
    const l = this.limits;
    const full = q.n >= l.maxOfflineQueue ? "session-messages" : q.bytes + b > l.maxOfflineQueueBytes ? "session-bytes" : this.total.n >= l.maxQueuedTotal ? "total-messages" : this.total.bytes + b > l.maxQueuedBytesTotal ? "total-bytes" : undefined;
    if (full) {
      this.rl.warn(`queue-cap:${clientId}`, { mod: "mqtt-broker", event: "offline-queue-full", clientId, topic: pkt.topic, limit: full }, "message not queued for persistent session: queue full");
      return false;
    }
    this.queued.set(clientId, { n: q.n + 1, bytes: q.bytes + b });
    this.total = { n: this.total.n + 1, bytes: this.total.bytes + b };
    return true;
  }

  /** Re-reads what the persistence holds for one client and corrects the counters. */
  private async recount(clientId: string): Promise<void> {
    const q: Queue = { n: 0, bytes: 0 };
    for await (const m of this.p.outgoingStream({ id: clientId })) {
      q.n++;
      q.bytes += size(m);
    }
    const old = this.queued.get(clientId) ?? { n: 0, bytes: 0 };
    this.queued.set(clientId, q);
    this.total = { n: Math.max(0, this.total.n - old.n + q.n), bytes: Math.max(0, this.total.bytes - old.bytes + q.bytes) };
  }

  private unqueue(clientId: string, d: Queue): void {
    const q = this.queued.get(clientId);
    if (q) this.queued.set(clientId, { n: Math.max(0, q.n - d.n), bytes: Math.max(0, q.bytes - d.bytes) });
    this.total = { n: Math.max(0, this.total.n - d.n), bytes: Math.max(0, this.total.bytes - d.bytes) };
  }

  private dirty(): void {
    if (this.timer || this.file === undefined) return;
    this.timer = setTimeout(() => void this.flush().catch((err: unknown) => this.log.error({ mod: "mqtt-broker", err }, "broker state flush failed")), this.flushDelayMs);
  }

  private async write(): Promise<void> {
    if (this.file === undefined) return;
    const snap: Snapshot = { version: 1, retained: [], sessions: {} };
    for (const [topic, r] of this.retained) snap.retained.push({ topic, payload: r.payload.toString("base64"), qos: r.qos });
    const total: Queue = { n: 0, bytes: 0 };
    for (const id of new Set([...this.owners.keys(), ...this.sessions.keys()])) {
      const outgoing: Snapshot["sessions"][string]["outgoing"] = [];
      const q: Queue = { n: 0, bytes: 0 };
      for await (const m of this.p.outgoingStream({ id })) {
        outgoing.push({ topic: m.topic, payload: m.payload.toString("base64"), qos: m.qos, retain: m.retain ?? false, brokerId: m.brokerId, brokerCounter: m.brokerCounter });
        q.n++;
        q.bytes += size(m);
      }
      // Re-synchronise the counters with what the persistence really holds (acks while offline, takeovers).
      this.queued.set(id, q);
      total.n += q.n;
      total.bytes += q.bytes;
      const owner = this.owners.get(id);
      snap.sessions[id] = { owner: owner === undefined || owner === ANON ? null : owner, subs: [...(this.sessions.get(id) ?? new Map<string, number>())].map(([topic, qos]) => ({ topic, qos })), outgoing };
    }
    this.total = total;
    await writeFileDurable(this.file, JSON.stringify(snap));
  }
}
