import { afterEach, beforeEach, describe, expect, it } from "vitest";
import sinon from "sinon";
import type { ByteLink, LinkCloseInfo } from "../../../adapters/serial-link/byte-link.js";
import { Listeners } from "../../../adapters/serial-link/byte-link.js";
import { MemoryPort, memoryLinkPair } from "../../../adapters/serial-link/memory-link.js";
import { GatewayError } from "../../../src/shared/errors.js";

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date"] });
});
afterEach(() => {
  clock.restore();
});

function received(link: ByteLink): Buffer[] {
  const chunks: Buffer[] = [];
  link.onData((c) => chunks.push(c));
  return chunks;
}

describe("memoryLinkPair", () => {
  it("delivers what one end writes to the other end on a later macrotask, not synchronously", async () => {
    const [host, device] = memoryLinkPair("t");
    const got = received(device);
    await host.write("AT\r");
    expect(got).toEqual([]);
    await clock.tickAsync(0);
    expect(Buffer.concat(got).toString("latin1")).toBe("AT\r");
  });

  it("keeps every byte value of a string (latin1) and of a buffer", async () => {
    const [host, device] = memoryLinkPair();
    const got = received(device);
    await host.write("\xff\x1a\x00");
    await host.write(Buffer.from([0x80, 0x0d]));
    await clock.tickAsync(0);
    expect([...Buffer.concat(got)]).toEqual([0xff, 0x1a, 0x00, 0x80, 0x0d]);
  });

  it("copies a written buffer so later changes by the caller do not reach the peer", async () => {
    const [host, device] = memoryLinkPair();
    const got = received(device);
    const buf = Buffer.from("OK");
    await host.write(buf);
    buf.fill(0);
    await clock.tickAsync(0);
    expect(Buffer.concat(got).toString()).toBe("OK");
  });

  it("close reports intentional on this end and an error on the peer, once each", async () => {
    const [host, device] = memoryLinkPair();
    const hostInfo: LinkCloseInfo[] = [];
    const devInfo: LinkCloseInfo[] = [];
    host.onClose((i) => hostInfo.push(i));
    device.onClose((i) => devInfo.push(i));
    await host.close();
    await host.close();
    expect(hostInfo).toEqual([{ intentional: true }]);
    expect(devInfo).toHaveLength(1);
    expect(devInfo[0]?.intentional).toBe(false);
    expect(devInfo[0]?.error?.message).toBe("peer closed");
    expect(host.isOpen).toBe(false);
    expect(device.isOpen).toBe(false);
  });

  it("a write on a closed end rejects with LINK_LOST", async () => {
    const [host] = memoryLinkPair();
    await host.close();
    const err: unknown = await host.write("AT").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("LINK_LOST");
  });

  it("bytes still in flight when the peer closes are not delivered", async () => {
    const [host, device] = memoryLinkPair();
    const got = received(device);
    await host.write("late");
    await device.close();
    await clock.tickAsync(0);
    expect(got).toEqual([]);
  });

  it("an unsubscribed data listener gets nothing", async () => {
    const [host, device] = memoryLinkPair();
    const got: Buffer[] = [];
    const off = device.onData((c) => got.push(c));
    off();
    await host.write("x");
    await clock.tickAsync(0);
    expect(got).toEqual([]);
  });
});

describe("MemoryPort", () => {
  it("hands the device end of each new connection to the simulator", async () => {
    const port = new MemoryPort("radio");
    const ends: ByteLink[] = [];
    port.onConnection((d) => ends.push(d));
    const host = await port.factory();
    expect(ends).toHaveLength(1);
    expect(host.description).toBe("sim:radio:host");
    expect(ends[0]?.description).toBe("sim:radio:device");
    const got = received(ends[0]!);
    await host.write("AT\r");
    await clock.tickAsync(0);
    expect(Buffer.concat(got).toString()).toBe("AT\r");
  });

  it("unplug closes both ends as not intentional and makes opening fail with LINK_OPEN_FAILED until replug", async () => {
    const port = new MemoryPort("radio");
    let device: ByteLink | undefined;
    port.onConnection((d) => (device = d));
    const host = await port.factory();
    const infos: LinkCloseInfo[] = [];
    host.onClose((i) => infos.push(i));
    device!.onClose((i) => infos.push(i));
    port.unplug();
    expect(port.isPlugged).toBe(false);
    expect(infos.map((i) => [i.intentional, i.error?.message])).toEqual([
      [false, "device unplugged"],
      [false, "device unplugged"],
    ]);
    const err: unknown = await port.factory().catch((e: unknown) => e);
    expect((err as GatewayError).code).toBe("LINK_OPEN_FAILED");
    expect((err as GatewayError).context["errno"]).toBe("ENOENT");
    port.replug();
    expect(port.isPlugged).toBe(true);
    const again = await port.factory();
    expect(again.isOpen).toBe(true);
  });

  it("unplug with nothing connected only marks the port unplugged", () => {
    const port = new MemoryPort("modem");
    expect(() => port.unplug()).not.toThrow();
    expect(port.isPlugged).toBe(false);
  });
});

describe("Listeners", () => {
  it("calls every listener with the arguments, counts and clears them", () => {
    const l = new Listeners<[number, string]>();
    const calls: string[] = [];
    const off = l.add((n, s) => calls.push(`a${n}${s}`));
    l.add((n, s) => calls.push(`b${n}${s}`));
    expect(l.size).toBe(2);
    l.emit(1, "x");
    off();
    l.emit(2, "y");
    l.clear();
    l.emit(3, "z");
    expect(calls).toEqual(["a1x", "b1x", "b2y"]);
    expect(l.size).toBe(0);
  });
});
