import type { Report } from "../harness/report.js";
import type { LedgerFigures } from "../harness/workloads.js";

/** The standard rows of a ledger diff: per workload accepted / lost / duplicates outside the window. */
export function ledgerRows(report: Report, figures: Map<string, LedgerFigures>): void {
  for (const [name, f] of figures) {
    report.add(`${name}: submitted / accepted / refused / outcome unknown`, `${f.submitted} / ${f.accepted} / ${f.rejected} / ${f.unknown}`);
    if (f.sinks !== f.accepted) report.add(`${name}: recipients of the accepted alerts`, f.sinks);
    if (f.codeMismatches > 0 || f.sinks !== f.accepted) report.add(`${name}: alerts whose copies carried more than one code`, f.codeMismatches, "0", f.codeMismatches === 0);
    report.add(`${name}: accepted but never received`, f.lost, "0", f.lost === 0);
    report.add(`${name}: duplicates outside the at-least-once window (all duplicates)`, `${f.duplicatesOutsideWindow} (${f.duplicates})`, "0", f.duplicatesOutsideWindow === 0);
    if (f.duplicateKeys.length > 0) report.note(`${name} duplicated outside the window: ${f.duplicateKeys.slice(0, 10).join(", ")}`);
    if (f.lost > 0) report.note(`${name} lost: ${f.lostKeys.slice(0, 10).join(", ")}${f.lostKeys.length > 10 ? " …" : ""}`);
  }
}
