import { afterEach, describe, expect, it } from "vitest";
import { ok } from "../../../adapters/rakel-pei/sim/index.js";
import { SIM_DEFAULT_PLAN, plan, tgRig, type TgRig } from "./tg-rig.js";

/**
 * Talk-group checks by listing (docs/pei.md §7.2, §7.3 step 1) against the simulated terminal through the real PEI
 * adapter and AT engine: one test per outcome.
 */
let rig: TgRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const status = (r: Awaited<ReturnType<TgRig["check"]>>) => Object.fromEntries(r.groups.map((g) => [g.gssi, g.status]));

describe("talk-group check by listing (AT+CNUMS / AT+CNUMD)", () => {
  it("all present in TMO and DMO: range dance, DMO read by switching mode and back, nothing transmitted (exit 0)", async () => {
    rig = await tgRig();
    const r = await rig.check(SIM_DEFAULT_PLAN);
    expect(r.method).toBe("list");
    expect(Object.values(status(r))).toEqual(Array(7).fill("present"));
    expect(r.summary).toMatchObject({ outcome: "all-present", exitCode: 0 });
    expect(r.terminal).toMatchObject({ issi: "2001234", itsi: "02400500102001234", manufacturer: "SIMULATED", mode: "tmo", selectedGroup: "9001" });
    const tgCommands = rig.commands.filter((c) => /CNUM|CTOM|CTGS/.test(c) && !/^AT\+CTSP/.test(c));
    expect(tgCommands).toEqual(expect.arrayContaining(["AT+CNUMS=?", "AT+CNUMS=0,1,2000", "AT+CNUMS?", "AT+CNUMD=?", "AT+CNUMD=0,1,2000", "AT+CNUMD?", "AT+CTOM=1", "AT+CTOM=0"]));
    expect(rig.commands.filter((c) => /^AT\+CTGS=/.test(c))).toEqual([]);
    expect(rig.sim.state.mode).toBe(0);
    expect(rig.sim.selectedGroup).toBe("9001");
    expect(r.restore).toMatchObject({ changed: true, restored: true, final: { modeCode: 0, group: "9001" } });
    expect(rig.transmitCommands()).toEqual([]);
  });

  it("missing, name mismatch, wrong mode and DGNA groups, with bare-SSI identities (exit 1)", async () => {
    rig = await tgRig({ groupIdentityFormat: "ssi", dgnaGroups: [{ gssi: "9500", name: "DGNA Insats" }] });
    const r = await rig.check(
      plan([
        { gssi: 9001, name: "RSÄK Sthlm 1" },
        { gssi: 9010, name: "SOS Larm" },
        { gssi: 9030, name: "SSR Ledning" },
        { gssi: 101, name: "DMO RÄDD 1", mode: "tmo" },
        { gssi: 9500, name: "DGNA Insats" },
        { gssi: 9040, name: "KOMMUN TiB", required: false },
        { gssi: 102, name: "DMO RÄDD 2", mode: "dmo" },
      ]),
    );
    expect(status(r)).toEqual({ 9001: "present", 9010: "name-mismatch", 9030: "missing", 101: "wrong-mode", 9500: "present", 9040: "missing", 102: "present" });
    const byGssi = Object.fromEntries(r.groups.map((g) => [g.gssi, g]));
    expect(byGssi[9010]!.detail).toBe('terminal shows "SOS Larm Sthlm" in TMO; the plan says "SOS Larm"');
    expect(byGssi[101]!.detail).toBe("programmed for DMO only; the plan wants TMO");
    expect(byGssi[9500]!.detail).toMatch(/DGNA/);
    expect(r.summary).toMatchObject({ requiredProblems: 3, optionalProblems: 1, exitCode: 1 });
    expect(rig.sim.state.mode).toBe(0);
  });

  it("follows a terminal that prints fewer lines per read than its count says (paging on)", async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ gssi: String(9100 + i), name: `GRP ${i}` }));
    rig = await tgRig({ tmoGroups: many, groupIdentityFormat: "ssi" });
    // At most 25 entries per AT+CNUMS? answer, as a terminal with a small output buffer might do.
    rig.sim.defineBehaviour({
      name: "cnums-pages",
      onCommand(cmd, ctx) {
        if (cmd.name !== "+CNUMS" || cmd.form !== "read") return undefined;
        const { from, to } = ctx.state.cnumsRange;
        const shown = many.slice(from - 1, to);
        return ok([`+CNUMS: ${shown.length}`, ...shown.slice(0, 25).map((g) => `1,${g.gssi},${g.name}`)]);
      },
    });
    const r = await rig.check(plan(many.map((g) => ({ gssi: Number(g.gssi), name: g.name }))));
    expect(r.summary.present).toBe(60);
    expect(rig.commands.filter((c) => /^AT\+CNUMS=0,/.test(c))).toEqual(["AT+CNUMS=0,1,2000", "AT+CNUMS=0,26,2000", "AT+CNUMS=0,51,2000"]);
  });

  it("--method list on a terminal that cannot list: every group not checked (exit 2), nothing changed", async () => {
    rig = await tgRig({ supportsListing: false });
    const r = await rig.check(SIM_DEFAULT_PLAN, { method: "list" });
    expect(new Set(Object.values(status(r)))).toEqual(new Set(["not-checked"]));
    expect(r.groups[0]!.detail).toMatch(/CME ERROR: 4/);
    expect(r.summary.exitCode).toBe(2);
    expect(r.restore.changed).toBe(false);
    expect(rig.commands.some((c) => /^AT\+CTGS=|^AT\+CTOM=/.test(c))).toBe(false);
  });

  it("lists during a call without disturbing it, but does not switch to DMO", async () => {
    rig = await tgRig();
    rig.sim.startCall("9001");
    await new Promise((r) => setTimeout(r, 30));
    expect(rig.radio.state.callActive).toBe(true);
    const r = await rig.check(SIM_DEFAULT_PLAN);
    expect(status(r)[9001]).toBe("present");
    expect(status(r)[101]).toBe("not-checked");
    expect(r.groups.find((g) => g.gssi === 101)!.detail).toMatch(/a call is active/);
    expect(rig.commands.some((c) => /^AT\+CTOM=/.test(c))).toBe(false);
    expect(rig.sim.state.call).toBeDefined();
  });

  it("leaves a group the operator picks on the front panel during a listing alone", async () => {
    rig = await tgRig();
    rig.sim.defineBehaviour({
      name: "operator-turns-knob",
      onCommand(cmd) {
        if (cmd.name === "+CNUMD" && cmd.form === "read") rig!.sim.frontPanelSelect("9021");
        return undefined;
      },
    });
    const r = await rig.check(plan([{ gssi: 9001, name: "RSÄK Sthlm 1" }]));
    expect(r.summary.exitCode).toBe(0);
    expect(r.restore.changed).toBe(false);
    expect(rig.sim.selectedGroup).toBe("9021");
  });
});
