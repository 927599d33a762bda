import type { GroupListing, ModeFamily, TalkgroupReader, TalkgroupTerminalSnapshot } from "../ports/talkgroup-reader.js";
import { systemClock, type Clock } from "../shared/clock.js";
import { GatewayError, isGatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { summarise, type CheckMethod, type ReportTerminal, type TalkgroupCheckReport } from "./check-report.js";
import { FAMILY_LABEL, inOtherMode, probeFamily, recordListing, type Observations } from "./check-passes.js";
import { CheckSession, type SessionTuning } from "./check-session.js";
import { judgeGroups } from "./compare.js";
import { familiesNeeded, groupsForRole, type PlanGroup, type TalkgroupPlan } from "./plan-schema.js";
import { restoreTerminal } from "./restore.js";

/**
 * One talk-group check (SSR capability 2:5, docs/pei.md §7.3): identify the terminal, read its groups by listing
 * (preferred: no side effects) or by probing (fallback: selects each required group), always restore and
 * verify what was changed, and judge every plan group. Interruptions — a call starting while the check
 * changes the terminal, a restart, a timeout, Ctrl-C — end the passes early; the restore still runs and the
 * report says what could not be checked and why. It never transmits: no `ATD`, no PTT, no SDS.
 */
export type RequestedMethod = "auto" | "list" | "probe";

/** Inputs of {@link runTalkgroupCheck}. */
export interface RunCheckOptions {
  reader: TalkgroupReader;
  plan: TalkgroupPlan;
  log: Logger;
  method?: RequestedMethod;
  /** Only the groups this role needs (groups without `roles` apply to every role). */
  role?: string | undefined;
  /** Do not switch to the other mode's list (DMO groups are then not checked from TMO, and vice versa). */
  currentModeOnly?: boolean;
  clock?: Clock;
  /** Cancels the check (Ctrl-C); the restore still runs. */
  signal?: AbortSignal | undefined;
  /** Aborts even the restore (a second Ctrl-C). */
  forceSignal?: AbortSignal | undefined;
  /** Whole check before the restore. Default 120 s. */
  timeoutMs?: number;
  /** The restore, including waiting for a restarted terminal. Default 30 s. */
  restoreTimeoutMs?: number;
  tuning?: Partial<SessionTuning>;
}

function terminalJson(name: string, s: TalkgroupTerminalSnapshot): ReportTerminal {
  const id = s.identity;
  return {
    name,
    itsi: id.itsi ?? null,
    issi: id.issi ?? null,
    manufacturer: id.manufacturer ?? null,
    model: id.model ?? null,
    firmware: id.firmware ?? null,
    mode: s.mode?.name ?? null,
    modeCode: s.mode?.code ?? null,
    selectedGroup: s.selectedGroup ?? null,
  };
}

/** Decides between listing and probing; reads the current family's list on the way when it lists. */
async function chooseMethod(s: CheckSession, requested: RequestedMethod, family: ModeFamily, obs: Observations): Promise<{ method: CheckMethod; note?: string }> {
  if (requested === "probe") return { method: "probe" };
  if (requested === "auto" && s.reader.capabilities.listing === "none") return { method: "probe", note: "the terminal profile says this model cannot list its groups; probed instead" };
  const listing: GroupListing = await s.reader.listGroups(s.signal);
  s.log.info({ family, ok: listing.ok, groups: listing.ok ? listing.groups.length : 0, detail: listing.ok ? undefined : listing.detail }, "talkgroup listing read");
  // docs/pei.md §7.3 step 2: identity commands answering CME 4/3 "or return nothing" mean probing is the only way.
  const empty = listing.ok && listing.groups.length === 0;
  if (requested === "auto" && (!listing.ok || empty)) {
    return { method: "probe", note: `listing ${listing.ok ? "returned no groups" : `not supported (${listing.detail})`}; probed instead` };
  }
  recordListing(obs, family, listing);
  return { method: "list" };
}

function initialObservations(groups: readonly PlanGroup[]): Observations {
  const needed = familiesNeeded(groups);
  const obs = (f: ModeFamily) => ({ kind: "unavailable" as const, detail: needed.includes(f) ? "not read" : "the plan has no group for this mode" });
  return { tmo: obs("tmo"), dmo: obs("dmo") };
}

/** Runs the passes; throws TG_CALL_ACTIVE only when probing must not start (nothing changed yet). */
async function runPasses(s: CheckSession, o: RunCheckOptions, groups: readonly PlanGroup[], snap: TalkgroupTerminalSnapshot, obs: Observations): Promise<{ method: CheckMethod; note?: string }> {
  const current: ModeFamily = snap.mode?.family ?? "tmo";
  const chosen = await chooseMethod(s, o.method ?? "auto", current, obs);
  if (chosen.method === "probe" && s.reader.isCallActive()) {
    throw new GatewayError("TG_CALL_ACTIVE", "a call is active on the terminal: probing would interrupt it, so the check did not start (run it again when the call has ended)");
  }
  s.log.info({ method: chosen.method, note: chosen.note, mode: snap.mode?.name ?? null, group: snap.selectedGroup ?? null }, "talkgroup check started");
  try {
    if (chosen.method === "probe") await probeFamily(s, current, groups, obs);
    const other: ModeFamily = current === "tmo" ? "dmo" : "tmo";
    if (!familiesNeeded(groups).includes(other) || s.signal.aborted) return chosen;
    if (o.currentModeOnly) {
      obs[other] = { kind: "unavailable", detail: `not read: the check stayed in ${FAMILY_LABEL[current]} (--current-mode-only)` };
    } else if (!snap.mode) {
      obs[other] = { kind: "unavailable", detail: "not read: the terminal's mode could not be read, so it could not be restored after switching" };
    } else if (chosen.method === "list" && obs[current].kind === "unavailable") {
      obs[other] = { kind: "unavailable", detail: `not read: ${(obs[current] as { detail: string }).detail}` };
    } else {
      await inOtherMode(s, snap.mode, other, obs, async () => {
        if (chosen.method === "probe") await probeFamily(s, other, groups, obs);
        else recordListing(obs, other, await s.reader.listGroups(s.signal));
      });
    }
  } catch (err) {
    s.noteError(err);
  }
  return chosen;
}

/** Runs one check and returns its report. Rejects only when nothing could be checked and nothing was changed. */
export async function runTalkgroupCheck(o: RunCheckOptions): Promise<TalkgroupCheckReport> {
  const clock = o.clock ?? systemClock;
  const log = o.log.child({ mod: "talkgroups", terminal: o.reader.name });
  const groups = groupsForRole(o.plan, o.role);
  if (groups.length === 0) throw new GatewayError("CFG_INVALID", `plan "${o.plan.name}" has no group for role "${o.role ?? ""}"`);
  const t0 = clock.now();
  const checkedAt = clock.wallNow();
  const tuning: SessionTuning = { busyRetries: 5, confirmTimeoutMs: 3000, confirmPollMs: 100, busyBackoffMs: 250, minIntervalMs: o.reader.capabilities.minProbeIntervalMs, ...o.tuning };
  const s = new CheckSession(o.reader, clock, log, tuning);
  const onCancel = (): void => s.interrupt({ kind: "cancelled", detail: "cancelled by the user" });
  if (o.signal?.aborted) onCancel();
  o.signal?.addEventListener("abort", onCancel, { once: true });
  const timeoutMs = o.timeoutMs ?? 120_000;
  const timer = clock.setTimeout(() => s.interrupt({ kind: "timeout", detail: `the check did not finish within ${Math.round(timeoutMs / 1000)} s` }), timeoutMs);
  // A restart always ends the passes; a call only while the check is changing what the operator hears.
  const offInterruption = o.reader.onInterruption((i) => (i.kind === "link" || s.disturbing ? s.interrupt(i) : undefined));
  const obs = initialObservations(groups);
  let snap: TalkgroupTerminalSnapshot | undefined;
  let chosen: { method: CheckMethod; note?: string };
  try {
    snap = await o.reader.snapshot(s.signal);
    chosen = await runPasses(s, o, groups, snap, obs);
  } catch (err) {
    // Identification failed or probing was refused: nothing was changed, so there is nothing to restore.
    if (!s.touchedGroup && !s.touchedMode) throw checkNotStarted(o.reader.name, err, s.interruption);
    s.noteError(err);
    snap ??= { identity: {}, callActive: o.reader.isCallActive() };
    chosen = { method: o.method === "probe" ? "probe" : "list" };
  } finally {
    clock.clearTimeout(timer);
    offInterruption();
    o.signal?.removeEventListener("abort", onCancel);
  }
  const restore = await restoreTerminal(s, { mode: snap.mode, group: snap.selectedGroup }, { timeoutMs: o.restoreTimeoutMs ?? 30_000, forceSignal: o.forceSignal });
  for (const f of ["tmo", "dmo"] as const) {
    const ob = obs[f];
    if (ob.kind === "unavailable" && ob.detail === "not read") obs[f] = { kind: "unavailable", detail: `not read: ${s.interruption?.detail ?? "check ended early"}` };
  }
  const results = judgeGroups(groups, obs);
  const summary = summarise(results, restore.restored);
  // Key order: the fields docs/mqtt-interface.md fixes first, additions after.
  const report: TalkgroupCheckReport = {
    terminal: terminalJson(o.reader.name, snap),
    plan: { name: o.plan.name, version: o.plan.version, ...(o.plan.validFrom ? { validFrom: o.plan.validFrom } : {}), ...(o.role ? { role: o.role } : {}), ...(o.plan.example ? { example: true } : {}) },
    method: chosen.method,
    groups: results,
    summary,
    restored: restore.restored,
    checkedAt: checkedAt.toISOString(),
    durationMs: Math.round(clock.now() - t0),
    ...(chosen.note ? { methodNote: chosen.note } : {}),
    restore,
    ...(s.interruption ? { interruption: s.interruption } : {}),
  };
  log.info({ plan: o.plan.name, version: o.plan.version, method: report.method, outcome: summary.outcome, present: summary.present, problems: summary.requiredProblems, notChecked: summary.notChecked, restored: restore.restored, ms: report.durationMs }, "talkgroup check finished");
  return report;
}

/**
 * The error of a check that ended before any group was checked, worded for a check (the engine's own text
 * names an AT command, e.g. "CNUMS?: no answer within 600 ms"); the code stays the cause's, so callers
 * can still tell a busy call from a lost link.
 */
function checkNotStarted(terminal: string, err: unknown, interruption: { detail: string } | undefined): unknown {
  if (!isGatewayError(err) || err.code === "TG_CALL_ACTIVE") return err;
  const why = interruption?.detail ?? err.message;
  const code = interruption ? "AT_ABORTED" : err.code;
  return new GatewayError(code, `talk-group check of ${terminal} ended before any group was checked (nothing was changed): ${why}`, { cause: err, context: { ...err.context, checked: 0 } });
}
