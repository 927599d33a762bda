import { Duplex, PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { PacketGuard, type GuardOptions } from "../../../adapters/mqtt/broker/packet-guard.js";

/** A fake socket: `input` is what the client sends, `written` what the guard writes back. */
function fakeSocket(): { socket: Duplex; input: PassThrough; written: Buffer[] } {
  const input = new PassThrough();
  const written: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      written.push(chunk);
      cb();
    },
  });
  input.on("data", (c: Buffer) => socket.push(c));
  input.on("end", () => socket.push(null));
  return { socket, input, written };
}

const connect = Buffer.from([0x10, 0x02, 0x00, 0x00]);
const publish = (n = 1): Buffer => Buffer.concat(Array.from({ length: n }, () => Buffer.from([0x30, 0x03, 0x00, 0x01, 0x61])));

const guards: PacketGuard[] = [];
function guard(opts: Partial<GuardOptions> = {}): { g: PacketGuard; input: PassThrough; socket: Duplex; written: Buffer[]; violations: unknown[] } {
  const { socket, input, written } = fakeSocket();
  const violations: unknown[] = [];
  const g = new PacketGuard(socket, { listener: "tcp-0", remoteAddress: "127.0.0.1" }, { maxPacketBytes: 65536, publishRatePerSecond: 0, publishBurst: 10, maxOutboundBytes: 1 << 20, drainTimeoutMs: 5000, onViolation: (v) => violations.push(v), ...opts });
  guards.push(g);
  return { g, input, socket, written, violations };
}

afterEach(() => {
  for (const g of guards.splice(0)) g.destroy();
});

