import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { AdmissionGate } from "../../../adapters/mqtt/broker/admission-gate.js";
import { CheckSlots } from "../../../adapters/mqtt/broker/check-slots.js";
import { originAllowed } from "../../../adapters/mqtt/broker/listeners.js";
import { LoginThrottle } from "../../../adapters/mqtt/broker/login-throttle.js";
import { LimitsSchema } from "../../../adapters/mqtt/mqtt-config.js";
import { Value } from "@sinclair/typebox/value";
import { silentLogger } from "../../../src/shared/logger.js";

/** A socket stand-in: an address, destroy() that emits close. */
function fakeSocket(addr: string): Socket & { destroyedByGate: boolean } {
  const e = new EventEmitter() as EventEmitter & { remoteAddress: string; destroyedByGate: boolean; destroy(): void };
  e.remoteAddress = addr;
  e.destroyedByGate = false;
  e.destroy = () => {
    if (e.destroyedByGate) return;
    e.destroyedByGate = true;
    e.emit("close");
  };
  return e as unknown as Socket & { destroyedByGate: boolean };
}

describe("AdmissionGate", () => {
  const limits = { maxConnections: 5, maxPending: 3, maxPendingPerAddress: 2, loginTimeoutMs: 60_000 };

  it("closes the oldest pending socket of an address to make room, never a logged-in one", () => {
    const g = new AdmissionGate(limits, silentLogger());
    const [a, b, c] = [fakeSocket("10.0.0.1"), fakeSocket("10.0.0.1"), fakeSocket("10.0.0.1")];
    g.enter(a, "tcp-0");
    g.admitted(a);
    g.enter(b, "tcp-0");
    const d = fakeSocket("10.0.0.1");
    g.enter(d, "tcp-0");
    g.enter(c, "tcp-0");
    expect([a.destroyedByGate, b.destroyedByGate, d.destroyedByGate, c.destroyedByGate]).toEqual([false, true, false, false]);
    expect(g.counters).toMatchObject({ current: 3, pending: 2, evicted: 1 });
  });

  it("caps pending sockets over all addresses, and refuses beyond maxConnections", () => {
    const g = new AdmissionGate(limits, silentLogger());
    const s = ["1", "2", "3", "4"].map((n) => fakeSocket(`10.0.0.${n}`));
    for (const x of s) g.enter(x, "tcp-0");
    expect(s.map((x) => x.destroyedByGate)).toEqual([true, false, false, false]);
    for (const x of s.slice(1)) g.admitted(x);
    const more = ["5", "6", "7"].map((n) => fakeSocket(`10.0.1.${n}`));
    expect(more.map((x) => g.enter(x, "tcp-0"))).toEqual([true, true, false]);
    expect(g.counters.refused).toBe(1);
  });
});

describe("LoginThrottle attempts", () => {
  it("counts an attempt from the start of its check and takes it back only on success", () => {
    const t = new LoginThrottle(2, 100, () => 0);
    const first = t.attempt("127.0.0.1", "u");
    expect(t.blocked("127.0.0.1", "u")).toBe(false);
    t.attempt("127.0.0.1", "u");
    expect(t.blocked("127.0.0.1", "u")).toBe(true); // two checks still running count
    t.succeeded("127.0.0.1", "u", first);
    expect(t.blocked("127.0.0.1", "u")).toBe(false);
  });
});

describe("CheckSlots", () => {
  it("runs at most N at once, queues M in order, refuses the rest", async () => {
    const slots = new CheckSlots(1, 1);
    const r1 = await slots.acquire();
    const p2 = slots.acquire();
    expect(await slots.acquire()).toBeUndefined();
    expect(r1).toBeDefined();
    r1?.();
    const r2 = await p2;
    expect(r2).toBeDefined();
    r2?.();
    expect(await slots.acquire()).toBeDefined();
  });

  it("defaults to two password checks at once: a storm's scrypt blocks (16 MiB each) stay at 32 MiB", () => {
    const limits = Value.Default(LimitsSchema, {}) as { maxConcurrentLogins: number; maxQueuedLogins: number };
    expect(limits.maxConcurrentLogins).toBe(2);
    expect(limits.maxQueuedLogins).toBe(64);
  });
});

describe("originAllowed", () => {
  it("lets non-browser clients and listed origins in, and the listener's own host when no list is set", () => {
    expect(originAllowed(undefined, "gw:8080", ["https://a.example"])).toBe(true);
    expect(originAllowed("https://a.example", "gw:8080", ["https://a.example"])).toBe(true);
    expect(originAllowed("https://evil.example", "gw:8080", ["https://a.example"])).toBe(false);
    expect(originAllowed("http://gw:8080", "gw:8080", undefined)).toBe(true);
    expect(originAllowed("http://evil.example", "gw:8080", undefined)).toBe(false);
    expect(originAllowed("null", "gw:8080", undefined)).toBe(false);
  });
});
