import { describe, expect, it } from "vitest";
import type { LinuxPortBinding } from "@serialport/bindings-cpp";
import { HANGUP_READ_CODE, HangupAwarePort } from "../../../adapters/serial-link/hangup-aware-binding.js";

/** A stand-in for serialport's open Linux port: an fd, an open flag and a poller that says "readable" on demand. */
function fakeInner(open = true) {
  const waiting: ((err?: Error | null) => void)[] = [];
  const inner = {
    fd: open ? 7 : null,
    isOpen: open,
    poller: { once: (_ev: string, cb: (err?: Error | null) => void) => void waiting.push(cb) },
  };
  return { inner: inner as unknown as LinuxPortBinding, waiting };
}

const errno = (code: string) => Object.assign(new Error(code), { code });

describe("HangupAwarePort.read", () => {
  it("takes a 0-byte read as a hang-up: a disconnect error, not another read", async () => {
    let reads = 0;
    const { inner } = fakeInner();
    const port = new HangupAwarePort(inner, () => Promise.resolve({ bytesRead: (reads++, 0) }));
    await expect(port.read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({ code: HANGUP_READ_CODE, disconnect: true, canceled: false });
    expect(reads).toBe(1);
  });

  it("waits for the poller on EAGAIN and returns the bytes read after it", async () => {
    const results: (() => { bytesRead: number })[] = [
      () => {
        throw errno("EAGAIN");
      },
      () => ({ bytesRead: 3 }),
    ];
    const { inner, waiting } = fakeInner();
    const port = new HangupAwarePort(inner, () => Promise.resolve().then(() => results.shift()!()));
    const read = port.read(Buffer.alloc(8), 0, 8);
    await new Promise((r) => setImmediate(r));
    expect(waiting).toHaveLength(1);
    waiting[0]!(null);
    await expect(read).resolves.toMatchObject({ bytesRead: 3 });
  });

  it("passes other read errors and poller errors on, and cancels on a closed port", async () => {
    const eio = fakeInner();
    await expect(new HangupAwarePort(eio.inner, async () => Promise.reject(errno("EIO"))).read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({ code: "EIO" });

    const polled = fakeInner();
    const read = new HangupAwarePort(polled.inner, async () => Promise.reject(errno("EAGAIN"))).read(Buffer.alloc(8), 0, 8);
    await new Promise((r) => setImmediate(r));
    polled.waiting[0]!(new Error("bad file descriptor"));
    await expect(read).rejects.toThrow("bad file descriptor");

    await expect(new HangupAwarePort(fakeInner(false).inner).read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({ canceled: true });
    await expect(new HangupAwarePort(fakeInner().inner).read(Buffer.alloc(4), 2, 4)).rejects.toThrow(RangeError);
  });
});
