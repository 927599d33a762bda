import { describe, expect, it } from "vitest";
import type { GroupResult, TalkgroupCheckReport } from "../../../src/talkgroups/check-report.js";
import { summarise } from "../../../src/talkgroups/check-report.js";
import { judgeGroup, normaliseName, type FamilyObservation } from "../../../src/talkgroups/compare.js";
import type { PlanGroup } from "../../../src/talkgroups/plan-schema.js";
import { formatJunit, formatReport } from "../../../src/talkgroups/report-format.js";

const listed = (...groups: [string, string, ("static" | "dynamic" | "vendor")?][]): FamilyObservation => ({
  kind: "listed",
  groups: groups.map(([gssi, name, source]) => ({ gssi, name, source: source ?? "static" })),
});
const none: FamilyObservation = { kind: "unavailable", detail: "not read: skipped" };
const g = (mode: PlanGroup["mode"], name = "SAMV Sthlm 1", gssi = 9020): PlanGroup => ({ gssi, name, folder: "F", mode, required: true });

describe("judgeGroup", () => {
  it.each<[string, PlanGroup, FamilyObservation, FamilyObservation, GroupResult["status"], RegExp]>([
    ["present in TMO", g("tmo"), listed(["9020", "SAMV Sthlm 1"]), none, "present", /^$/],
    ["present with extra spaces in the alias", g("tmo"), listed(["9020", " SAMV  Sthlm 1 "]), none, "present", /^$/],
    ["present only over the air", g("tmo"), listed(["9020", "SAMV Sthlm 1", "dynamic"]), none, "present", /DGNA/],
    ["missing from TMO", g("tmo"), listed(["9021", "X"]), none, "missing", /not in the TMO list/],
    ["in DMO although the plan wants TMO", g("tmo"), listed(), listed(["9020", "SAMV Sthlm 1"]), "wrong-mode", /programmed for DMO only; the plan wants TMO$/],
    ["in TMO only although the plan wants both", g("both"), listed(["9020", "SAMV Sthlm 1"]), listed(), "wrong-mode", /programmed for TMO only; the plan wants TMO and DMO/],
    ["in both lists for a both group", g("both"), listed(["9020", "SAMV Sthlm 1"]), listed(["9020", "SAMV Sthlm 1"]), "present", /^$/],
    ["another alias", g("tmo"), listed(["9020", "SAMV STHLM 1"]), none, "name-mismatch", /terminal shows "SAMV STHLM 1" in TMO; the plan says "SAMV Sthlm 1"/],
    ["DMO list not read", g("dmo"), listed(), none, "not-checked", /DMO: not read: skipped/],
    ["both: present in TMO, DMO unknown", g("both"), listed(["9020", "SAMV Sthlm 1"]), none, "not-checked", /present in TMO; DMO: not read/],
    ["probed and selectable", g("tmo"), { kind: "probed", results: new Map([["9020", { state: "selectable", detail: "selectable (probing cannot read the alias)" }]]), notProbedDetail: "optional" }, none, "present", /cannot read the alias/],
    ["probed and refused", g("tmo"), { kind: "probed", results: new Map([["9020", { state: "not-selectable", detail: "not selectable in TMO (+CME ERROR: 34)" }]]), notProbedDetail: "" }, none, "missing", /CME ERROR: 34/],
    ["not probed", g("tmo"), { kind: "probed", results: new Map(), notProbedDetail: "optional group" }, none, "not-checked", /TMO: optional group/],
  ])("%s", (_what, group, tmo, dmo, status, detail) => {
    const r = judgeGroup(group, { tmo, dmo });
    expect(r.status).toBe(status);
    expect(r.detail).toMatch(detail);
  });

  it("compares aliases without surrounding or doubled spaces, but case-sensitively", () => {
    expect(normaliseName("  RSÄK  Sthlm 1 ")).toBe("RSÄK Sthlm 1");
    expect(normaliseName("rsäk")).not.toBe(normaliseName("RSÄK"));
  });
});

