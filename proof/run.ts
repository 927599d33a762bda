import { parseArgs } from "node:util";
import type { Report } from "./harness/report.js";
import { PROOFS } from "./proofs/index.js";

/**
 * `npm run proof -- <name> [--trials N] [--cycles N] [--duration S] [--seed N] [--short]`
 *
 * Runs one reliability proof (or `all`) against the built gateway (`npm run build` first), prints its
 * figures as a table, and exits 1 when a goal is missed, 2 on a harness error. `--short` is what CI runs.
 */
export interface ProofArgs {
  trials?: number;
  cycles?: number;
  durationS?: number;
  short: boolean;
  seed: number;
}

export type Proof = (args: ProofArgs) => Promise<Report>;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      trials: { type: "string" },
      cycles: { type: "string" },
      duration: { type: "string" },
      seed: { type: "string" },
      short: { type: "boolean", default: false },
      json: { type: "string" },
    },
  });
  const name = positionals[0];
  if (!name || (name !== "all" && !(name in PROOFS))) {
    process.stderr.write(`usage: npm run proof -- <${[...Object.keys(PROOFS), "all"].join("|")}> [--trials N] [--cycles N] [--duration S] [--short]\n`);
    return 2;
  }
  const args: ProofArgs = {
    short: values.short ?? false,
    seed: values.seed ? Number(values.seed) : Date.now() % 1_000_000,
    ...(values.trials ? { trials: Number(values.trials) } : {}),
    ...(values.cycles ? { cycles: Number(values.cycles) } : {}),
    ...(values.duration ? { durationS: Number(values.duration) } : {}),
  };
  const names = name === "all" ? Object.keys(PROOFS) : [name];
  let failed = false;
  const reports: Report[] = [];
  for (const n of names) {
    const t0 = performance.now();
    process.stdout.write(`== proof ${n} (seed ${args.seed}${args.short ? ", short" : ""})\n`);
    const report = await PROOFS[n]!(args);
    report.add("wall time", `${Math.round((performance.now() - t0) / 1000)} s`);
    process.stdout.write(report.table() + "\n\n");
    reports.push(report);
    failed ||= !report.passed;
  }
  if (values.json) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(values.json, JSON.stringify(reports.map((r) => ({ proof: r.proof, passed: r.passed, rows: r.rows, notes: r.notes })), null, 2));
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`proof harness error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
