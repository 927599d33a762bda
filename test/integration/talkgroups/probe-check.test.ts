import { afterEach, describe, expect, it } from "vitest";
import { cme } from "../../../adapters/rakel-pei/sim/index.js";
import { until } from "../../helpers/radio-rig.js";
import { SIM_DEFAULT_PLAN, plan, tgRig, type TgRig } from "./tg-rig.js";

/**
 * Talk-group checks by probing (docs/pei.md §7.3 step 2) against a simulated terminal that refuses listing
 * (`+CME ERROR: 4`), through the real PEI adapter: each outcome and each interruption — a call before and
 * during the check, busy answers, a terminal restart, Ctrl-C, the overall timeout. After every one the
 * original group and mode must be back, verified by reading them.
 */
let rig: TgRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const NO_LIST = { supportsListing: false, defaultTmoGroup: "9020" } as const;
const PROBE_PLAN = plan([
  { gssi: 9001, name: "RSÄK Sthlm 1" },
  { gssi: 9002, name: "RSÄK Sthlm 2" },
  { gssi: 9030, name: "SSR Ledning" },
  { gssi: 9010, name: "SOS Larm Sthlm" },
  { gssi: 9021, name: "SAMV Sthlm 2", required: false },
]);
const probes = (r: TgRig) => r.commands.filter((c) => /^AT\+CTGS=1,/.test(c));
const status = (r: Awaited<ReturnType<TgRig["check"]>>) => Object.fromEntries(r.groups.map((g) => [g.gssi, g.status]));

