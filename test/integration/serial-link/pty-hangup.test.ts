import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LinuxBinding } from "@serialport/bindings-cpp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runOnPty, type AttachableSimulator, type PtySession } from "../../../adapters/shared-kits/simulator/pty-runner.js";
import type { ByteLink } from "../../../adapters/serial-link/byte-link.js";
import { HANGUP_READ_CODE, hangupAwareBinding } from "../../../adapters/serial-link/hangup-aware-binding.js";
import { ManagedLink } from "../../../adapters/serial-link/managed-link.js";
import { serialPortFactory } from "../../../adapters/serial-link/serialport-link.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { until } from "../../helpers/radio-rig.js";

/**
 * A tty that hangs up (USB adapter pulled; here: socat, which holds the pty master, killed). Linux then
 * answers read() on the host's fd with 0 bytes at once. serialport 13's own read takes 0 bytes as "read
 * again" and spins; a read that was past its poll() at the hang-up never ended, and the gateway noticed the
 * loss only at its next write (soak run H: 12 s, while an AT+CMGS waited for its answer).
 */
let dir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-hangup-"));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The device end: records what the host wrote, answers nothing unless told. */
class SilentDevice implements AttachableSimulator {
  link: ByteLink | undefined;
  received = "";
  attach(link: ByteLink): void {
    this.link = link;
    link.onData((c) => (this.received += c.toString("latin1")));
  }
  detach(): void {
    this.link = undefined;
  }
}

async function plug(name: string): Promise<{ path: string; device: SilentDevice; session: PtySession }> {
  const path = join(dir, name);
  const device = new SilentDevice();
  const session = await runOnPty(path, device);
  cleanups.push(() => session.stop());
  return { path, device, session };
}

function settleWithin<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: NodeJS.ErrnoException; pending?: true }> {
  return Promise.race([
    p.then(
      (value) => ({ value }),
      (error: NodeJS.ErrnoException) => ({ error }),
    ),
    new Promise<{ pending: true }>((resolve) => setTimeout(() => resolve({ pending: true }), ms)),
  ]);
}

describe("A tty that hangs up under a read (real pseudo-terminal)", () => {
  it("fails a read that starts after the hang-up with a disconnect error, where serialport's own read never returns", async () => {
    const { path, session } = await plug("tty-read");
    const ours = await hangupAwareBinding.open({ path, baudRate: 38400, lock: false });
    const stock = await LinuxBinding.open({ path, baudRate: 38400, lock: false });
    cleanups.push(() => Promise.all([ours.close().catch(() => undefined), stock.close().catch(() => undefined)]));
    await session.stop();

    const [mine, theirs] = await Promise.all([settleWithin(ours.read(Buffer.alloc(64), 0, 64), 2000), settleWithin(stock.read(Buffer.alloc(64), 0, 64), 2000)]);
    expect(mine.error?.code).toBe(HANGUP_READ_CODE);
    expect((mine.error as { disconnect?: boolean } | undefined)?.disconnect).toBe(true);
    // The reason for our read. If this starts failing, serialport has fixed it upstream and our read may go.
    expect(theirs.pending).toBe(true);
  });

  it("still reads data and waits for more when the device is quiet", async () => {
    const { path, device } = await plug("tty-data");
    const port = await hangupAwareBinding.open({ path, baudRate: 38400, lock: false });
    cleanups.push(() => port.close().catch(() => undefined));
    const read = port.read(Buffer.alloc(64), 0, 64);
    expect((await settleWithin(read, 300)).pending).toBe(true);
    await device.link!.write("OK\r\n");
    // The read pending since the quiet spell gets the bytes.
    const next = await settleWithin(read, 2000);
    const got = next.value ? next.value.buffer.subarray(0, next.value.bytesRead).toString("latin1") : "";
    expect(got).toBe("OK\r\n");
  });

  it("reports the link lost within 5 s when the device is unplugged while a command waits for an answer that never comes, 50 times", async () => {
    const path = join(dir, "tty-cmgs");
    const link = new ManagedLink({ factory: serialPortFactory({ path, baudRate: 38400 }), log: silentLogger(), name: "pty", backoff: { baseMs: 50, capMs: 200, minMs: 20 } });
    const lostAt: number[] = [];
    link.on("lost", () => lostAt.push(performance.now()));
    cleanups.push(() => link.stop());
    const downMs: number[] = [];
    for (let cycle = 0; cycle < 50; cycle++) {
      const device = new SilentDevice();
      const session = await runOnPty(path, device);
      if (cycle === 0) await link.start();
      await until(() => link.state === "open", 5000, `open in cycle ${cycle}`);
      // The device streams unsolicited lines, so the host's reads are busy at the moment of the unplug;
      // the command itself is never answered.
      const chatter = setInterval(() => void device.link?.write("+CREG: 1\r\n".repeat(20)).catch(() => undefined), 1);
      await link.write("AT+CMGS=2001234,1,0,64\r");
      await until(() => device.received.includes("AT+CMGS"), 2000, `command seen in cycle ${cycle}`);
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      const before = lostAt.length;
      const unplugAt = performance.now();
      await session.stop();
      clearInterval(chatter);
      await until(() => lostAt.length > before, 5000, `link lost in cycle ${cycle}`);
      downMs.push(lostAt[lostAt.length - 1]! - unplugAt);
    }
    expect(Math.max(...downMs)).toBeLessThan(5000);
  }, 120_000);
});
