import type { GroupSource, ModeFamily } from "../ports/talkgroup-reader.js";
import type { PlanMode } from "./plan-schema.js";

/**
 * The result of one talk-group check: the `--json` document of `rakelgw talkgroups check` (docs/mqtt-interface.md:
 * `terminal`, `plan {name, version}`, `method`, `groups [{gssi, name, status, detail}]`, `summary`, `restored`
 * — those names are fixed; other fields are additions), the stored record and the retained MQTT payload.
 */

/** Status of one plan group. */
export type GroupStatus = "present" | "missing" | "wrong-mode" | "name-mismatch" | "not-checked";

/** How the groups were read: the identity lists (`AT+CNUMS`/`AT+CNUMD`) or by selecting each (`AT+CTGS`). */
export type CheckMethod = "list" | "probe";

/** One plan group and what the terminal said about it. */
export interface GroupResult {
  gssi: number;
  /** The plan's alias. */
  name: string;
  status: GroupStatus;
  /** Why, in words a technician can act on; empty for a plain `present`. */
  detail: string;
  folder: string;
  mode: PlanMode;
  required: boolean;
  /** Alias the terminal listed, when it differs or is known. */
  terminalName?: string;
  /** Lists the group was found in. */
  foundIn?: ModeFamily[];
  /** Where the listing came from (codeplug, over the air, vendor list). */
  sources?: GroupSource[];
}

/** Counts and the verdict. */
export interface CheckSummary {
  total: number;
  present: number;
  missing: number;
  wrongMode: number;
  nameMismatch: number;
  notChecked: number;
  /** Required groups that are missing, in the wrong mode or wrongly named. */
  requiredProblems: number;
  /** The same for optional groups (reported, never fail the check). */
  optionalProblems: number;
  /** Required groups that could not be checked. */
  requiredNotChecked: number;
  /** `all-present` (exit 0), `problems-found` (exit 1), `incomplete` (exit 2: not everything could be checked, or the restore failed). */
  outcome: "all-present" | "problems-found" | "incomplete";
  exitCode: 0 | 1 | 2;
}

/** Identity and state of the terminal when the check started. */
export interface ReportTerminal {
  name: string;
  itsi: string | null;
  issi: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  /** Mode name (`tmo`, `dmo`, …) and `+CTOM` code before the check. */
  mode: string | null;
  modeCode: number | null;
  selectedGroup: string | null;
  /** Added by the CLI: the `--port` and `--profile` used. */
  port?: string;
  profile?: string;
}

/** What the check changed and whether it was put back. */
export interface RestoreResult {
  /** True when the check changed the mode or the selected group at some point. */
  changed: boolean;
  /** Verified: mode and group read back equal the originals (or nothing was changed). */
  restored: boolean;
  detail: string;
  original: { modeCode: number | null; group: string | null };
  final: { modeCode: number | null; group: string | null };
}

/** Why a check ended early. */
export interface CheckInterruption {
  kind: "call" | "link" | "timeout" | "cancelled";
  detail: string;
}

/** One check: the `--json` document, the stored record and the retained MQTT payload. */
export interface TalkgroupCheckReport {
  checkedAt: string;
  durationMs: number;
  terminal: ReportTerminal;
  plan: { name: string; version: string; validFrom?: string; role?: string; example?: boolean };
  method: CheckMethod;
  /** Why this method (e.g. the fallback from `list` to `probe`). */
  methodNote?: string;
  groups: GroupResult[];
  summary: CheckSummary;
  restored: boolean;
  restore: RestoreResult;
  interruption?: CheckInterruption;
}

const PROBLEMS: readonly GroupStatus[] = ["missing", "wrong-mode", "name-mismatch"];

/** True for the statuses that mean the programming deviates from the plan. */
export function isProblem(status: GroupStatus): boolean {
  return PROBLEMS.includes(status);
}

/**
 * Counts and verdict. Exit 1 as soon as a required group is missing, in the wrong mode or wrongly named (a
 * finding stands even when other groups could not be checked); otherwise exit 2 when a required group could
 * not be checked or the terminal could not be verified as restored; otherwise 0.
 */
export function summarise(groups: readonly GroupResult[], restored: boolean): CheckSummary {
  const count = (s: GroupStatus): number => groups.filter((g) => g.status === s).length;
  const requiredProblems = groups.filter((g) => g.required && isProblem(g.status)).length;
  const optionalProblems = groups.filter((g) => !g.required && isProblem(g.status)).length;
  const requiredNotChecked = groups.filter((g) => g.required && g.status === "not-checked").length;
  const outcome = requiredProblems > 0 ? "problems-found" : requiredNotChecked > 0 || !restored ? "incomplete" : "all-present";
  return {
    total: groups.length,
    present: count("present"),
    missing: count("missing"),
    wrongMode: count("wrong-mode"),
    nameMismatch: count("name-mismatch"),
    notChecked: count("not-checked"),
    requiredProblems,
    optionalProblems,
    requiredNotChecked,
    outcome,
    exitCode: outcome === "problems-found" ? 1 : outcome === "incomplete" ? 2 : 0,
  };
}
