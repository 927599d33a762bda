import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LinkHealth } from "../../../adapters/at/link-health.js";
import { RakelPeiAdapter } from "../../../adapters/rakel-pei/rakel-pei-adapter.js";
import { type PtySession, SimTerminal, runOnPty } from "../../../adapters/rakel-pei/sim/index.js";
import { serialPortFactory } from "../../../adapters/serial-link/serialport-link.js";
import type { ReceivedSds, SdsProgress } from "../../../src/ports/radio-terminal.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { FAST_SIM, fastProfile, until, within } from "../../helpers/radio-rig.js";

/**
 * The adapter with the real serialport binding on a pseudo-terminal that socat creates, with the simulated
 * terminal behind it (pty-runner.ts). Stopping the pty session ends socat, which the host sees as an unplug.
 */
let dir: string;
const cleanups: (() => Promise<void>)[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-pei-pty-"));
  process.on("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  rmSync(dir, { recursive: true, force: true });
});

function adapterOn(path: string): { radio: RakelPeiAdapter; received: ReceivedSds[]; progress: SdsProgress[]; health: (LinkHealth & { at: number })[] } {
  const radio = new RakelPeiAdapter({ name: "pty-radio", log: silentLogger(), profile: fastProfile(), linkFactory: serialPortFactory({ path, baudRate: 38400 }) });
  const received: ReceivedSds[] = [];
  const progress: SdsProgress[] = [];
  const health: (LinkHealth & { at: number })[] = [];
  radio.on("sds", (s) => received.push(s));
  radio.on("progress", (p) => progress.push(p));
  radio.on("health", (h) => health.push({ ...h, at: Date.now() }));
  cleanups.push(() => radio.stop());
  return { radio, received, progress, health };
}

describe("The adapter on a real pseudo-terminal with the serialport binding", () => {
  it("initialises, sends with a report, receives, and reconnects by itself after socat goes away and comes back", async () => {
    const path = join(dir, "radio");
    const sim = new SimTerminal({ config: FAST_SIM });
    const commands: string[] = [];
    sim.on("command", (c) => commands.push(c));
    cleanups.push(() => Promise.resolve(sim.stop()));
    let session: PtySession = await runOnPty(path, sim);
    cleanups.push(() => session.stop());
    const { radio, received, progress } = adapterOn(path);
    await radio.start();
    await radio.waitReady(5000);
    expect(radio.state.identity.issi).toBe("2001234");
    expect(sim.state.routing.list().length).toBeGreaterThanOrEqual(5);

    const sent = await radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "Över pty: åäö", report: "both" });
    await until(() => progress.some((p) => p.id === sent.id && p.stage === "consumed"), 3000, "consumed");
    expect(progress.filter((p) => p.id === sent.id).map((p) => p.stage)).toEqual(["accepted", "sent", "delivered", "consumed"]);
    expect(sim.sent[0]?.text).toBe("Över pty: åäö");
    sim.injectText("2005556", "Tillbaka över pty");
    await until(() => received.some((s) => s.payload["text"] === "Tillbaka över pty"), 3000, "incoming text");

    // Unplug: socat exits and the pty disappears.
    // How soon (R6: down within 5 s, back within 5 s) is measured in the perf tier (test/perf/).
    await session.stop();
    await until(() => radio.health.state === "disconnected", 6000, "health disconnected");
    session = await runOnPty(path, sim);
    await until(() => radio.health.state === "ready", 12_000, "ready again");
    expect(commands.filter((c) => c === "ATE0")).toHaveLength(2); // initialised again on the new pty

    const again = await radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "Igen", report: "received" });
    await until(() => progress.some((p) => p.id === again.id && p.stage === "delivered"), 3000, "delivered after reconnect");
    sim.injectStatus("2005556", 0x8002);
    await until(() => received.some((s) => s.payload["value"] === 0x8002), 3000, "status after reconnect");
    expect(commands.some((c) => /^ATZ/i.test(c))).toBe(false);
    expect(unhandled).toEqual([]);
  });

  it("reports an open failure in its health for a path that does not exist, without crashing", async () => {
    const path = join(dir, "no-such-tty");
    const { radio, health } = adapterOn(path);
    await within(radio.start(), 3000, "start");
    await until(() => health.length > 0, 2000, "a health event");
    expect(radio.health.state).toBe("disconnected");
    expect(radio.health.detail).toMatch(/^open failed: .*no-such-tty/);
    await expect(radio.waitReady(300)).rejects.toMatchObject({ code: "LINK_NOT_OPEN" });
    // It keeps trying in the background; a second failed attempt does not crash either.
    await until(() => health.length >= 1 && Date.now() - health[0]!.at > 400, 2000, "more attempts");
    expect(unhandled).toEqual([]);
  });
});
