import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PersistenceMirror, type PersistenceLike } from "../../../adapters/mqtt/broker/file-persistence.js";
import { silentLogger } from "../../../src/shared/logger.js";

type Pkt = Parameters<PersistenceLike["storeRetained"]>[0];

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
    const m1 = new PersistenceMirror(file, a, { maxRetained: 100, maxOfflineQueue: 100 }, silentLogger(), 10);
    m1.wrap();
    await a.storeRetained(pkt("rakelgw/s/links/ip", '{"state":"ready"}'));
    await a.storeRetained(pkt("rakelgw/s/links/gone", "x"));
    await a.storeRetained(pkt("rakelgw/s/links/gone", ""));
    await a.addSubscriptions({ id: "display-1" }, [{ topic: "rakelgw/s/alerts/#", qos: 1 }]);
    await a.outgoingEnqueueCombi([{ clientId: "display-1" }], { ...pkt("rakelgw/s/alerts/1", "A1"), retain: false });
    await m1.flush();

    const b = memory();
    const m2 = new PersistenceMirror(file, b, { maxRetained: 100, maxOfflineQueue: 100 }, silentLogger(), 10);
    m2.wrap();
    expect(await m2.restore()).toEqual({ retained: 1, sessions: 1, queued: 1 });
    expect([...b.retained.keys()]).toEqual(["rakelgw/s/links/ip"]);
    expect(b.subs.get("display-1")).toEqual([{ topic: "rakelgw/s/alerts/#", qos: 1 }]);
    expect(b.out.get("display-1")?.map((p) => [p.topic, p.payload.toString(), p.brokerId, p.brokerCounter])).toEqual([["rakelgw/s/alerts/1", "A1", "b1", 7]]);
  });

  it("enforces maxRetained and maxOfflineQueue, which aedes-persistence does not", async () => {
    const p = memory();
    const m = new PersistenceMirror(join(dir, "s.json"), p, { maxRetained: 2, maxOfflineQueue: 3 }, silentLogger(), 10);
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

  it("applies the limits without a state file, writing nothing", async () => {
    const p = memory();
    const m = new PersistenceMirror(undefined, p, { maxRetained: 1, maxOfflineQueue: 1 }, silentLogger(), 1);
    m.wrap();
    await p.storeRetained(pkt("a", "x"));
    await p.storeRetained(pkt("b", "x"));
    expect([...p.retained.keys()]).toEqual(["a"]);
    expect(await m.restore()).toEqual({ retained: 0, sessions: 0, queued: 0 });
    await m.flush();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("moves a corrupt state file aside and starts empty (R8)", async () => {
    const file = join(dir, "broker-state.json");
    writeFileSync(file, "\0\0\0\0");
    const m = new PersistenceMirror(file, memory(), { maxRetained: 1, maxOfflineQueue: 1 }, silentLogger());
    m.wrap();
    expect(await m.restore()).toEqual({ retained: 0, sessions: 0, queued: 0 });
    expect(readdirSync(dir).some((f) => f.startsWith("broker-state.json.corrupt-"))).toBe(true);
  });
});
