import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RakelPeiAdapter } from "../../adapters/rakel-pei/rakel-pei-adapter.js";
import { SimTerminal, runOnPty } from "../../adapters/rakel-pei/sim/index.js";
import { serialPortFactory } from "../../adapters/serial-link/serialport-link.js";
import { isGatewayError } from "../../src/shared/errors.js";
import { silentLogger } from "../../src/shared/logger.js";
import { FAST, FAST_SIM, type RadioRig, fastProfile, radioRig, until, within } from "../helpers/radio-rig.js";

/**
 * Wall-clock limits of the PEI link with the test profile's timings (FAST: 500 ms per command, 1 s per
 * send). The behaviour behind each (the error codes, the recovery) is tested without these bounds in
 * test/integration/rakel-pei; here only how long it takes, so a slow or busy machine can fail this tier
 * without making `npm test` flaky. Goals: docs/reliability.md R6 and faults #17 and #19.
 */
let rig: RadioRig | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

describe("link timing", () => {
  it("notices an unplugged memory port within 100 ms (fault #19)", async () => {
    rig = await radioRig();
    const t0 = performance.now();
    rig.port.unplug();
    await rig.waitHealth("disconnected", 1000);
    const down = performance.now() - t0;
    console.info(`memory port: disconnected ${down.toFixed(1)} ms after the unplug`);
    expect(down).toBeLessThan(100);
  });

  it("fails a send to a terminal that answers too late within 3 command timeouts + 1 s (fault #17)", async () => {
    rig = await radioRig();
    rig.sim.setFaults({ answerDelayMs: 3 * FAST.commandTimeoutMs + 300 });
    const t0 = performance.now();
    const err: unknown = await within(rig.radio.sendSds(PEER, { type: "text", text: "För sent" }), 10_000, "send").catch((e: unknown) => e);
    const took = performance.now() - t0;
    console.info(`late answers: AT_TIMEOUT after ${Math.round(took)} ms`);
    expect(isGatewayError(err, "AT_TIMEOUT")).toBe(true);
    expect(took).toBeLessThan(3 * FAST.commandTimeoutMs + 1000);
  });

  it("fails a send whose AT+CMGS answer was dropped within the send timeout + 1 s (fault #17)", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const off = r.sim.on("command", (line) => {
      if (line.startsWith("AT+CTSDS=")) r.sim.setFaults({ dropNextAnswers: 1 });
    });
    const t0 = performance.now();
    const err: unknown = await within(r.radio.sendSds(PEER, { type: "text", text: "Tappad" }), 10_000, "send").catch((e: unknown) => e);
    off();
    const took = performance.now() - t0;
    console.info(`dropped AT+CMGS answer: AT_TIMEOUT after ${Math.round(took)} ms`);
    expect(isGatewayError(err, "AT_TIMEOUT")).toBe(true);
    expect(took).toBeLessThan(FAST.sendTimeoutMs + 1000);
  });

  it("ends a send queued while unplugged within 1 s of its 300 ms timeoutMs", async () => {
    rig = await radioRig();
    rig.port.unplug();
    await rig.waitHealth("disconnected", 1000);
    const t0 = performance.now();
    const err: unknown = await within(rig.radio.sendSds(PEER, { type: "text", text: "För sent" }, { timeoutMs: 300 }), 5000, "send").catch((e: unknown) => e);
    const took = performance.now() - t0;
    console.info(`queued while unplugged: AT_EXPIRED after ${Math.round(took)} ms`);
    expect(isGatewayError(err, "AT_EXPIRED")).toBe(true);
    expect(took).toBeLessThan(1000);
  });

  it("marks a terminal whose pseudo-terminal vanished down within 5 s and ready within 5 s of its return (R6)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rakelgw-perf-pty-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "radio");
    const sim = new SimTerminal({ config: FAST_SIM });
    cleanups.push(() => sim.stop());
    let session = await runOnPty(path, sim);
    cleanups.push(() => session.stop());
    const radio = new RakelPeiAdapter({ name: "perf-pty", log: silentLogger(), profile: fastProfile(), linkFactory: serialPortFactory({ path, baudRate: 38400 }) });
    cleanups.push(() => radio.stop());
    await radio.start();
    await radio.waitReady(5000);
    const tDown = performance.now();
    await session.stop();
    await until(() => radio.health.state === "disconnected", 10_000, "disconnected");
    const down = performance.now() - tDown;
    const tUp = performance.now();
    session = await runOnPty(path, sim);
    await until(() => radio.health.state === "ready", 15_000, "ready again");
    const up = performance.now() - tUp;
    console.info(`pty: disconnected ${Math.round(down)} ms after socat stopped, ready ${Math.round(up)} ms after the pty came back`);
    expect(down).toBeLessThan(5000);
    expect(up).toBeLessThan(5000);
  }, 40_000);
});
