import type { GroupListing, ModeFamily, TerminalMode } from "../ports/talkgroup-reader.js";
import type { CheckSession, ConfirmedSelect } from "./check-session.js";
import type { FamilyObservation, ProbeFinding } from "./compare.js";
import { wantedFamilies, type PlanGroup } from "./plan-schema.js";

/**
 * The passes of a check, one per mode family (docs/pei.md §7.3): `list` reads the identity lists, `probe` selects
 * each required group in turn. The family the terminal is in goes first; the other one only when the plan
 * needs it, by switching `AT+CTOM` there and straight back (ftl-cli reads TMO and DMO lists this way, docs/pei.md §7.2).
 */
export type Observations = Record<ModeFamily, FamilyObservation>;

/** Family names as technicians read them. */
export const FAMILY_LABEL: Record<ModeFamily, string> = { tmo: "TMO", dmo: "DMO" };

/** Stores a listing as the family's observation. */
export function recordListing(obs: Observations, family: ModeFamily, listing: GroupListing): void {
  obs[family] = listing.ok
    ? { kind: "listed", groups: listing.groups }
    : { kind: "unavailable", detail: `${FAMILY_LABEL[family]} list not available: ${listing.detail}` };
}

function findingOf(r: ConfirmedSelect, family: ModeFamily): ProbeFinding {
  switch (r.kind) {
    case "selected":
      return { state: "selectable", detail: r.confirmed ? "selectable (probing cannot read the alias)" : "selection accepted, but the terminal did not confirm it with +CTGS" };
    case "not-programmed":
      return { state: "not-selectable", detail: `not selectable in ${FAMILY_LABEL[family]} (${r.detail})` };
    case "busy":
      return { state: "unknown", detail: `terminal busy (${r.detail})` };
    case "refused":
      return { state: "unknown", detail: `terminal refused the selection (${r.detail})` };
  }
}

/**
 * Selects each required group of `family`, paced and retried by the session, then puts the family's
 * selection back at once, so the operator's group is gone for as short a time as possible.
 */
export async function probeFamily(s: CheckSession, family: ModeFamily, groups: readonly PlanGroup[], obs: Observations): Promise<void> {
  const inFamily = groups.filter((g) => wantedFamilies(g.mode).includes(family));
  const toProbe = inFamily.filter((g) => g.required);
  const results = new Map<string, ProbeFinding>();
  obs[family] = { kind: "probed", results, notProbedDetail: "optional group: probing selects required groups only" };
  if (toProbe.length === 0) return;
  const before = await s.reader.readSelectedGroup(s.signal);
  if (before === undefined) {
    // Without the operator's group there is nothing to restore to: never leave them on a probed group.
    const detail = `not probed: no group could be read as selected in ${FAMILY_LABEL[family]}, so the selection could not be restored afterwards`;
    for (const g of toProbe) results.set(String(g.gssi), { state: "unknown", detail });
    return;
  }
  s.disturbing = true;
  try {
    for (const g of toProbe) {
      const gssi = String(g.gssi);
      const finding = findingOf(await s.selectGroup(gssi), family);
      results.set(gssi, finding);
      s.log.info({ gssi: g.gssi, family, state: finding.state }, "talkgroup probe");
    }
  } finally {
    for (const g of toProbe) {
      if (!results.has(String(g.gssi))) results.set(String(g.gssi), { state: "unknown", detail: `not probed: ${s.interruption?.detail ?? "check ended early"}` });
    }
    if (!s.signal.aborted) {
      await s.selectGroup(before, { guard: false }).catch((err: unknown) => s.noteError(err));
    }
    s.disturbing = false;
  }
}

/**
 * Runs `inner` in the other family's mode and switches back to `original`. Refused while a call is active;
 * a call starting meanwhile interrupts the check (the session watches `disturbing`).
 */
export async function inOtherMode(s: CheckSession, original: TerminalMode, family: ModeFamily, obs: Observations, inner: () => Promise<void>): Promise<void> {
  const label = FAMILY_LABEL[family];
  if (s.reader.isCallActive()) {
    obs[family] = { kind: "unavailable", detail: `not read: a call is active, so the check did not switch to ${label}` };
    return;
  }
  s.disturbing = true;
  try {
    const r = await s.setMode(s.reader.capabilities.modeCodes[family], family);
    if (r.kind !== "selected" || !r.confirmed) {
      const why = r.kind === "selected" ? "the terminal did not confirm the switch" : r.detail;
      obs[family] = { kind: "unavailable", detail: `not read: could not switch to ${label} (${why})` };
      return;
    }
    await inner();
  } finally {
    if (!s.signal.aborted) {
      const back = await s.setMode(original.code, original.family, { guard: false }).catch((err: unknown) => s.noteError(err));
      if (back && back.kind !== "selected") s.log.warn({ outcome: back.kind, detail: back.detail }, "switch back refused; the restore will retry");
    }
    s.disturbing = false;
  }
}