const result = (status: GroupResult["status"], required = true): GroupResult => ({ gssi: 1, name: "n", status, detail: "d", folder: "F", mode: "tmo", required });

describe("summarise", () => {
  it.each<[string, GroupResult[], boolean, 0 | 1 | 2]>([
    ["all present", [result("present")], true, 0],
    ["a required group missing", [result("present"), result("missing")], true, 1],
    ["a missing group wins over not-checked ones", [result("missing"), result("not-checked")], true, 1],
    ["a name mismatch is a problem", [result("name-mismatch")], true, 1],
    ["only optional groups missing", [result("present"), result("missing", false)], true, 0],
    ["a required group not checked", [result("present"), result("not-checked")], true, 2],
    ["an optional group not checked", [result("present"), result("not-checked", false)], true, 0],
    ["restore not verified", [result("present")], false, 2],
    ["restore not verified but a group missing", [result("missing")], false, 1],
  ])("%s → exit %i", (_what, groups, restored, exit) => {
    expect(summarise(groups, restored).exitCode).toBe(exit);
  });
});

function report(): TalkgroupCheckReport {
  const groups: GroupResult[] = [
    { ...result("present"), gssi: 9001, name: "RSÄK Sthlm 1" },
    { ...result("missing"), gssi: 9030, name: "SSR <Ledning> & co", detail: "not in the TMO list" },
    { ...result("not-checked"), gssi: 101, name: "DMO RÄDD 1", detail: "DMO: not read" },
  ];
  return {
    terminal: { name: "t", itsi: "02400500102001234", issi: "2001234", manufacturer: "SIMULATED", model: "SIM-TETRA-1", firmware: "1.0.0", mode: "tmo", modeCode: 0, selectedGroup: "9001" },
    plan: { name: "Plan", version: "7", example: true },
    method: "list",
    groups,
    summary: summarise(groups, true),
    restored: true,
    checkedAt: "2025-03-01T10:00:00.000Z",
    durationMs: 1234,
    restore: { changed: false, restored: true, detail: "nothing was changed", original: { modeCode: 0, group: "9001" }, final: { modeCode: 0, group: "9001" } },
  };
}

describe("report formats", () => {
  it("prints a table with problems in capitals, the summary, the restore and the result", () => {
    const text = formatReport(report());
    expect(text).toMatch(/^Plan {6}Plan, version 7 {2}\[EXAMPLE PLAN/m);
    expect(text).toMatch(/^Terminal {2}ISSI 2001234 \(SIMULATED SIM-TETRA-1, firmware 1.0.0\), TMO \(0\), group 9001$/m);
    expect(text).toMatch(/^9030 +SSR <Ledning> & co +F +TMO +yes +MISSING +not in the TMO list$/m);
    expect(text).toMatch(/^Summary {3}3 groups: 1 present, 1 missing, 1 not checked — 1 required group has a problem$/m);
    expect(text).toMatch(/^Restored {2}nothing to restore$/m);
    expect(text).toMatch(/^Result {4}PROBLEMS FOUND \(exit 1\)$/m);
  });

  it("warns loudly when the restore failed", () => {
    const r = report();
    r.restored = false;
    r.restore = { ...r.restore, changed: true, restored: false, detail: "NOT restored: the terminal is in TMO (0), group 9002" };
    expect(formatReport(r)).toMatch(/^Restored {2}NO — NOT restored.*\nWARNING/m);
  });

  it("writes JUnit XML with one case per group, escaped, plus the restore", () => {
    const xml = formatJunit(report());
    expect(xml).toMatch(/<testsuites name="rakelgw talkgroups check" tests="4" failures="1" skipped="1" time="1.234">/);
    expect(xml).toContain('<testcase classname="talkgroups.2001234" name="9030 SSR &lt;Ledning&gt; &amp; co"><failure type="missing" message="not in the TMO list"/></testcase>');
    expect(xml).toContain('<testcase classname="talkgroups.2001234" name="101 DMO RÄDD 1"><skipped message="DMO: not read"/></testcase>');
    expect(xml).toContain('name="restore original group and mode"></testcase>');
  });
});
