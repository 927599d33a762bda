import type { TerminalMode } from "../ports/talkgroup-reader.js";
import type { RestoreResult } from "./check-report.js";
import type { CheckSession } from "./check-session.js";

/**
 * Puts the terminal back as the check found it and verifies it by reading back (docs/pei.md §7.3 step 2c:
 * "restore the original selection and confirm with AT+CTGS?"). Runs after every check — also after an
 * error, a timeout, Ctrl-C or a terminal restart — with its own time limit, so a cancelled check still
 * restores. After a terminal restart the adapter re-initialises the PEI first (its queue is held meanwhile),
 * so the restore's commands simply wait their turn. Only what the check changed is restored: a group the
 * operator picks on the front panel during a listing is theirs.
 */

/** Mode and group before the check. */
export interface OriginalState {
  mode: TerminalMode | undefined;
  group: string | undefined;
}

/** Limits of the restore. */
export interface RestoreOptions {
  /** Time for the whole restore, including waiting for a re-initialised terminal or for a call to end. */
  timeoutMs: number;
  /** Aborts even the restore (a second Ctrl-C). */
  forceSignal?: AbortSignal | undefined;
}

function describe(mode: TerminalMode | number | undefined, group: string | undefined): string {
  const m = mode === undefined ? "unknown mode" : typeof mode === "number" ? `mode ${mode}` : `${mode.name.toUpperCase()} (${mode.code})`;
  return `${m}, group ${group ?? "none"}`;
}

/** Waits until no call is active (or the signal fires): restoring mid-call would cut into it. */
async function waitNoCall(s: CheckSession, signal: AbortSignal): Promise<void> {
  while (s.reader.isCallActive()) await s.sleep(200, signal);
}

/** Restores what the check changed and verifies it; never throws (a failure is `restored: false` with the reason). */
export async function restoreTerminal(s: CheckSession, original: OriginalState, o: RestoreOptions): Promise<RestoreResult> {
  const base = { original: { modeCode: original.mode?.code ?? null, group: original.group ?? null } };
  if (!s.touchedMode && !s.touchedGroup) {
    return { ...base, changed: false, restored: true, detail: "nothing was changed", final: base.original };
  }
  const ctl = new AbortController();
  const timer = s.clock.setTimeout(() => ctl.abort(new Error(`restore did not finish within ${o.timeoutMs} ms`)), o.timeoutMs);
  const signal = o.forceSignal ? AbortSignal.any([ctl.signal, o.forceSignal]) : ctl.signal;
  let mode: TerminalMode | undefined;
  let group: string | undefined;
  try {
    await waitNoCall(s, signal);
    let acted = false;
    mode = await s.reader.readMode(signal);
    if (original.mode && mode.code !== original.mode.code) {
      acted = true;
      const r = await s.setMode(original.mode.code, original.mode.family, { signal, guard: false });
      if (r.kind !== "selected") s.log.warn({ outcome: r.kind, detail: r.detail }, "mode restore refused");
    }
    group = await s.reader.readSelectedGroup(signal);
    if (original.group !== undefined && group !== original.group) {
      acted = true;
      await waitNoCall(s, signal);
      const r = await s.selectGroup(original.group, { signal, guard: false });
      if (r.kind !== "selected") s.log.warn({ outcome: r.kind, detail: r.detail }, "group restore refused");
    }
    // Verify by reading both back: the only evidence that counts (docs/pei.md §10.12). Reads that found nothing
    // to restore already are that evidence.
    if (acted) {
      mode = await s.reader.readMode(signal);
      group = await s.reader.readSelectedGroup(signal);
    }
    const modeOk = original.mode === undefined || mode.code === original.mode.code;
    const groupOk = original.group === undefined || group === original.group;
    const restored = modeOk && groupOk;
    const detail = restored
      ? `restored and verified: ${describe(mode, group)}`
      : `NOT restored: the terminal is in ${describe(mode, group)}; before the check it was in ${describe(original.mode, original.group)}`;
    s.log[restored ? "info" : "error"]({ restored, modeCode: mode.code, group: group ?? null, originalMode: original.mode?.code ?? null, originalGroup: original.group ?? null }, "talkgroup restore");
    return { ...base, changed: true, restored, detail, final: { modeCode: mode.code, group: group ?? null } };
  } catch (err) {
    const why = signal.aborted ? String((signal.reason as Error | undefined)?.message ?? "aborted") : (err as Error).message;
    s.log.error({ err: why, originalMode: original.mode?.code ?? null, originalGroup: original.group ?? null }, "talkgroup restore failed");
    return {
      ...base,
      changed: true,
      restored: false,
      detail: `NOT verified (${why}); before the check the terminal was in ${describe(original.mode, original.group)}: check it on the front panel`,
      final: { modeCode: mode?.code ?? null, group: group ?? null },
    };
  } finally {
    s.clock.clearTimeout(timer);
  }
}
