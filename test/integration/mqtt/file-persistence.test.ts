import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PersistenceMirror, type PersistenceLike } from "../../../adapters/mqtt/broker/file-persistence.js";
import { silentLogger } from "../../../src/shared/logger.js";

type Pkt = Parameters<PersistenceLike["storeRetained"]>[0];

/** Limits no test here reaches unless it sets them. */
const BIG = { maxOfflineQueueBytes: 1e9, maxQueuedTotal: 1e9, maxQueuedBytesTotal: 1e9, maxSessions: 1e6, maxSessionsPerUser: 1e6 };

/** The smallest honest in-memory persistence with aedes-persistence's promise API. */
function memory(): PersistenceLike & { retained: Map<string, Pkt>; subs: Map<string, { topic: string; qos: number }[]>; out: Map<string, Pkt[]> } {
  const retained = new Map<string, Pkt>();
  const subs = new Map<string, { topic: string; qos: number }[]>();
  const out = new Map<string, (Pkt & { messageId?: number })[]>();
  return {
    retained,
    subs,
    out,
    storeRetained: (p) => Promise.resolve(void (p.payload.length === 0 ? retained.delete(p.topic) : retained.set(p.topic, p))),
    addSubscriptions: (c, s) => Promise.resolve(void subs.set(c.id, [...(subs.get(c.id) ?? []).filter((x) => !s.some((y) => y.topic === x.topic)), ...s])),
    removeSubscriptions: (c, t) => Promise.resolve(void subs.set(c.id, (subs.get(c.id) ?? []).filter((x) => !t.includes(x.topic)))),
    cleanSubscriptions: (c) => Promise.resolve(void subs.delete(c.id)),
    outgoingEnqueue: (s, p) => Promise.resolve(void out.set(s.clientId, [...(out.get(s.clientId) ?? []), { ...p }])),
    outgoingEnqueueCombi: (ss, p) => Promise.resolve(ss.forEach((s) => out.set(s.clientId, [...(out.get(s.clientId) ?? []), { ...p, messageId: (out.get(s.clientId)?.length ?? 0) + 1 }]))),
    outgoingClearMessageId: (c, p) => {
      const list = out.get(c.id) ?? [];
      const i = list.findIndex((x) => x.messageId === p.messageId);
      return Promise.resolve(i >= 0 ? list.splice(i, 1)[0] : undefined);
    },
    outgoingStream: (c) => ({
      [Symbol.asyncIterator]: () => {
        const items = [...(out.get(c.id) ?? [])];
        return { next: () => Promise.resolve(items.length > 0 ? { done: false as const, value: items.shift() as Pkt } : { done: true as const, value: undefined }) };
      },
    }),
  };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "rakelgw-bstate-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pkt = (topic: string, payload: string, qos = 1): Pkt => ({ cmd: "publish", topic, payload: Buffer.from(payload), qos, retain: true, brokerId: "b1", brokerCounter: 7 });

describe("PersistenceMirror", () => {
  it("restores retained messages, persistent subscriptions and their queued messages after a restart", async () => {
    const file = join(dir, "broker-state.json");
    const a = memory();
    const m1 = new PersistenceMirror(file, a, { ...BIG, maxRetained: 100, maxOfflineQueue: 100 }, silentLogger(), 10);
    m1.wrap();
    await a.storeRetained(pkt("rakelgw/s/links/ip", '{"state":"ready"}'));
    await a.storeRetained(pkt("rakelgw/s/links/gone", "x"));
    await a.storeRetained(pkt("rakelgw/s/links/gone", ""));
    await a.addSubscriptions({ id: "display-1" }, [{ topic: "rakelgw/s/alerts/#", qos: 1 }]);
    await a.outgoingEnqueueCombi([{ clientId: "display-1" }], { ...pkt("rakelgw/s/alerts/1", "A1"), retain: false });
    await m1.flush();

    const b = memory();
    const m2 = new PersistenceMirror(file, b, { ...BIG, maxRetained: 100, maxOfflineQueue: 100 }, silentLogger(), 10);
    m2.wrap();
    expect(await m2.restore()).toMatchObject({ retained: 1, sessions: 1, queued: 1 });
    expect([...b.retained.keys()]).toEqual(["rakelgw/s/links/ip"]);
    expect(b.subs.get("display-1")).toEqual([{ topic: "rakelgw/s/alerts/#", qos: 1 }]);
    expect(b.out.get("display-1")?.map((p) => [p.topic, p.payload.toString(), p.brokerId, p.brokerCounter])).toEqual([["rakelgw/s/alerts/1", "A1", "b1", 7]]);
  });

  it("enforces maxRetained and maxOfflineQueue, which aedes-persistence does not", async () => {
    const p = memory();
    const m = new PersistenceMirror(join(dir, "s.json"), p, { ...BIG, maxRetained: 2, maxOfflineQueue: 3 }, silentLogger(), 10);
    m.wrap();
    for (let i = 0; i < 5; i++) await p.storeRetained(pkt(`t/${i}`, "x"));
    await p.storeRetained(pkt("t/0", "updated"));
    expect([...p.retained.keys()]).toEqual(["t/0", "t/1"]);
    await p.addSubscriptions({ id: "c" }, [{ topic: "q/#", qos: 1 }]);
    for (let i = 0; i < 10; i++) await p.outgoingEnqueueCombi([{ clientId: "c" }], pkt(`q/${i}`, "x"));
    expect(p.out.get("c")).toHaveLength(3);
    await p.outgoingClearMessageId({ id: "c" }, { messageId: 1 });
    await p.outgoingEnqueueCombi([{ clientId: "c" }], pkt("q/new", "x"));
    expect(p.out.get("c")?.map((x) => x.topic)).toEqual(["q/1", "q/2", "q/new"]);
    await m.flush();
  });

  it("tells whether a payload is the retained value stored now (a replaced, cleared or refused one is not)", async () => {
    const p = memory();
    const m = new PersistenceMirror(undefined, p, { ...BIG, maxRetained: 1, maxOfflineQueue: 1 }, silentLogger(), 1);
    m.wrap();
    const first = pkt("links/modem-1", '{"state":"degraded"}');
    await p.storeRetained(first);
    expect(m.isStored("links/modem-1", first.payload)).toBe(true);
    expect(m.isStored("links/modem-1", Buffer.from('{"state":"degraded"}'))).toBe(true);
    await p.storeRetained(pkt("links/modem-1", '{"state":"ready"}'));
    expect(m.isStored("links/modem-1", first.payload)).toBe(false);
    await p.storeRetained(pkt("other", "x"));
    expect(m.isStored("other", Buffer.from("x"))).toBe(false);
    await p.storeRetained(pkt("links/modem-1", ""));
    expect(m.isStored("links/modem-1", Buffer.from('{"state":"ready"}'))).toBe(false);
    await m.flush();
  });

  it("applies the limits without a state file, writing nothing", async () => {
    const p = memory();
    const m = new PersistenceMirror(undefined, p, { ...BIG, maxRetained: 1, maxOfflineQueue: 1 }, silentLogger(), 1);
    m.wrap();
    await p.storeRetained(pkt("a", "x"));
    await p.storeRetained(pkt("b", "x"));
    expect([...p.retained.keys()]).toEqual(["a"]);
    expect(await m.restore()).toMatchObject({ retained: 0, sessions: 0, queued: 0 });
    await m.flush();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("moves a corrupt state file aside and starts empty (R8)", async () => {
    const file = join(dir, "broker-state.json");
    writeFileSync(file, "\0\0\0\0");
    const m = new PersistenceMirror(file, memory(), { ...BIG, maxRetained: 1, maxOfflineQueue: 1 }, silentLogger());
    m.wrap();
    expect(await m.restore()).toMatchObject({ retained: 0, sessions: 0, queued: 0 });
    expect(readdirSync(dir).some((f) => f.startsWith("broker-state.json.corrupt-"))).toBe(true);
  });

  it("caps queued bytes per session and messages/bytes in total; tracks session owners", async () => {
    const p = memory();
    const m = new PersistenceMirror(undefined, p, { ...BIG, maxRetained: 10, maxOfflineQueue: 100, maxOfflineQueueBytes: 25, maxQueuedTotal: 3 }, silentLogger(), 1);
    m.wrap();
    m.claim("a", "dev");
    m.claim("b", "dev");
    m.claim("c", undefined);
    expect([m.count(), m.countOf("dev"), m.countOf(undefined), m.has("a"), m.has("x")]).toEqual([3, 2, 1, true, false]);
    for (let i = 0; i < 4; i++) await p.outgoingEnqueueCombi([{ clientId: "a" }], pkt("q", "0123456789")); // 11 bytes each
    expect(p.out.get("a")).toHaveLength(2);
    await p.outgoingEnqueueCombi([{ clientId: "b" }, { clientId: "c" }], pkt("q", "x"));
    expect([p.out.get("b")?.length, p.out.get("c")?.length]).toEqual([1, undefined]);
    expect(m.queuedTotal).toEqual({ n: 3, bytes: 24 });
    await p.cleanSubscriptions({ id: "a" });
    expect([m.count(), m.queuedTotal.n]).toEqual([2, 1]);
  });

  it("never stores retained messages on refused topics (the request topics)", async () => {
    const p = memory();
    const m = new PersistenceMirror(undefined, p, { ...BIG, maxRetained: 10, maxOfflineQueue: 1 }, silentLogger(), 1, (t) => t.startsWith("b/bridge/request/"));
    m.wrap();
    await p.storeRetained(pkt("b/bridge/request/sds/send", "{}"));
    await p.storeRetained(pkt("b/links/ip", "{}"));
    expect([...p.retained.keys()]).toEqual(["b/links/ip"]);
  });

  it("restores no sessions from a snapshot over budget, keeps its retained messages, and sets the file aside", async () => {
    const file = join(dir, "broker-state.json");
    const sessions = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`s${i}`, { owner: "dev", subs: [{ topic: "q/#", qos: 1 }], outgoing: [] }]));
    writeFileSync(file, JSON.stringify({ version: 1, retained: [{ topic: "r", payload: Buffer.from("v").toString("base64"), qos: 0 }], sessions }));
    const p = memory();
    const m = new PersistenceMirror(file, p, { ...BIG, maxRetained: 10, maxOfflineQueue: 10, maxSessions: 4 }, silentLogger());
    m.wrap();
    const r = await m.restore();
    expect(r).toMatchObject({ retained: 1, sessions: 0, queued: 0 });
    expect(r.discarded).toMatch(/5 persistent sessions/);
    expect([p.subs.size, m.count(), [...p.retained.keys()]]).toEqual([0, 0, ["r"]]);
    expect(readdirSync(dir).some((f) => f.startsWith("broker-state.json.over-budget-"))).toBe(true);
  });

  it("does not even parse a state file bigger than the byte budget", async () => {
    const file = join(dir, "broker-state.json");
    writeFileSync(file, JSON.stringify({ version: 1, retained: [], sessions: {}, pad: "x".repeat(17 * 1024 * 1024) }));
    const m = new PersistenceMirror(file, memory(), { ...BIG, maxRetained: 10, maxOfflineQueue: 10, maxQueuedBytesTotal: 1024 }, silentLogger());
    m.wrap();
    expect((await m.restore()).discarded).toMatch(/bytes; the budget is/);
  });

  it("deletes temp files an interrupted write left behind", async () => {
    const file = join(dir, "broker-state.json");
    writeFileSync(join(dir, "broker-state.json.4194304.abcd.tmp"), "{");
    writeFileSync(join(dir, ".broker-state.json.4194304.abcd.tmp"), "{");
    writeFileSync(join(dir, "other.tmp"), "keep");
    const m = new PersistenceMirror(file, memory(), { ...BIG, maxRetained: 10, maxOfflineQueue: 10 }, silentLogger());
    m.wrap();
    expect((await m.restore()).tmpRemoved).toBe(2);
    expect(readdirSync(dir)).toEqual(["other.tmp"]);
  });

  it("survives the end of a QoS 2 delivery, where the queue entry removed is a PUBREL without topic or payload", async () => {
    const p = memory();
    const m = new PersistenceMirror(undefined, p, { ...BIG, maxRetained: 10, maxOfflineQueue: 10 }, silentLogger(), 1);
    m.wrap();
    await p.outgoingEnqueueCombi([{ clientId: "c" }], pkt("q/1", "x", 2));
    await p.outgoingEnqueueCombi([{ clientId: "c" }], pkt("q/2", "yy", 2));
    expect(m.queuedTotal).toEqual({ n: 2, bytes: 9 });
    // aedes replaces the publish by its PUBREL after PUBREC, then clears that on PUBCOMP.
    const list = p.out.get("c") ?? [];
    list[0] = { cmd: "pubrel", messageId: 1 } as unknown as (typeof list)[number];
    await expect(p.outgoingClearMessageId({ id: "c" }, { messageId: 1 })).resolves.toBeDefined();
    await new Promise((r) => setTimeout(r, 10));
    expect(m.queuedTotal).toEqual({ n: 1, bytes: 5 });
  });
});
