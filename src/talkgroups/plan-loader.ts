import { readFileSync, readdirSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { validateAgainst } from "../config/validate.js";
import { GatewayError } from "../shared/errors.js";
import { planProblems } from "./plan-lint.js";
import { TalkgroupPlanSchema, type TalkgroupPlan } from "./plan-schema.js";

const here = dirname(fileURLToPath(import.meta.url));

/** `firmware-config/talkgroups/`, found from the source tree (src/talkgroups) or the built tree (dist/src/…). */
export function talkgroupPlansDir(): string {
  for (const up of ["../../firmware-config/talkgroups", "../../../firmware-config/talkgroups"]) {
    const p = resolve(here, up);
    try {
      readdirSync(p);
      return p;
    } catch {
      // try the next candidate
    }
  }
  throw new GatewayError("CFG_INVALID", "firmware-config/talkgroups not found next to the program");
}

/** Plan names (file names without `.json`) shipped in `firmware-config/talkgroups/`. */
export function listPlans(dir = talkgroupPlansDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

/**
 * `--plan` and the MQTT `plan` field accept a path or a bare name: a value without `/` and without a file
 * extension is looked up as `firmware-config/talkgroups/<name>.json`.
 */
export function resolvePlanPath(nameOrPath: string, dir?: string): string {
  return isPlanName(nameOrPath) ? join(dir ?? talkgroupPlansDir(), `${nameOrPath}.json`) : resolve(nameOrPath);
}

/** True for a bare plan name (`stockholm-region-example`), false for a path. */
export function isPlanName(nameOrPath: string): boolean {
  return !nameOrPath.includes("/") && extname(nameOrPath) === "";
}

/** A loaded plan and where it came from. */
export interface LoadedPlan {
  plan: TalkgroupPlan;
  path: string;
}

/** Parses and validates plan text; `source` names it in error messages. */
export function parsePlan(text: string, source: string): TalkgroupPlan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GatewayError("CFG_INVALID", `${source} is not valid JSON: ${(err as Error).message}`, { cause: err, context: { source } });
  }
  const plan = validateAgainst(TalkgroupPlanSchema, raw, source);
  // Problems inside one plan (a GSSI twice) would make the report ambiguous: refuse to check with it.
  const problems = planProblems(plan);
  if (problems.length > 0) {
    throw new GatewayError("CFG_INVALID", `${source} is invalid:\n  ${problems.join("\n  ")}`, { context: { problems, source } });
  }
  return plan;
}

/** Loads a plan by name or path. JSON only: YAML needs a parser that is not installed. */
export function loadPlan(nameOrPath: string, dir?: string): LoadedPlan {
  const path = resolvePlanPath(nameOrPath, dir);
  const ext = extname(path).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") {
    throw new GatewayError("CFG_INVALID", `${path}: YAML plans are not supported by this build; write the plan as JSON`, { context: { path } });
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const known = !isPlanName(nameOrPath) ? "" : ` (shipped plans: ${safeList(dir).join(", ") || "none"})`;
    throw new GatewayError("CFG_INVALID", `cannot read talk-group plan ${nameOrPath}: ${(err as Error).message}${known}`, { cause: err, context: { path } });
  }
  return { plan: parsePlan(text, path), path };
}

function safeList(dir: string | undefined): string[] {
  try {
    return listPlans(dir);
  } catch {
    return [];
  }
}
