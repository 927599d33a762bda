import type { GroupResult, GroupStatus, TalkgroupCheckReport } from "./check-report.js";

/**
 * Renders a check report for people (the default output of `rakelgw talkgroups check`) and as JUnit XML
 * (`--junit FILE`, for records and CI dashboards). Problems are upper-case in the table so they stand out on
 * a laptop in a dim rack room.
 */

const STATUS_TEXT: Record<GroupStatus, string> = {
  present: "present",
  missing: "MISSING",
  "wrong-mode": "WRONG MODE",
  "name-mismatch": "NAME MISMATCH",
  "not-checked": "not checked",
};

const OUTCOME_TEXT = {
  "all-present": "ALL PRESENT",
  "problems-found": "PROBLEMS FOUND",
  incomplete: "INCOMPLETE",
} as const;

function pad(text: string, width: number): string {
  const chars = [...text];
  return chars.length >= width ? chars.slice(0, width).join("") : text + " ".repeat(width - chars.length);
}

function terminalLine(r: TalkgroupCheckReport): string {
  const t = r.terminal;
  const what = [t.manufacturer, t.model].filter((x) => x).join(" ") || "unknown model";
  const fw = t.firmware ? `, firmware ${t.firmware}` : "";
  const mode = t.mode ? `${t.mode.toUpperCase()} (${String(t.modeCode)})` : "mode unknown";
  return `Terminal  ISSI ${t.issi ?? "unknown"} (${what}${fw}), ${mode}, group ${t.selectedGroup ?? "none"}`;
}

function summaryLine(r: TalkgroupCheckReport): string {
  const s = r.summary;
  const parts = [`${s.present} present`];
  if (s.missing) parts.push(`${s.missing} missing`);
  if (s.wrongMode) parts.push(`${s.wrongMode} in the wrong mode`);
  if (s.nameMismatch) parts.push(`${s.nameMismatch} with another name`);
  if (s.notChecked) parts.push(`${s.notChecked} not checked`);
  const req = s.requiredProblems ? ` — ${s.requiredProblems} required group${s.requiredProblems === 1 ? " has a" : "s have"} problem${s.requiredProblems === 1 ? "" : "s"}` : "";
  return `Summary   ${s.total} groups: ${parts.join(", ")}${req}`;
}

/** The human-readable report. */
export function formatReport(r: TalkgroupCheckReport): string {
  const out: string[] = [];
  const example = r.plan.example ? "  [EXAMPLE PLAN: invented groups, not for real terminals]" : "";
  out.push(`Plan      ${r.plan.name}, version ${r.plan.version}${r.plan.role ? `, role ${r.plan.role}` : ""}${example}`);
  out.push(terminalLine(r));
  out.push(`Method    ${r.method}${r.methodNote ? ` (${r.methodNote})` : ""}, ${(r.durationMs / 1000).toFixed(1)} s`);
  out.push("");
  const rows: [string, string, string, string, string, string, string][] = [["GSSI", "Name", "Folder", "Mode", "Req", "Status", "Detail"]];
  for (const g of r.groups) rows.push([String(g.gssi), g.name, g.folder, g.mode.toUpperCase(), g.required ? "yes" : "no", STATUS_TEXT[g.status], g.detail]);
  // Columns as wide as their longest cell: an alias is what the technician compares, so it is never cut.
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.max(...rows.map((row) => [...row[i]!].length)) + 1);
  for (const row of rows) out.push(row.map((c, i) => (i < widths.length ? pad(c, widths[i]!) : c)).join(" ").trimEnd());
  out.push("");
  out.push(summaryLine(r));
  if (r.interruption) out.push(`Stopped   ${r.interruption.kind}: ${r.interruption.detail}`);
  out.push(`Restored  ${r.restore.changed ? (r.restored ? "yes" : "NO") : "nothing to restore"}${r.restore.changed ? ` — ${r.restore.detail}` : ""}`);
  if (!r.restored) out.push("WARNING   the terminal may not be on the operator's group or mode: check it on the front panel now");
  out.push(`Result    ${OUTCOME_TEXT[r.summary.outcome]} (exit ${r.summary.exitCode})`);
  return out.join("\n") + "\n";
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[^\t\n\r\x20-\uffff]/g, "");
}

function testcase(r: TalkgroupCheckReport, g: GroupResult): string {
  const cls = `talkgroups.${r.terminal.issi ?? r.terminal.name}`;
  const open = `    <testcase classname="${xml(cls)}" name="${xml(`${g.gssi} ${g.name}`)}">`;
  if (g.status === "present") return `${open}</testcase>`;
  if (g.status === "not-checked") return `${open}<skipped message="${xml(g.detail)}"/></testcase>`;
  const type = `${g.status}${g.required ? "" : " (optional group)"}`;
  return `${open}<failure type="${xml(type)}" message="${xml(g.detail)}"/></testcase>`;
}

/** JUnit XML: one test case per plan group, plus one for the restore. */
export function formatJunit(r: TalkgroupCheckReport): string {
  const failures = r.groups.filter((g) => g.status !== "present" && g.status !== "not-checked").length + (r.restored ? 0 : 1);
  const skipped = r.groups.filter((g) => g.status === "not-checked").length;
  const suite = `talkgroups ${r.plan.name} ${r.plan.version} on ${r.terminal.issi ?? r.terminal.name}`;
  const restore = `    <testcase classname="talkgroups.${xml(r.terminal.issi ?? r.terminal.name)}" name="restore original group and mode">${r.restored ? "" : `<failure type="not-restored" message="${xml(r.restore.detail)}"/>`}</testcase>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rakelgw talkgroups check" tests="${r.groups.length + 1}" failures="${failures}" skipped="${skipped}" time="${(r.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(suite)}" tests="${r.groups.length + 1}" failures="${failures}" skipped="${skipped}" timestamp="${xml(r.checkedAt)}" time="${(r.durationMs / 1000).toFixed(3)}">`,
    `    <properties><property name="method" value="${r.method}"/><property name="outcome" value="${r.summary.outcome}"/><property name="itsi" value="${xml(r.terminal.itsi ?? "")}"/></properties>`,
    ...r.groups.map((g) => testcase(r, g)),
    restore,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
