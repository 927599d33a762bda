import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/shared/logger.js";
import { runTalkgroupCheck, type RunCheckOptions } from "../../../src/talkgroups/check-runner.js";
import type { TalkgroupPlan } from "../../../src/talkgroups/plan-schema.js";
import { FakeReader, pg } from "./fake-reader.js";

const TMO = [
  { gssi: "9001", name: "RSÄK Sthlm 1" },
  { gssi: "9002", name: "RSÄK Sthlm 2" },
  { gssi: "9020", name: "SAMV Sthlm 1" },
];
const DMO = [{ gssi: "101", name: "DMO RÄDD 1" }];

function plan(groups: ReturnType<typeof pg>[]): TalkgroupPlan {
  return { name: "Test plan", version: "1", groups };
}

const FAST = { busyRetries: 3, confirmTimeoutMs: 50, confirmPollMs: 5, minIntervalMs: 0, busyBackoffMs: 5 };

function run(reader: FakeReader, p: TalkgroupPlan, o: Partial<RunCheckOptions> = {}) {
  return runTalkgroupCheck({ reader, plan: p, log: silentLogger(), tuning: FAST, restoreTimeoutMs: 1000, ...o });
}

const statuses = (r: Awaited<ReturnType<typeof run>>) => Object.fromEntries(r.groups.map((g) => [g.gssi, g.status]));

describe("runTalkgroupCheck by listing", () => {
  it("reports every group present, changes nothing and exits 0", async () => {
    const reader = new FakeReader({ tmo: TMO });
    const r = await run(reader, plan([pg(9001, "RSÄK Sthlm 1"), pg(9020, "SAMV Sthlm 1")]));
    expect(r.method).toBe("list");
    expect(statuses(r)).toEqual({ 9001: "present", 9020: "present" });
    expect(r.summary).toMatchObject({ outcome: "all-present", exitCode: 0, present: 2 });
    expect(r.restored).toBe(true);
    expect(r.restore).toMatchObject({ changed: false, detail: "nothing was changed" });
    expect(reader.log.filter((l) => l.startsWith("select") || l.startsWith("mode="))).toEqual([]);
    expect(r.terminal).toMatchObject({ issi: "2001234", mode: "tmo", modeCode: 0, selectedGroup: "9001" });
  });

  it("finds missing, wrongly named and wrong-mode groups; optional problems do not fail the check", async () => {
    const reader = new FakeReader({ tmo: TMO, dmo: DMO });
    const r = await run(reader, plan([pg(9001, "RSÄK Sthlm 1"), pg(9002, "RSÄK 2"), pg(9999, "X", "tmo", false), pg(101, "DMO RÄDD 1", "tmo"), pg(9020, "SAMV Sthlm 1", "both")]));
    expect(statuses(r)).toEqual({ 9001: "present", 9002: "name-mismatch", 9999: "missing", 101: "wrong-mode", 9020: "wrong-mode" });
    expect(r.groups.find((g) => g.gssi === 9002)!.terminalName).toBe("RSÄK Sthlm 2");
    expect(r.summary).toMatchObject({ requiredProblems: 3, optionalProblems: 1, outcome: "problems-found", exitCode: 1 });
  });

  it("reads the DMO list by switching mode and back, then verifies the restore", async () => {
    const reader = new FakeReader({ tmo: TMO, dmo: DMO });
    const r = await run(reader, plan([pg(9001, "RSÄK Sthlm 1"), pg(101, "DMO RÄDD 1", "dmo")]));
    expect(statuses(r)).toEqual({ 9001: "present", 101: "present" });
    expect(reader.log).toContain("mode=1");
    expect(reader.mode).toBe(0);
    expect(r.restore).toMatchObject({ changed: true, restored: true });
  });

  it("stays in the current mode with currentModeOnly and says why DMO groups were not checked", async () => {
    const reader = new FakeReader({ tmo: TMO, dmo: DMO });
    const r = await run(reader, plan([pg(9001, "RSÄK Sthlm 1"), pg(101, "DMO RÄDD 1", "dmo")]), { currentModeOnly: true });
    expect(statuses(r)).toEqual({ 9001: "present", 101: "not-checked" });
    expect(r.groups[1]!.detail).toMatch(/--current-mode-only/);
    expect(r.summary.exitCode).toBe(2);
    expect(reader.log).not.toContain("mode=1");
  });

  it("does not switch to DMO while a call is active, but still lists the current mode", async () => {
    const reader = new FakeReader({ tmo: TMO, dmo: DMO });
    reader.callActive = true;
    const r = await run(reader, plan([pg(9001, "RSÄK Sthlm 1"), pg(101, "DMO RÄDD 1", "dmo")]));
    expect(statuses(r)).toEqual({ 9001: "present", 101: "not-checked" });
    expect(r.groups[1]!.detail).toMatch(/call is active/);
  });

  it("with --method list on a terminal that cannot list, reports not-checked (exit 2)", async () => {
    const reader = new FakeReader({ tmo: TMO, listing: false });
    const r = await run(reader, plan([pg(9001, "RSÄK Sthlm 1")]), { method: "list" });
    expect(r.groups[0]).toMatchObject({ status: "not-checked" });
    expect(r.groups[0]!.detail).toMatch(/CME ERROR: 4/);
    expect(r.summary.exitCode).toBe(2);
  });
});