describe("PacketGuard", () => {
  it("passes bytes through unchanged in both directions", async () => {
    const { g, input, written } = guard();
    const got: Buffer[] = [];
    g.on("data", (c: Buffer) => got.push(c));
    input.write(Buffer.concat([connect, publish(3)]));
    await new Promise<void>((r) => g.write(Buffer.from([0x20, 0x02, 0, 0]), () => r()));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(got)).toEqual(Buffer.concat([connect, publish(3)]));
    expect(Buffer.concat(written)).toEqual(Buffer.from([0x20, 0x02, 0, 0]));
  });

  it("destroys the socket on an oversized header before the chunk reaches the reader", async () => {
    const { g, input, socket, violations } = guard();
    const got: Buffer[] = [];
    g.on("data", (c: Buffer) => got.push(c));
    g.on("error", () => undefined);
    input.write(connect);
    input.write(Buffer.concat([Buffer.from([0x30, 0x80, 0x80, 0x80, 0x30]), Buffer.alloc(60_000)]));
    await new Promise((r) => setImmediate(r));
    expect(socket.destroyed).toBe(true);
    expect(g.destroyed).toBe(true);
    expect(Buffer.concat(got)).toEqual(connect);
    expect(violations).toEqual([expect.objectContaining({ kind: "too-large", bytesRead: connect.length + 60_005 })]);
  });

  it("lets a publisher over its rate through only as fast as tokens return, holding the rest", async () => {
    let now = 0;
    const { g, input, socket } = guard({ publishRatePerSecond: 100, publishBurst: 10, now: () => now });
    const got: Buffer[] = [];
    g.on("data", (c: Buffer) => got.push(c));
    const publishes = (): number => (Buffer.concat(got).length - connect.length) / 5;
    input.write(Buffer.concat([connect, publish(30)]));
    await new Promise((r) => setImmediate(r));
    expect(publishes()).toBe(10); // the burst
    expect(socket.isPaused()).toBe(true);
    now = 100; // 10 more tokens
    await new Promise((r) => setTimeout(r, 30));
    expect(publishes()).toBe(20);
    now = 1000;
    await new Promise((r) => setTimeout(r, 30));
    expect(publishes()).toBe(30);
    expect(socket.isPaused()).toBe(false);
  });

  it("gathers the writes of one loop turn into one socket write, and flushes them before a destroy", async () => {
    const input = new PassThrough();
    const batches: number[] = [];
    const socket = new Duplex({
      read() {},
      write(_c, _e, cb) {
        batches.push(1);
        cb();
      },
      writev(chunks, cb) {
        batches.push(chunks.length);
        cb();
      },
    });
    input.on("data", (c: Buffer) => socket.push(c));
    const g = new PacketGuard(socket, { listener: "tcp-0", remoteAddress: "127.0.0.1" }, { maxPacketBytes: 65536, publishRatePerSecond: 0, publishBurst: 1, maxOutboundBytes: 1 << 20, drainTimeoutMs: 5000, onViolation: () => undefined });
    guards.push(g);
    for (let i = 0; i < 5; i++) setImmediate(() => g.write(Buffer.from([0x30, 0x00]))); // aedes delivers in setImmediates
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([5]);
    g.write(Buffer.from([0x20, 0x02, 0x00, 0x05])); // a refusing CONNACK, then aedes destroys the stream
    await new Promise((r) => process.nextTick(r));
    g.destroy();
    expect(batches).toEqual([5, 1]);
  });

  /** A socket that takes nothing until `release()`: a client that stopped reading, once the kernel is full. */
  function stuckGuard(opts: { maxOutboundBytes: number; drainTimeoutMs: number }) {
    const input = new PassThrough();
    const pending: (() => void)[] = [];
    const socket = new Duplex({ writableHighWaterMark: 4, read() {}, write(_c, _e, cb) { pending.push(cb); } });
    input.on("data", (c: Buffer) => socket.push(c));
    const slow: unknown[] = [];
    const g = new PacketGuard(socket, { listener: "tcp-0", remoteAddress: "127.0.0.1" }, { maxPacketBytes: 65536, publishRatePerSecond: 0, publishBurst: 1, ...opts, onSlowConsumer: (s) => slow.push(s), onViolation: () => undefined });
    guards.push(g);
    const release = () => pending.splice(0).forEach((cb) => cb());
    return { g, socket, slow, release };
  }

  it("completes a write at once when the socket is full: a client that stops reading holds no delivery", async () => {
    const { g, slow } = stuckGuard({ maxOutboundBytes: 1000, drainTimeoutMs: 5000 });
    let done = 0;
    for (let i = 0; i < 5; i++) g.write(Buffer.alloc(10), () => done++);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(5);
    expect(slow).toEqual([]);
    expect(g.destroyed).toBe(false);
  });

  it("closes a client as a slow consumer when more than maxOutboundBytes stay unsent after a flush", async () => {
    const { g, socket, slow } = stuckGuard({ maxOutboundBytes: 100, drainTimeoutMs: 5000 });
    g.write(Buffer.alloc(60));
    await new Promise((r) => setTimeout(r, 5));
    expect(g.destroyed).toBe(false); // 60 unsent bytes: within the bound
    g.write(Buffer.alloc(60));
    await new Promise((r) => setTimeout(r, 5));
    expect(slow).toEqual([{ reason: "outbound-overflow", unsentBytes: 120 }]);
    expect(g.destroyed).toBe(true);
    expect(socket.destroyed).toBe(true);
  });

  it("closes a client whose socket has not drained within drainTimeoutMs, and keeps one that drains in time", async () => {
    const a = stuckGuard({ maxOutboundBytes: 1 << 20, drainTimeoutMs: 40 });
    a.g.write(Buffer.alloc(10));
    await new Promise((r) => setTimeout(r, 20));
    a.release();
    await new Promise((r) => setTimeout(r, 60));
    expect(a.slow).toEqual([]);
    expect(a.g.destroyed).toBe(false);
    const b = stuckGuard({ maxOutboundBytes: 1 << 20, drainTimeoutMs: 40 });
    b.g.write(Buffer.alloc(10));
    await new Promise((r) => setTimeout(r, 80));
    expect(b.slow).toEqual([{ reason: "drain-timeout", unsentBytes: 10 }]);
    expect(b.g.destroyed).toBe(true);
  });

  it("never closes the gateway's own connection as a slow consumer (maxOutboundBytes Infinity)", async () => {
    const { g, slow } = stuckGuard({ maxOutboundBytes: Infinity, drainTimeoutMs: 20 });
    for (let i = 0; i < 100; i++) g.write(Buffer.alloc(1000));
    await new Promise((r) => setTimeout(r, 60));
    expect(slow).toEqual([]);
    expect(g.destroyed).toBe(false);
  });
});
