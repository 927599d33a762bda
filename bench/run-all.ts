/**
 * `npm run bench`: runs every benchmark in bench/ in turn and prints their figures, then a summary.
 * Benchmarks print numbers; they never pass or fail (speed is not asserted in tests).
 * Run one with `npm run bench -- engine` (name filter).
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => !filter || f.includes(filter))
  .sort();
const summary: Record<string, number> = {};
for (const f of files) {
  console.log(`\n== ${f}`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run?: () => Promise<Record<string, number>> };
  if (typeof mod.run !== "function") {
    console.log("   (no run() export; skipped)");
    continue;
  }
  Object.assign(summary, await mod.run());
}
console.log("\n== summary");
for (const [k, v] of Object.entries(summary)) console.log(`${k.padEnd(40)} ${v}`);
process.exit(0);
