import net from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ByteLink, LinkCloseInfo } from "../../../adapters/serial-link/byte-link.js";
import { ManagedLink } from "../../../adapters/serial-link/managed-link.js";
import { tcpLinkFactory } from "../../../adapters/serial-link/tcp-link.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";

/** A local port server (ser2net stand-in) on 127.0.0.1, port 0; real sockets and real timers. */
let server: net.Server;
let port: number;
let sockets: net.Socket[];
let received: Buffer[];
let opened: ByteLink[];

beforeEach(async () => {
  sockets = [];
  received = [];
  opened = [];
  server = net.createServer((s) => {
    sockets.push(s);
    s.on("data", (c) => received.push(c));
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterEach(async () => {
  for (const l of opened) await l.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function open(): Promise<ByteLink> {
  const link = await tcpLinkFactory("127.0.0.1", port)();
  opened.push(link);
  return link;
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("tcp link", () => {
  it("connects, describes itself and passes bytes both ways unchanged", async () => {
    const link = await open();
    expect(link.description).toBe(`tcp://127.0.0.1:${port}`);
    expect(link.isOpen).toBe(true);
    const got: Buffer[] = [];
    link.onData((c) => got.push(c));
    const sent = "AT+CMGS=1,16\r\n82\xff\x1a";
    await link.write(sent);
    await until(() => Buffer.concat(received).length === sent.length);
    expect(Buffer.concat(received).equals(Buffer.from(sent, "latin1"))).toBe(true);
    await until(() => sockets.length === 1);
    sockets[0]!.write(Buffer.from([0x0d, 0x0a, 0x4f, 0x4b, 0x0d, 0x0a, 0xe9]));
    await until(() => Buffer.concat(got).length === 7);
    expect(Buffer.concat(got).toString("latin1")).toBe("\r\nOK\r\n\xe9");
  });

  it("a connection closed by the port server is reported once as not intentional, with an error", async () => {
    const link = await open();
    const infos: LinkCloseInfo[] = [];
    link.onClose((i) => infos.push(i));
    await until(() => sockets.length === 1);
    sockets[0]!.destroy();
    await until(() => infos.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(infos).toHaveLength(1);
    expect(infos[0]?.intentional).toBe(false);
    expect(infos[0]?.error).toBeInstanceOf(Error);
    expect(link.isOpen).toBe(false);
    const err: unknown = await link.write("AT\r").catch((e: unknown) => e);
    expect((err as GatewayError).code).toBe("LINK_LOST");
  });

  it("our own close is reported as intentional without an error and can be called twice", async () => {
    const link = await open();
    const infos: LinkCloseInfo[] = [];
    link.onClose((i) => infos.push(i));
    await link.close();
    await link.close();
    expect(infos).toEqual([{ intentional: true }]);
    expect(link.isOpen).toBe(false);
  });

  it("data listeners are dropped after close", async () => {
    const link = await open();
    const got: Buffer[] = [];
    link.onData((c) => got.push(c));
    await until(() => sockets.length === 1);
    await link.close();
    sockets[0]!.write("late", () => undefined);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([]);
  });

  it("connecting to a port nobody listens on fails with LINK_OPEN_FAILED", async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const freePort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err: unknown = await tcpLinkFactory("127.0.0.1", freePort)().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("LINK_OPEN_FAILED");
    expect((err as GatewayError).message).toContain(`tcp://127.0.0.1:${freePort}`);
  });

  it("a managed tcp link reopens after the port server drops the connection", async () => {
    const managed = new ManagedLink({
      factory: tcpLinkFactory("127.0.0.1", port),
      log: silentLogger(),
      name: "ser2net",
      backoff: { baseMs: 20, capMs: 50, minMs: 10 },
    });
    let opens = 0;
    const lost: LinkCloseInfo[] = [];
    managed.on("open", () => opens++);
    managed.on("lost", (i) => lost.push(i));
    await managed.start();
    await until(() => sockets.length === 1);
    sockets[0]!.destroy();
    await until(() => opens === 2);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.intentional).toBe(false);
    await managed.write("AT\r");
    await until(() => Buffer.concat(received).toString() === "AT\r");
    await managed.stop();
  });
});