describe("talk-group check by probing (AT+CTGS)", () => {
  it("falls back to probing, spaces the selections, finds the missing group and restores the original group (exit 1)", async () => {
    rig = await tgRig(NO_LIST, { minProbeIntervalMs: 40 });
    const r = await rig.check(PROBE_PLAN);
    expect(r.method).toBe("probe");
    expect(r.methodNote).toMatch(/CME ERROR: 4.*probed instead/);
    expect(status(r)).toEqual({ 9001: "present", 9002: "present", 9030: "missing", 9010: "present", 9021: "not-checked" });
    expect(r.groups.find((g) => g.gssi === 9030)!.detail).toBe("not selectable in TMO (+CME ERROR: 34)");
    expect(probes(rig)).toEqual(["AT+CTGS=1,9001", "AT+CTGS=1,9002", "AT+CTGS=1,9030", "AT+CTGS=1,9010", "AT+CTGS=1,9020"]);
    const times = rig.commandTimes.filter((c) => /^AT\+CTGS=1,/.test(c.line)).map((c) => c.t);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(38);
    expect(rig.sim.selectedGroup).toBe("9020");
    expect(r.restore).toMatchObject({ changed: true, restored: true, final: { modeCode: 0, group: "9020" } });
    expect(r.summary.exitCode).toBe(1);
    expect(rig.transmitCommands()).toEqual([]);
  });

  it("probes DMO groups in DMO, puts back the DMO selection and the mode", async () => {
    rig = await tgRig({ ...NO_LIST, defaultDmoGroup: "102" });
    const r = await rig.check(SIM_DEFAULT_PLAN);
    expect(status(r)).toMatchObject({ 9001: "present", 101: "present", 102: "not-checked" });
    expect(rig.sim.state.mode).toBe(0);
    expect(rig.sim.state.selectedDmo).toBe("102");
    expect(rig.sim.selectedGroup).toBe("9020");
    expect(r.summary.exitCode).toBe(0);
  });

  it("waits out group attachment and retries while the terminal answers busy (+CME ERROR: 42)", async () => {
    rig = await tgRig({ ...NO_LIST, groupAttachMs: 60 }, { minProbeIntervalMs: 10 });
    let busy = 2;
    // Signalling for something else (an SDS, DGNA) keeps the terminal busy for the first two tries.
    rig.sim.defineBehaviour({ name: "busy-twice", onCommand: (cmd) => (cmd.raw === "AT+CTGS=1,9002" && busy-- > 0 ? cme(42) : undefined) });
    const r = await rig.check(plan([{ gssi: 9001, name: "A" }, { gssi: 9002, name: "B" }]));
    expect(status(r)).toEqual({ 9001: "present", 9002: "present" });
    expect(rig.commands.filter((c) => c === "AT+CTGS=1,9002")).toHaveLength(3);
    expect(rig.sim.selectedGroup).toBe("9020");
    expect(r.restored).toBe(true);
  });

  it("refuses to start while a call is active and sends no selection", async () => {
    rig = await tgRig(NO_LIST);
    rig.sim.startCall("9020");
    await until(() => rig!.radio.state.callActive, 1000, "+CTICN");
    await expect(rig.check(PROBE_PLAN)).rejects.toMatchObject({ code: "TG_CALL_ACTIVE" });
    expect(probes(rig)).toEqual([]);
  });

  it("aborts cleanly when a call starts mid-check, waits for its end and restores the group", async () => {
    rig = await tgRig(NO_LIST, { minProbeIntervalMs: 30 });
    const sim = rig.sim;
    sim.on("command", (line) => {
      if (line !== "AT+CTGS=1,9002") return;
      setTimeout(() => sim.startCall("9002"), 5);
      setTimeout(() => sim.endCall(), 150);
    });
    const r = await rig.check(PROBE_PLAN);
    expect(r.interruption).toMatchObject({ kind: "call" });
    expect(status(r)).toMatchObject({ 9001: "present", 9002: "present", 9030: "not-checked", 9010: "not-checked" });
    expect(probes(rig)).not.toContain("AT+CTGS=1,9030");
    expect(sim.selectedGroup).toBe("9020");
    expect(r.restore).toMatchObject({ restored: true });
    expect(r.summary.exitCode).toBe(2);
  });

  it("also stops when +CTXG shows someone talking, and restores once the call is released", async () => {
    rig = await tgRig(NO_LIST, { minProbeIntervalMs: 30 });
    const sim = rig.sim;
    sim.on("command", (line) => {
      if (line !== "AT+CTGS=1,9001") return;
      // Transmission grant to another party (6 fields = someone else talking, docs/pei.md §8.2), then the release.
      setTimeout(() => sim.injectRaw(["+CTXG: 7,3,0,0,1,2005555"]), 5);
      setTimeout(() => sim.injectRaw(["+CTCR: 7,1"]), 120);
    });
    const r = await rig.check(PROBE_PLAN);
    expect(r.interruption).toMatchObject({ kind: "call" });
    expect(probes(rig)).not.toContain("AT+CTGS=1,9030");
    expect(sim.selectedGroup).toBe("9020");
    expect(r.restored).toBe(true);
  });

  it("restores group and mode after the terminal restarts in the middle of a DMO probe", async () => {
    rig = await tgRig({ ...NO_LIST, registrationDelayMs: 0 });
    const sim = rig.sim;
    // The operator's group is not the power-up default, so the restore has real work after the restart.
    sim.frontPanelSelect("9021");
    await until(() => rig!.radio.state.selectedGroup === "9021", 1000, "+CTGS");
    sim.on("command", (line) => line === "AT+CTGS=1,101" && setTimeout(() => void sim.reboot(200), 5));
    const r = await rig.check(SIM_DEFAULT_PLAN);
    expect(r.interruption).toMatchObject({ kind: "link" });
    expect(r.restore).toMatchObject({ restored: true, original: { modeCode: 0, group: "9021" } });
    expect(sim.state.mode).toBe(0);
    expect(sim.selectedGroup).toBe("9021");
    expect(rig.radio.health.state).toBe("ready");
  });

  it("Ctrl-C (cancel signal) stops the probes and restores", async () => {
    rig = await tgRig(NO_LIST, { minProbeIntervalMs: 30 });
    const cancel = new AbortController();
    rig.sim.on("command", (line) => line === "AT+CTGS=1,9002" && cancel.abort());
    const r = await rig.check(PROBE_PLAN, { signal: cancel.signal });
    expect(r.interruption).toMatchObject({ kind: "cancelled" });
    expect(probes(rig)).not.toContain("AT+CTGS=1,9030");
    expect(rig.sim.selectedGroup).toBe("9020");
    expect(r.restored).toBe(true);
  });

  it("stops at the overall timeout and restores", async () => {
    rig = await tgRig(NO_LIST, { minProbeIntervalMs: 100 });
    const r = await rig.check(PROBE_PLAN, { timeoutMs: 250 });
    expect(r.interruption).toMatchObject({ kind: "timeout" });
    expect(r.groups.some((g) => g.status === "not-checked" && g.required)).toBe(true);
    expect(rig.sim.selectedGroup).toBe("9020");
    expect(r.restored).toBe(true);
  });

  it("reports a restore it cannot verify (terminal keeps refusing) as not restored", async () => {
    rig = await tgRig(NO_LIST, { minProbeIntervalMs: 10 });
    rig.sim.on("command", (line) => line === "AT+CTGS=1,9001" && rig!.sim.setFaults({ busyNext: 1000 }));
    const r = await rig.check(plan([{ gssi: 9001, name: "A" }]), { restoreTimeoutMs: 400, tuning: { busyRetries: 2, busyBackoffMs: 10, confirmPollMs: 10 } });
    rig.sim.clearFaults();
    expect(r.restored).toBe(false);
    expect(r.restore.detail).toMatch(/^NOT (restored|verified)/);
    expect(r.summary.exitCode).toBe(2);
  });
});
