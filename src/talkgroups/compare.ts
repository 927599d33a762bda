import type { GroupSource, ListedGroup, ModeFamily } from "../ports/talkgroup-reader.js";
import type { GroupResult } from "./check-report.js";
import { wantedFamilies, type PlanGroup } from "./plan-schema.js";

/**
 * Pure comparison of what the terminal said with the plan. Each mode family (TMO, DMO) yields one
 * observation; a plan group is then judged on the families it needs (docs/pei.md §7.3 step 1: compare GSSIs, by
 * their last 8 digits, which the reader already did).
 */

/** What a probe of one group found: selectable, refused as not programmed, or could not tell. */
export type ProbeFinding = { state: "selectable"; detail?: string } | { state: "not-selectable"; detail: string } | { state: "unknown"; detail: string };

/** What one family's pass produced. */
export type FamilyObservation =
  | { kind: "listed"; groups: readonly ListedGroup[] }
  | { kind: "probed"; results: ReadonlyMap<string, ProbeFinding>; notProbedDetail: string }
  | { kind: "unavailable"; detail: string };

/** One family's verdict on one group. */
type Finding = { state: "found"; name?: string; sources: GroupSource[]; detail?: string } | { state: "absent"; detail: string } | { state: "unknown"; detail: string };

const LABEL: Record<ModeFamily, string> = { tmo: "TMO", dmo: "DMO" };

/** Aliases are compared as the terminal shows them: surrounding and repeated spaces do not count (p8gr lists `…0998 ,Gruppe 1`). */
export function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, " ");
}

function find(family: ModeFamily, obs: FamilyObservation, gssi: string): Finding {
  switch (obs.kind) {
    case "listed": {
      const hits = obs.groups.filter((g) => g.gssi === gssi);
      if (hits.length === 0) return { state: "absent", detail: `not in the ${LABEL[family]} list` };
      const named = hits.find((h) => h.source !== "vendor") ?? hits[0]!;
      return { state: "found", name: named.name, sources: [...new Set(hits.map((h) => h.source))] };
    }
    case "probed": {
      const r = obs.results.get(gssi);
      if (!r) return { state: "unknown", detail: obs.notProbedDetail };
      if (r.state === "selectable") return { state: "found", sources: [], ...(r.detail !== undefined ? { detail: r.detail } : {}) };
      return r.state === "not-selectable" ? { state: "absent", detail: r.detail } : { state: "unknown", detail: r.detail };
    }
    case "unavailable":
      return { state: "unknown", detail: obs.detail };
  }
}

function familiesWord(fs: readonly ModeFamily[]): string {
  return fs.map((f) => LABEL[f]).join(" and ");
}

/** Judges one plan group against the observations of both families. */
export function judgeGroup(group: PlanGroup, observations: Readonly<Record<ModeFamily, FamilyObservation>>): GroupResult {
  const gssi = String(group.gssi);
  const base: GroupResult = { gssi: group.gssi, name: group.name, status: "not-checked", detail: "", folder: group.folder, mode: group.mode, required: group.required };
  const wanted = wantedFamilies(group.mode);
  const findings = { tmo: find("tmo", observations.tmo, gssi), dmo: find("dmo", observations.dmo, gssi) };
  const foundIn = (["tmo", "dmo"] as const).filter((f) => findings[f].state === "found");
  const sources = [...new Set(foundIn.flatMap((f) => (findings[f] as { sources: GroupSource[] }).sources))];
  const result: GroupResult = { ...base, ...(foundIn.length > 0 ? { foundIn } : {}), ...(sources.length > 0 ? { sources } : {}) };
  const wantedFindings = wanted.map((f) => ({ family: f, finding: findings[f] }));

  if (wantedFindings.some((w) => w.finding.state === "absent")) {
    if (foundIn.length > 0) {
      return { ...result, status: "wrong-mode", detail: `programmed for ${familiesWord(foundIn)} only; the plan wants ${familiesWord(wanted)}` };
    }
    const why = wantedFindings.map((w) => w.finding.detail ?? "").filter((d) => d !== "");
    return { ...result, status: "missing", detail: why.join("; ") };
  }
  const unknown = wantedFindings.filter((w) => w.finding.state === "unknown");
  if (unknown.length > 0) {
    const known = wantedFindings.filter((w) => w.finding.state === "found").map((w) => `present in ${LABEL[w.family]}`);
    const why = unknown.map((w) => `${LABEL[w.family]}: ${(w.finding as { detail: string }).detail}`);
    return { ...result, status: "not-checked", detail: [...known, ...why].join("; ") };
  }
  // Found everywhere it should be: compare the alias where the terminal told us one.
  for (const w of wantedFindings) {
    const f = w.finding as { name?: string };
    if (f.name !== undefined && normaliseName(f.name) !== normaliseName(group.name)) {
      return { ...result, status: "name-mismatch", terminalName: f.name, detail: `terminal shows "${f.name}" in ${LABEL[w.family]}; the plan says "${group.name}"` };
    }
  }
  const notes: string[] = [];
  const listedName = wantedFindings.map((w) => (w.finding as { name?: string }).name).find((n) => n !== undefined);
  if (sources.includes("dynamic") && !sources.includes("static")) notes.push("assigned over the air (DGNA), not in the codeplug");
  else if (sources.length === 1 && sources[0] === "vendor") notes.push("found only in the vendor list");
  for (const w of wantedFindings) {
    const d = (w.finding as { detail?: string }).detail;
    if (d !== undefined) notes.push(d);
  }
  return { ...result, status: "present", detail: notes.join("; "), ...(listedName !== undefined ? { terminalName: listedName } : {}) };
}

/** Judges every group, in plan order. */
export function judgeGroups(groups: readonly PlanGroup[], observations: Readonly<Record<ModeFamily, FamilyObservation>>): GroupResult[] {
  return groups.map((g) => judgeGroup(g, observations));
}
