import { afterEach, beforeEach, describe, expect, it } from "vitest";
import sinon from "sinon";
import type { ByteLink, ByteLinkFactory, LinkCloseInfo } from "../../../adapters/serial-link/byte-link.js";
import { ManagedLink } from "../../../adapters/serial-link/managed-link.js";
import { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"] });
});
afterEach(() => {
  clock.restore();
});

/** random() = 1 makes every delay the ceiling: 100, 200, 400, 800, then the 1000 cap. */
const BACKOFF = { baseMs: 100, capMs: 1000, minMs: 0, random: () => 1 };

function setup(factory?: ByteLinkFactory) {
  const port = new MemoryPort("radio");
  const devices: ByteLink[] = [];
  port.onConnection((d) => devices.push(d));
  const calls: number[] = [];
  const counted: ByteLinkFactory = () => {
    calls.push(Date.now());
    return (factory ?? port.factory)();
  };
  const link = new ManagedLink({ factory: counted, log: silentLogger(), name: "radio", backoff: BACKOFF });
  const ev = { open: 0, lost: [] as LinkCloseInfo[], failed: [] as { code: string | undefined; attempt: number; retryInMs: number }[] };
  link.on("open", () => ev.open++);
  link.on("lost", (i) => ev.lost.push(i));
  link.on("openFailed", (err, attempt, retryInMs) => ev.failed.push({ code: err instanceof GatewayError ? err.code : undefined, attempt, retryInMs }));
  return { port, devices, link, calls, ev };
}

