import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { basename, extname, join, resolve } from "node:path";
import { firmwareConfigDir, listConfigNames } from "../config/firmware-config.js";
import { validateAgainst } from "../config/validate.js";
import { GatewayError } from "../shared/errors.js";
import { planProblems } from "./plan-lint.js";
import { TalkgroupPlanSchema, type TalkgroupPlan } from "./plan-schema.js";

/** `firmware-config/talkgroups/`. */
export function talkgroupPlansDir(): string {
  return firmwareConfigDir("talkgroups");
}

const PLAN_FILE = /\.(json|ya?ml)$/i;

/** Plan names (file names without `.json`/`.yaml`/`.yml`) shipped in `firmware-config/talkgroups/`. */
export function listPlans(dir = talkgroupPlansDir()): string[] {
  return listConfigNames(dir, PLAN_FILE);
}

/**
 * `--plan` and the MQTT `plan` field accept a path or a bare name: a value without `/` and without a file
 * extension is looked up as `firmware-config/talkgroups/<name>.json` (or `.yaml`, `.yml`).
 */
export function resolvePlanPath(nameOrPath: string, dir?: string): string {
  if (!isPlanName(nameOrPath)) return resolve(nameOrPath);
  const base = join(dir ?? talkgroupPlansDir(), nameOrPath);
  return [".json", ".yaml", ".yml"].map((e) => base + e).find((p) => existsSync(p)) ?? `${base}.json`;
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

/** True when the plan text is YAML by its file name (`.yaml`/`.yml`); everything else is JSON. */
function isYaml(source: string): boolean {
  const ext = extname(source).toLowerCase();
  return ext === ".yaml" || ext === ".yml";
}

/**
 * Parses and validates plan text; `source` names it in error messages. JSON is read as it is (a JSON plan
 * must load unchanged); YAML with the `yaml` package in its strict 1.2 core schema, so `no` stays a string
 * and duplicate keys are errors.
 */
export function parsePlan(text: string, source: string): TalkgroupPlan {
  let raw: unknown;
  try {
    raw = isYaml(source) ? parseYaml(text, { schema: "core", uniqueKeys: true, prettyErrors: true }) : JSON.parse(text);
  } catch (err) {
    throw new GatewayError("CFG_INVALID", `${source} is not valid ${isYaml(source) ? "YAML" : "JSON"}: ${(err as Error).message}`, { cause: err, context: { source } });
  }
  const plan = validateAgainst(TalkgroupPlanSchema, raw, source);
  // Problems inside one plan (a GSSI twice) would make the report ambiguous: refuse to check with it.
  const problems = planProblems(plan);
  if (problems.length > 0) {
    throw new GatewayError("CFG_INVALID", `${source} is invalid:\n  ${problems.join("\n  ")}`, { context: { problems, source } });
  }
  return plan;
}

/** Loads a plan (JSON, or YAML by its `.yaml`/`.yml` extension) by name or path. */
export function loadPlan(nameOrPath: string, dir?: string): LoadedPlan {
  const path = resolvePlanPath(nameOrPath, dir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const known = !isPlanName(nameOrPath) ? "" : ` (shipped plans: ${safeList(dir).join(", ") || "none"})`;
    throw new GatewayError("CFG_INVALID", `cannot read talk-group plan ${nameOrPath}: ${(err as Error).message}${known}`, { cause: err, context: { path } });
  }
  return { plan: parsePlan(text, path), path };
}

/**
 * Loads a plan by bare NAME only, for requests from outside (MQTT `talkgroups/check`): no paths, no
 * `.`/`..`, and error messages that name the plan and never a file system path.
 */
export function loadNamedPlan(name: string, dir?: string): TalkgroupPlan {
  const shipped = safeList(dir);
  if (!isPlanName(name) || name.startsWith(".") || !shipped.includes(name)) {
    throw new GatewayError("CFG_INVALID", `no talk-group plan named "${name.slice(0, 64)}" (plans: ${shipped.join(", ") || "none"})`, { context: { plan: name.slice(0, 64) } });
  }
  const path = resolvePlanPath(name, dir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new GatewayError("CFG_INVALID", `talk-group plan "${name}" cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, { cause: err, context: { plan: name } });
  }
  return parsePlan(text, basename(path));
}

function safeList(dir: string | undefined): string[] {
  try {
    return listPlans(dir);
  } catch {
    return [];
  }
}
