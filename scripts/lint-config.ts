/**
 * `npm run lint:config`: semantic checks across firmware-config/ that a JSON Schema alone cannot make
 * (zwave-js lintConfigFiles). Prints every problem as `file: path: reason` and exits 1 if any.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadProfile, terminalsDir } from "../adapters/rakel-pei/terminal-profile.js";
import { isGatewayError } from "../src/shared/errors.js";

const problems: string[] = [];
const dir = terminalsDir();
const ids = new Map<string, string>();
for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const path = join(dir, file);
  try {
    const p = loadProfile(path);
    if (`${p.id}.json` !== file) problems.push(`${file}: /id: "${p.id}" does not match the file name`);
    const other = ids.get(p.id);
    if (other) problems.push(`${file}: /id: "${p.id}" is also used by ${other}`);
    ids.set(p.id, file);
    const seen = new Set<string>();
    p.init.forEach((s, i) => {
      const cmd = s.command.toUpperCase();
      if (seen.has(cmd)) problems.push(`${file}: /init/${i}: ${s.command} appears twice`);
      seen.add(cmd);
      if (/^AT&F|^AT\+CFUN/i.test(s.command)) problems.push(`${file}: /init/${i}: ${s.command} resets or powers the terminal; not allowed in init`);
    });
    if (!p.init.some((s) => /^ATE0$/i.test(s.command) && !s.optional)) problems.push(`${file}: /init: must turn echo off with a required ATE0`);
    const raw = JSON.parse(readFileSync(path, "utf8")) as { $schema?: string };
    if (raw.$schema !== "../schema/terminal-profile.schema.json") problems.push(`${file}: /$schema: should be ../schema/terminal-profile.schema.json for editor validation`);
  } catch (err) {
    problems.push(isGatewayError(err) ? `${file}: ${err.message}` : `${file}: ${String(err)}`);
  }
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`firmware-config: ${ids.size} terminal profiles OK`);