describe("ManagedLink", () => {
  it("opens on start, fires open and passes data both ways", async () => {
    const { link, devices, ev } = setup();
    expect(link.state).toBe("stopped");
    await link.start();
    expect(link.state).toBe("open");
    expect(ev.open).toBe(1);
    expect(link.current).toBeDefined();
    const fromHost: Buffer[] = [];
    devices[0]!.onData((c) => fromHost.push(c));
    const toHost: Buffer[] = [];
    link.on("data", (c) => toHost.push(c));
    await link.write("AT\r");
    await devices[0]!.write("\r\nOK\r\n");
    await clock.tickAsync(0);
    expect(Buffer.concat(fromHost).toString()).toBe("AT\r");
    expect(Buffer.concat(toHost).toString()).toBe("\r\nOK\r\n");
    await link.stop();
  });

  it("start twice opens once", async () => {
    const { link, calls } = setup();
    await link.start();
    await link.start();
    expect(calls).toHaveLength(1);
    await link.stop();
  });

  it("unplug fires lost, then reopen attempts fail with growing, capped delays until replug reopens it", async () => {
    const { port, link, calls, ev } = setup();
    await link.start();
    port.unplug();
    expect(ev.lost).toHaveLength(1);
    expect(ev.lost[0]?.intentional).toBe(false);
    expect(ev.lost[0]?.error?.message).toBe("device unplugged");
    expect(link.state).toBe("waiting");
    expect(link.current).toBeUndefined();

    await clock.tickAsync(100 + 200 + 400 + 800 + 1000 + 1000);
    expect(calls).toEqual([0, 100, 300, 700, 1500, 2500, 3500]);
    expect(ev.failed).toEqual([
      { code: "LINK_OPEN_FAILED", attempt: 2, retryInMs: 200 },
      { code: "LINK_OPEN_FAILED", attempt: 3, retryInMs: 400 },
      { code: "LINK_OPEN_FAILED", attempt: 4, retryInMs: 800 },
      { code: "LINK_OPEN_FAILED", attempt: 5, retryInMs: 1000 },
      { code: "LINK_OPEN_FAILED", attempt: 6, retryInMs: 1000 },
      { code: "LINK_OPEN_FAILED", attempt: 7, retryInMs: 1000 },
    ]);
    expect(ev.open).toBe(1);

    port.replug();
    await clock.tickAsync(999);
    expect(ev.open).toBe(1);
    await clock.tickAsync(1);
    expect(ev.open).toBe(2);
    expect(link.state).toBe("open");
    expect(link.current?.isOpen).toBe(true);
    await link.stop();
  });

  it("a successful reopen resets the backoff for the next loss", async () => {
    const { port, link, calls } = setup();
    await link.start();
    port.unplug();
    await clock.tickAsync(100 + 200);
    port.replug();
    await clock.tickAsync(400);
    expect(link.state).toBe("open");
    const before = calls.length;
    port.unplug();
    port.replug();
    await clock.tickAsync(99);
    expect(calls).toHaveLength(before);
    await clock.tickAsync(1);
    expect(calls).toHaveLength(before + 1);
    expect(link.state).toBe("open");
    await link.stop();
  });

  it("write while the link is down rejects with LINK_NOT_OPEN", async () => {
    const { port, link } = setup();
    await link.start();
    port.unplug();
    const err: unknown = await link.write("AT\r").catch((e: unknown) => e);
    expect((err as GatewayError).code).toBe("LINK_NOT_OPEN");
    await link.stop();
  });

  it("stop ends the retries, even after replug", async () => {
    const { port, link, calls, ev } = setup();
    await link.start();
    port.unplug();
    await clock.tickAsync(100);
    const n = calls.length;
    await link.stop();
    expect(link.state).toBe("stopped");
    port.replug();
    await clock.tickAsync(60_000);
    expect(calls).toHaveLength(n);
    expect(ev.open).toBe(1);
  });

  it("stop closes the open link as intentional and fires no lost event", async () => {
    const { link, devices, ev } = setup();
    await link.start();
    const devInfo: LinkCloseInfo[] = [];
    devices[0]!.onClose((i) => devInfo.push(i));
    await link.stop();
    expect(ev.lost).toEqual([]);
    expect(devInfo).toHaveLength(1);
    expect(link.current).toBeUndefined();
  });

  it("a link that finishes opening after stop is closed and never announced", async () => {
    const port = new MemoryPort("slow");
    let release: (() => void) | undefined;
    const slow: ByteLinkFactory = () => new Promise((resolve) => (release = () => void port.factory().then(resolve)));
    const { link, ev } = setup(slow);
    const started = link.start();
    await link.stop();
    release!();
    await started;
    await clock.tickAsync(0);
    expect(ev.open).toBe(0);
    expect(link.state).toBe("stopped");
  });

  it("a first start on an unplugged port resolves, reports openFailed and opens after replug", async () => {
    const { port, link, ev } = setup();
    port.unplug();
    await link.start();
    expect(link.state).toBe("waiting");
    expect(ev.failed).toEqual([{ code: "LINK_OPEN_FAILED", attempt: 1, retryInMs: 100 }]);
    port.replug();
    await clock.tickAsync(100);
    expect(ev.open).toBe(1);
    await link.stop();
  });

  it("reopen announces the old link as lost (intentionally), closes it and opens a new one", async () => {
    const { link, devices, ev } = setup();
    await link.start();
    const first = link.current;
    await link.reopen("device not answering");
    // The engine must drop half-read lines and fail the in-flight command of the old connection.
    expect(ev.lost).toHaveLength(1);
    expect(ev.lost[0]).toMatchObject({ intentional: true });
    expect(ev.open).toBe(2);
    expect(devices).toHaveLength(2);
    expect(devices[0]?.isOpen).toBe(false);
    expect(link.current).not.toBe(first);
    expect(link.current?.isOpen).toBe(true);
    await link.stop();
  });

  it("reopen after stop does nothing", async () => {
    const { link, calls } = setup();
    await link.start();
    await link.stop();
    await link.reopen("late");
    expect(calls).toHaveLength(1);
    expect(link.state).toBe("stopped");
  });

  it("reopen while waiting for a retry opens at once and cancels the pending retry", async () => {
    const { port, link, calls, ev } = setup();
    await link.start();
    port.unplug();
    port.replug();
    await link.reopen("operator");
    expect(ev.open).toBe(2);
    await clock.tickAsync(5000);
    expect(calls).toHaveLength(2);
    await link.stop();
  });

  it("data from a closed link no longer reaches the data listeners", async () => {
    const { link, devices } = setup();
    await link.start();
    const got: Buffer[] = [];
    link.on("data", (c) => got.push(c));
    const oldDevice = devices[0]!;
    await link.reopen("test");
    await oldDevice.write("stale").catch(() => undefined);
    await devices[1]!.write("fresh");
    await clock.tickAsync(0);
    expect(Buffer.concat(got).toString()).toBe("fresh");
    await link.stop();
  });
});
