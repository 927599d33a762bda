import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RakelPeiAdapter } from "../../../adapters/rakel-pei/rakel-pei-adapter.js";
import { SimTerminal, runOnPty, type PtySession, type SimTerminalConfig } from "../../../adapters/rakel-pei/sim/index.js";
import { PeiTalkgroupReader } from "../../../adapters/rakel-pei/talkgroups/pei-talkgroup-reader.js";
import { serialPortFactory } from "../../../adapters/serial-link/serialport-link.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { runTalkgroupCheck } from "../../../src/talkgroups/check-runner.js";
import { FAST_SIM, fastProfile, until } from "../../helpers/radio-rig.js";
import { SIM_DEFAULT_PLAN } from "./tg-rig.js";

/**
 * The same checks through a real pseudo-terminal (socat) and the real serialport binding, as a technician's
 * laptop sees a USB serial adapter: bytes cross the kernel tty layer, which buffers more than a UART.
 */
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function ptyRig(config: Partial<SimTerminalConfig>) {
  const dir = mkdtempSync(join(tmpdir(), "rakelgw-tg-pty-"));
  const sim = new SimTerminal({ config: { ...FAST_SIM, ...config } });
  const session: PtySession = await runOnPty(join(dir, "radio"), sim);
  const profile = fastProfile((p) => (p.talkgroups.minProbeIntervalMs = 20));
  const radio = new RakelPeiAdapter({ name: "pty-radio", log: silentLogger(), profile, linkFactory: serialPortFactory({ path: session.path, baudRate: 38400 }), heartbeatMs: 0 });
  await radio.start();
  await radio.waitReady(5000);
  const commands: string[] = [];
  sim.on("command", (l) => commands.push(l));
  cleanup = async () => {
    await radio.stop();
    await session.stop();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const reader = new PeiTalkgroupReader({ terminal: radio, timeoutMs: 800 });
  return { sim, radio, commands, check: (o: { method?: "list" | "probe" } = {}) => runTalkgroupCheck({ reader, plan: SIM_DEFAULT_PLAN, log: silentLogger(), restoreTimeoutMs: 8000, tuning: { confirmPollMs: 10, busyBackoffMs: 20 }, ...o }) };
}

describe("talk-group check through a real pseudo-terminal", () => {
  it("lists TMO and DMO groups (TSI identities, Latin-1 aliases) and reports all present", async () => {
    const rig = await ptyRig({});
    const r = await rig.check();
    expect(r.method).toBe("list");
    expect(r.summary).toMatchObject({ present: 7, exitCode: 0 });
    expect(r.groups.find((g) => g.gssi === 9001)!.terminalName).toBe("RSÄK Sthlm 1");
    expect(rig.sim.state.mode).toBe(0);
  });

  it("probes, survives a terminal restart mid-check and restores the operator's group", async () => {
    const rig = await ptyRig({ supportsListing: false, registrationDelayMs: 0 });
    rig.sim.frontPanelSelect("9021");
    await until(() => rig.radio.state.selectedGroup === "9021", 2000, "+CTGS");
    rig.sim.on("command", (line) => line === "AT+CTGS=1,9010" && setTimeout(() => void rig.sim.reboot(200), 5));
    const r = await rig.check();
    expect(r.interruption).toMatchObject({ kind: "link" });
    expect(r.restore).toMatchObject({ restored: true, final: { modeCode: 0, group: "9021" } });
    expect(rig.sim.selectedGroup).toBe("9021");
    expect(rig.commands.some((c) => /^ATD|^AT\+CMGS=\d/.test(c))).toBe(false);
  });
});
