/**
 * Schema drift check (CI): regenerates the JSON Schemas from the TypeBox definitions into a temporary
 * directory with scripts/write-schemas.ts and compares them with the committed firmware-config/schema/.
 * Exit 0 when they are identical; exit 1 with the differing, missing or extra files otherwise (fix: run
 * `npx tsx scripts/write-schemas.ts` and commit the result).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const committedDir = resolve(import.meta.dirname, "../firmware-config/schema");
const freshDir = mkdtempSync(join(tmpdir(), "rakelgw-schemas-"));
try {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const gen = spawnSync(process.execPath, ["--import", tsx, resolve(import.meta.dirname, "write-schemas.ts"), freshDir], { encoding: "utf8" });
  if (gen.status !== 0) {
    console.error(`scripts/write-schemas.ts failed (exit ${gen.status}):\n${gen.stderr}`);
    process.exit(2);
  }
  const jsonIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const committed = new Set(jsonIn(committedDir));
  const fresh = new Set(jsonIn(freshDir));
  const problems: string[] = [];
  for (const f of fresh) {
    if (!committed.has(f)) problems.push(`${f}: generated but not committed`);
    else if (readFileSync(join(freshDir, f), "utf8") !== readFileSync(join(committedDir, f), "utf8")) problems.push(`${f}: differs from its TypeBox definition${firstDifference(join(committedDir, f), join(freshDir, f))}`);
  }
  for (const f of committed) if (!fresh.has(f)) problems.push(`${f}: committed but no longer generated`);
  if (problems.length > 0) {
    console.error(`JSON Schema drift in firmware-config/schema/:\n${problems.map((p) => `  ${p}`).join("\n")}\nRun \`npx tsx scripts/write-schemas.ts\` and commit the result.`);
    process.exit(1);
  }
  console.log(`firmware-config/schema/: ${fresh.size} schemas match their TypeBox definitions`);
} finally {
  rmSync(freshDir, { recursive: true, force: true });
}

/** ", first at line N" for a short hint where two files part ways. */
function firstDifference(a: string, b: string): string {
  const la = readFileSync(a, "utf8").split("\n");
  const lb = readFileSync(b, "utf8").split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `, first at line ${i + 1}: committed ${JSON.stringify(la[i] ?? "")}, generated ${JSON.stringify(lb[i] ?? "")}`;
  }
  return "";
}