describe("runTalkgroupCheck by probing", () => {
  it("falls back to probing when listing is refused, probes required groups only and restores the group", async () => {
    const reader = new FakeReader({ tmo: TMO, listing: false, selected: { tmo: "9020" } });
    const r = await run(reader, plan([pg(9001, "A"), pg(9555, "B"), pg(9002, "C", "tmo", false)]));
    expect(r.method).toBe("probe");
    expect(r.methodNote).toMatch(/not supported .*probed instead/);
    expect(statuses(r)).toEqual({ 9001: "present", 9555: "missing", 9002: "not-checked" });
    expect(r.groups[1]!.detail).toMatch(/CME ERROR: 34/);
    expect(reader.selected.tmo).toBe("9020");
    expect(r.restore).toMatchObject({ changed: true, restored: true });
    expect(reader.log).not.toContain("select 9002");
  });

  it("retries a busy terminal and spaces selections by the minimum interval", async () => {
    const reader = new FakeReader({ tmo: TMO, selected: { tmo: "9020" } });
    reader.busyNext = 2;
    const t0 = Date.now();
    const r = await run(reader, plan([pg(9001, "A"), pg(9002, "B")]), { method: "probe", tuning: { ...FAST, minIntervalMs: 40 } });
    expect(statuses(r)).toEqual({ 9001: "present", 9002: "present" });
    expect(reader.log.filter((l) => l === "select 9001").length).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3 * 40);
  });

  it("gives up on a group that stays busy and reports it as not checked", async () => {
    const reader = new FakeReader({ tmo: TMO });
    reader.busyNext = 100;
    const r = await run(reader, plan([pg(9002, "B")]), { method: "probe", tuning: { ...FAST, busyRetries: 1 } });
    expect(r.groups[0]).toMatchObject({ status: "not-checked" });
    expect(r.groups[0]!.detail).toMatch(/busy .*still busy after 2 tries/);
  });

  it("refuses to start probing while a call is active, without touching the terminal", async () => {
    const reader = new FakeReader({ tmo: TMO });
    reader.callActive = true;
    await expect(run(reader, plan([pg(9001, "A")]), { method: "probe" })).rejects.toMatchObject({ code: "TG_CALL_ACTIVE" });
    expect(reader.selections).toBe(0);
  });

  it("aborts cleanly when a call starts, waits for it to end and restores the original group", async () => {
    const reader = new FakeReader({ tmo: TMO, selected: { tmo: "9020" } });
    reader.beforeSelect = (_g, n) => {
      if (n === 1) {
        reader.startCall();
        setTimeout(() => (reader.callActive = false), 60);
      }
    };
    const r = await run(reader, plan([pg(9001, "A"), pg(9002, "B"), pg(9020, "C")]), { method: "probe" });
    expect(r.interruption).toMatchObject({ kind: "call" });
    expect(statuses(r)).toEqual({ 9001: "present", 9002: "not-checked", 9020: "not-checked" });
    expect(r.groups[1]!.detail).toMatch(/not probed: a call started/);
    expect(r.restore).toMatchObject({ restored: true });
    expect(reader.selected.tmo).toBe("9020");
    expect(r.summary.exitCode).toBe(2);
  });

  it("after a restart mid-check waits for the terminal and restores mode and group", async () => {
    const reader = new FakeReader({ tmo: TMO, dmo: DMO, selected: { tmo: "9020" } });
    reader.beforeSelect = (_g, n) => {
      if (n !== 1) return;
      reader.ready = false;
      reader.emit({ kind: "link", detail: "terminal link degraded: initialising" });
      setTimeout(() => {
        // Power-up state: TMO, default group.
        reader.mode = 0;
        reader.selected.tmo = "9001";
        reader.ready = true;
      }, 50);
    };
    const r = await run(reader, plan([pg(9001, "A"), pg(9002, "B"), pg(101, "D", "dmo")]), { method: "probe" });
    expect(r.interruption).toMatchObject({ kind: "link" });
    expect(r.restore).toMatchObject({ restored: true });
    expect(reader.selected.tmo).toBe("9020");
    expect(r.groups.find((g) => g.gssi === 101)!.status).toBe("not-checked");
  });

  it("stops on the overall timeout and still restores", async () => {
    const reader = new FakeReader({ tmo: TMO, selected: { tmo: "9020" } });
    const r = await run(reader, plan([pg(9001, "A"), pg(9002, "B")]), { method: "probe", timeoutMs: 60, tuning: { ...FAST, minIntervalMs: 50 } });
    expect(r.interruption).toMatchObject({ kind: "timeout" });
    expect(r.restore.restored).toBe(true);
    expect(reader.selected.tmo).toBe("9020");
  });

  it("stops when cancelled (Ctrl-C) and restores; a second signal abandons the restore", async () => {
    const reader = new FakeReader({ tmo: TMO, selected: { tmo: "9020" } });
    const cancel = new AbortController();
    reader.beforeSelect = (_g, n) => n === 0 && cancel.abort();
    const r = await run(reader, plan([pg(9001, "A"), pg(9002, "B")]), { method: "probe", signal: cancel.signal });
    expect(r.interruption).toMatchObject({ kind: "cancelled" });
    expect(reader.selected.tmo).toBe("9020");
    expect(r.restored).toBe(true);

    const reader2 = new FakeReader({ tmo: TMO, selected: { tmo: "9020" } });
    const c2 = new AbortController();
    const force = new AbortController();
    reader2.beforeSelect = (_g, n) => {
      if (n === 0) {
        c2.abort();
        force.abort(new Error("second Ctrl-C"));
      }
    };
    const r2 = await run(reader2, plan([pg(9001, "A")]), { method: "probe", signal: c2.signal, forceSignal: force.signal });
    expect(r2.restored).toBe(false);
    expect(r2.restore.detail).toMatch(/NOT verified \(second Ctrl-C\)/);
    expect(r2.summary.exitCode).toBe(2);
  });

  it("reports a failed restore loudly (restored false, exit 2)", async () => {
    const reader = new FakeReader({ tmo: TMO, selected: { tmo: "9020" } });
    reader.beforeSelect = (_g, n) => n === 1 && (reader.refuseAll = true);
    const r = await run(reader, plan([pg(9001, "A")]), { method: "probe" });
    expect(statuses(r)).toEqual({ 9001: "present" });
    expect(r.restored).toBe(false);
    expect(r.restore.detail).toMatch(/^NOT restored: the terminal is in TMO \(0\), group 9001/);
    expect(r.summary).toMatchObject({ outcome: "incomplete", exitCode: 2 });
  });

  it("rejects a role that selects no group", async () => {
    const reader = new FakeReader({ tmo: TMO });
    await expect(run(reader, plan([pg(9001, "A", "tmo", true, { roles: ["brand-lc"] })]), { role: "kommun-tib" })).rejects.toMatchObject({ code: "CFG_INVALID" });
  });
});

describe("runTalkgroupCheck never leaves the operator on a probed group", () => {
  it("does not probe when the selected group cannot be read", async () => {
    const reader = new FakeReader({ tmo: TMO, listing: false });
    reader.selected.tmo = undefined;
    const r = await run(reader, plan([pg(9001, "A")]));
    expect(r.groups[0]).toMatchObject({ status: "not-checked" });
    expect(r.groups[0]!.detail).toMatch(/could not be restored afterwards/);
    expect(reader.selections).toBe(0);
    expect(r.restore.changed).toBe(false);
  });
});
