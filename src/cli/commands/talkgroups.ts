import type { Command } from "commander";
import { PeiTalkgroupReader } from "../../../adapters/rakel-pei/talkgroups/pei-talkgroup-reader.js";
import { writeFileDurable } from "../../shared/durable-file.js";
import { GatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import type { TalkgroupCheckReport } from "../../talkgroups/check-report.js";
import { runTalkgroupCheck, type RequestedMethod } from "../../talkgroups/check-runner.js";
import { defaultStateDir } from "../../shared/state-dir.js";
import { JsonlCheckStore } from "../../talkgroups/check-store.js";
import { listPlans, loadPlan } from "../../talkgroups/plan-loader.js";
import { groupsForRole } from "../../talkgroups/plan-schema.js";
import { formatJunit, formatReport } from "../../talkgroups/report-format.js";
import { ProblemExit, intOption, printJson, usage } from "../output.js";
import { withTerminal, type TerminalOptions } from "../terminal-session.js";

interface CheckOpts extends TerminalOptions {
  plan: string;
  method?: string;
  role?: string;
  currentModeOnly?: boolean;
  json?: boolean;
  junit?: string;
  /** A directory, or false with --no-store. */
  store?: string | boolean;
  timeout?: string;
}

const METHODS: readonly RequestedMethod[] = ["auto", "list", "probe"];


/**
 * Ctrl-C (or SIGTERM) cancels the check; the restore still runs. A second one also abandons the restore,
 * and the report then says the terminal was not verified as restored.
 */
function cancelOnSignals(): { cancel: AbortSignal; force: AbortSignal; dispose: () => void } {
  const cancel = new AbortController();
  const force = new AbortController();
  const onSignal = (): void => {
    if (!cancel.signal.aborted) {
      process.stderr.write("cancelling: restoring the terminal's group and mode (press Ctrl-C again to leave without restoring)\n");
      cancel.abort();
    } else force.abort(new Error("restore abandoned by a second Ctrl-C"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    cancel: cancel.signal,
    force: force.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

async function record(report: TalkgroupCheckReport, o: CheckOpts, log: Logger): Promise<string | undefined> {
  if (o.store === false) return undefined;
  const store = new JsonlCheckStore({ dir: typeof o.store === "string" ? o.store : defaultStateDir(), log });
  try {
    await store.append(report.terminal.issi ?? o.port ?? "terminal", report);
    return store.path;
  } catch (err) {
    process.stderr.write(`warning: ${(err as Error).message} (the check result above is not recorded)\n`);
    return undefined;
  }
}

/** `rakelgw talkgroups check`: exit 0 all present, 1 something missing, 2 could not check (docs/mqtt-interface.md). */
export async function talkgroupsCheck(o: CheckOpts, log: Logger): Promise<void> {
  const method = (o.method ?? "auto") as RequestedMethod;
  if (!METHODS.includes(method)) throw usage(`--method must be one of ${METHODS.join(", ")}, got "${o.method}"`);
  const { plan, path } = loadPlan(o.plan);
  if (groupsForRole(plan, o.role).length === 0) throw usage(`plan ${path} has no group for role "${o.role}"`);
  const timeoutMs = (intOption(o.timeout, "--timeout", 5, 3600) ?? 120) * 1000;
  const signals = cancelOnSignals();
  let report: TalkgroupCheckReport;
  try {
    report = await withTerminal(o, log, (t) =>
      runTalkgroupCheck({
        reader: new PeiTalkgroupReader({ terminal: t }),
        plan,
        log,
        method,
        role: o.role,
        currentModeOnly: o.currentModeOnly ?? false,
        signal: signals.cancel,
        forceSignal: signals.force,
        timeoutMs,
      }),
    );
  } finally {
    signals.dispose();
  }
  report.terminal = { ...report.terminal, port: o.port!, profile: o.profile ?? "etsi-generic" };
  const storedAt = await record(report, o, log);
  if (o.junit) await writeFileDurable(o.junit, formatJunit(report), { mode: 0o644 });
  if (o.json) printJson(report);
  else process.stdout.write(formatReport(report) + (storedAt ? `Recorded  ${storedAt}\n` : ""));
  const s = report.summary;
  if (s.exitCode === 1) throw new ProblemExit(`${s.requiredProblems} required talk groups missing or wrong`);
  if (s.exitCode === 2) {
    const why = !report.restored ? "the restore of the terminal's group and mode could not be verified" : `${s.requiredNotChecked} required groups could not be checked`;
    throw new GatewayError("TG_CHECK_INCOMPLETE", `${why}${report.interruption ? ` (${report.interruption.detail})` : ""}; see the report`);
  }
}

function printPlans(json: boolean): void {
  const rows = listPlans().map((name) => {
    const { plan } = loadPlan(name);
    return { name, title: plan.name, version: plan.version, groups: plan.groups.length, role: plan.role ?? null, example: plan.example ?? false };
  });
  if (json) return printJson(rows);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(34)} ${r.title} v${r.version}, ${r.groups} groups${r.role ? `, role ${r.role}` : ""}${r.example ? " (EXAMPLE)" : ""}\n`);
}

/** Adds `rakelgw talkgroups check` and `rakelgw talkgroups plans`. */
export function registerTalkgroupsCommands(program: Command, log: () => Logger): void {
  const tg = program.command("talkgroups").description("talk-group plans: check that a terminal has every group of a plan");
  tg.command("check")
    .description("verify a terminal against a talk-group plan (exit 0 all present, 1 something missing, 2 could not check)")
    .requiredOption("--port <port>", "serial device, tcp://host:port or sim:<name>")
    .requiredOption("--plan <file>", "plan file (JSON), or a plan name in firmware-config/talkgroups")
    .option("--method <method>", "auto|list|probe: list reads the programmed groups, probe selects each required group", "auto")
    .option("--role <id>", "check only the groups this role needs")
    .option("--current-mode-only", "do not switch between TMO and DMO to read the other mode's groups")
    .option("--json", "JSON output")
    .option("--junit <file>", "also write the result as JUnit XML")
    .option("--store <dir>", "record the check in <dir>/talkgroup-checks.jsonl (default: the state directory)")
    .option("--no-store", "do not record the check")
    .option("--timeout <s>", "seconds for the whole check before it stops and restores", "120")
    .option("--baud <rate>", "baud rate (default from the profile)")
    .option("--profile <id>", "terminal profile in firmware-config/terminals", "etsi-generic")
    .option("--connect-timeout <s>", "seconds to wait for the terminal", "10")
    .action((o: CheckOpts) => talkgroupsCheck(o, log()));
  tg.command("plans")
    .description("list the plans in firmware-config/talkgroups")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) => printPlans(o.json ?? false));
}
