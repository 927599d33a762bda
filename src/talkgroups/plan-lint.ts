import { DEFAULT_MAX_NAME_LENGTH, type TalkgroupPlan } from "./plan-schema.js";

/**
 * Checks on talk-group plans that a JSON Schema cannot make. `planProblems` finds what makes one plan
 * unusable (a check refuses it); `lintPlans` adds the checks across files that `npm run lint:config` runs.
 * Every problem reads `path: reason` (`file: path: reason` across files).
 */

/** The `$schema` value plans should carry for editor validation. */
export const PLAN_SCHEMA_REF = "../schema/talkgroup-plan.schema.json";

function isRealDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Problems inside one plan that make its report ambiguous or wrong; a check refuses such a plan. */
export function planProblems(plan: TalkgroupPlan): string[] {
  const problems: string[] = [];
  const byGssi = new Map<number, number>();
  const byFolderName = new Map<string, number>();
  plan.groups.forEach((g, i) => {
    const first = byGssi.get(g.gssi);
    if (first !== undefined) problems.push(`/groups/${i}/gssi: ${g.gssi} is already used by /groups/${first}`);
    else byGssi.set(g.gssi, i);
    const key = JSON.stringify([g.folder, g.name.trim()]);
    const same = byFolderName.get(key);
    if (same !== undefined) problems.push(`/groups/${i}/name: "${g.name}" appears twice in folder "${g.folder}" (also /groups/${same}): the terminal would show two identical entries`);
    else byFolderName.set(key, i);
  });
  if (plan.validFrom !== undefined && !isRealDate(plan.validFrom)) problems.push(`/validFrom: ${plan.validFrom} is not a calendar date`);
  return problems;
}

/** One plan file as the linter sees it. */
export interface PlanFile {
  /** File name for messages, e.g. `stockholm-region-example.json`. */
  file: string;
  plan: TalkgroupPlan;
}

/** What the linter checks references against. */
export interface PlanLintContext {
  /** Ids of the terminal profiles in firmware-config/terminals. */
  knownProfiles: readonly string[];
}

/** Problems of each plan alone: names the terminal can show, and what `planProblems` finds. */
function singlePlanLint(f: PlanFile, ctx: PlanLintContext): string[] {
  const { plan, file } = f;
  const out = planProblems(plan).map((p) => `${file}: ${p}`);
  const max = plan.maxNameLength ?? DEFAULT_MAX_NAME_LENGTH;
  plan.groups.forEach((g, i) => {
    if ([...g.name].length > max) out.push(`${file}: /groups/${i}/name: "${g.name}" has ${[...g.name].length} characters; the terminals show ${max} (maxNameLength)`);
    // The PEI character set is ISO 8859-1 (AT+CSCS=8859-1, docs/pei.md §1.6): an alias outside it cannot be listed as written.
    if ([...g.name].some((c) => c.codePointAt(0)! > 0xff)) out.push(`${file}: /groups/${i}/name: "${g.name}" has characters outside ISO 8859-1`);
    if (g.name !== g.name.trim()) out.push(`${file}: /groups/${i}/name: leading or trailing spaces`);
  });
  for (const [i, p] of (plan.terminalProfiles ?? []).entries()) {
    if (!ctx.knownProfiles.includes(p)) out.push(`${file}: /terminalProfiles/${i}: no terminal profile "${p}" in firmware-config/terminals (known: ${ctx.knownProfiles.join(", ")})`);
  }
  if (plan.example === true && !/example/i.test(file)) out.push(`${file}: /example: example plans must say so in the file name (…-example.json)`);
  if (plan.example !== true && /example/i.test(file)) out.push(`${file}: /example: the file name says example; set "example": true`);
  return out;
}

/** Role definitions across all plans: every id once, or the same name everywhere. */
function roleCatalogue(files: readonly PlanFile[], out: string[]): Map<string, string> {
  const roles = new Map<string, { name: string; file: string }>();
  for (const { file, plan } of files) {
    for (const [i, r] of (plan.roles ?? []).entries()) {
      const prev = roles.get(r.id);
      if (prev && prev.name !== r.name) out.push(`${file}: /roles/${i}: role "${r.id}" is defined as "${prev.name}" in ${prev.file}`);
      else if (!prev) roles.set(r.id, { name: r.name, file });
    }
  }
  return new Map([...roles].map(([id, v]) => [id, v.name]));
}

/** Every problem of a set of plans, alone and across files. */
export function lintPlans(files: readonly PlanFile[], ctx: PlanLintContext): string[] {
  const out = files.flatMap((f) => singlePlanLint(f, ctx));
  const roles = roleCatalogue(files, out);
  const names = new Map<string, string>();
  const gssis = new Map<number, { file: string; name: string; folder: string; mode: string }>();
  for (const { file, plan } of files) {
    const other = names.get(plan.name);
    if (other) out.push(`${file}: /name: "${plan.name}" is also the name of ${other}`);
    names.set(plan.name, file);
    if (plan.role !== undefined && !roles.has(plan.role)) out.push(`${file}: /role: role "${plan.role}" is not defined in any plan's roles`);
    plan.groups.forEach((g, i) => {
      for (const r of g.roles ?? []) if (!roles.has(r)) out.push(`${file}: /groups/${i}/roles: role "${r}" is not defined in any plan's roles`);
      // One GSSI is one group everywhere: plans that disagree on its alias, folder or mode cannot all be right.
      const seen = gssis.get(g.gssi);
      if (!seen) gssis.set(g.gssi, { file, name: g.name, folder: g.folder, mode: g.mode });
      else if (seen.file !== file && (seen.name !== g.name || seen.folder !== g.folder || seen.mode !== g.mode)) {
        out.push(`${file}: /groups/${i}: GSSI ${g.gssi} is "${g.name}" (${g.folder}, ${g.mode}) here but "${seen.name}" (${seen.folder}, ${seen.mode}) in ${seen.file}`);
      }
    });
  }
  return out;
}
