/**
 * `npm run lint:config`: semantic checks across firmware-config/ that a JSON Schema alone cannot make
 * (zwave-js lintConfigFiles). Prints every problem as `file: path: reason` and exits 1 if any.
 */
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { loadModemProfile, modemsDir } from "../adapters/gsm-sms/modem-profile.js";
import { listProfiles, loadProfile, terminalsDir } from "../adapters/rakel-pei/terminal-profile.js";
import { isGatewayError } from "../src/shared/errors.js";
import { PLAN_SCHEMA_REF, lintPlans, type PlanFile } from "../src/talkgroups/plan-lint.js";
import { parsePlan, talkgroupPlansDir } from "../src/talkgroups/plan-loader.js";

const problems: string[] = [];

interface ProfileLike {
  id: string;
  init: readonly { command: string; optional?: boolean }[];
}

/** Checks shared by terminal and modem profiles: schema (by the loader), id = file name, unique ids, init script. */
function checkProfiles(dir: string, load: (path: string) => ProfileLike, schemaRef: string, kind: string): number {
  const ids = new Map<string, string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const path = join(dir, file);
    const where = `${basename(dir)}/${file}`;
    try {
      const p = load(path);
      if (`${p.id}.json` !== file) problems.push(`${where}: /id: "${p.id}" does not match the file name`);
      const other = ids.get(p.id);
      if (other) problems.push(`${where}: /id: "${p.id}" is also used by ${other}`);
      ids.set(p.id, file);
      const seen = new Set<string>();
      p.init.forEach((s, i) => {
        const cmd = s.command.toUpperCase();
        if (seen.has(cmd)) problems.push(`${where}: /init/${i}: ${s.command} appears twice`);
        seen.add(cmd);
        if (/^AT&F|^AT\+CFUN/i.test(s.command)) problems.push(`${where}: /init/${i}: ${s.command} resets or powers the device; not allowed in init`);
      });
      if (!p.init.some((s) => /^ATE0$/i.test(s.command) && !s.optional)) problems.push(`${where}: /init: must turn echo off with a required ATE0`);
      const raw = JSON.parse(readFileSync(path, "utf8")) as { $schema?: string };
      if (raw.$schema !== schemaRef) problems.push(`${where}: /$schema: should be ${schemaRef} for editor validation`);
    } catch (err) {
      problems.push(isGatewayError(err) ? `${where}: ${err.message}` : `${where}: ${String(err)}`);
    }
  }
  console.log(`firmware-config: ${ids.size} ${kind} profiles read`);
  return ids.size;
}

checkProfiles(terminalsDir(), loadProfile, "../schema/terminal-profile.schema.json", "terminal");
checkProfiles(modemsDir(), loadModemProfile, "../schema/modem-profile.schema.json", "modem");

// Talk-group plans: each file alone (schema, duplicates), then across files (roles, GSSIs, names, profiles).
const planDir = talkgroupPlansDir();
const planFiles: PlanFile[] = [];
for (const file of readdirSync(planDir).sort()) {
  const yaml = /\.ya?ml$/i.test(file);
  if (!file.endsWith(".json") && !yaml) continue;
  try {
    const text = readFileSync(join(planDir, file), "utf8");
    planFiles.push({ file: `talkgroups/${file}`, plan: parsePlan(text, `talkgroups/${file}`) });
    // YAML files point editors at the schema with a comment (yaml-language-server), not a key.
    const ref = yaml ? /yaml-language-server: \$schema=(\S+)/.exec(text)?.[1] : (JSON.parse(text) as { $schema?: string }).$schema;
    if (ref !== PLAN_SCHEMA_REF) problems.push(`talkgroups/${file}: $schema: should be ${PLAN_SCHEMA_REF} for editor validation`);
  } catch (err) {
    problems.push(isGatewayError(err) ? err.message : `talkgroups/${file}: ${String(err)}`);
  }
}
problems.push(...lintPlans(planFiles, { knownProfiles: listProfiles() }));
console.log(`firmware-config: ${planFiles.length} talk-group plans read`);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log("firmware-config: OK");
