import { isBroadcast, type Recipient, type StoredAlert } from "./alert-model.js";
import { needsAnswer } from "./ladder.js";

/**
 * Pure rules of escalation, on a stored alert. A slot is *filled* when it needs nothing more: a person
 * (or direct address) answered anything; a role has someone coming (or delayed); an info alert was
 * delivered. A slot is *done* when it is filled, or when its ladder is exhausted and each of its entries
 * is settled (answered, unreached, or a group that was sent to). The alert completes when every slot is done.
 */
const entriesOf = (a: StoredAlert, slot: number): Recipient[] => a.recipients.filter((r) => r.slot === slot);

export function slotFilled(a: StoredAlert, slot: number): boolean {
  const s = a.slots[slot];
  if (!s) return true;
  const entries = entriesOf(a, slot);
  if (!needsAnswer(a.kind)) return entries.some((r) => !isBroadcast(r) && (r.state === "delivered" || r.state === "acknowledged"));
  if (s.spec.startsWith("role:")) return entries.some((r) => r.answer === "coming" || r.answer === "delayed");
  return entries.some((r) => r.answer !== undefined);
}

function settled(a: StoredAlert, r: Recipient): boolean {
  if (r.answer !== undefined || r.state === "unreached") return true;
  if (isBroadcast(r)) return r.state === "delivered" || r.attempts.some((t) => t.result !== "failed");
  return !needsAnswer(a.kind) && r.state === "delivered";
}

export function slotDone(a: StoredAlert, slot: number): boolean {
  const s = a.slots[slot];
  if (!s) return true;
  if (slotFilled(a, slot)) return true;
  return s.exhausted && s.skipped.length === 0 && entriesOf(a, slot).every((r) => settled(a, r) && r.inFlight === undefined);
}

export function alertDone(a: StoredAlert): boolean {
  return a.slots.every((_, i) => slotDone(a, i));
}

/** True when the step's person already answered, so the ladder passes over their remaining channels. */
export function personAnswered(a: StoredAlert, slot: number, person: string | undefined): boolean {
  if (!person) return false;
  return a.recipients.some((r) => r.slot === slot && r.person === person && r.answer !== undefined);
}

/** At the end of a ladder: entries that no send ever reached are unreached. */
export function markUnreachedAfterLadder(a: StoredAlert, slot: number): void {
  for (const r of entriesOf(a, slot)) {
    if (r.answer || r.inFlight || r.state === "unreached") continue;
    if (!r.attempts.some((t) => t.result !== "failed")) r.state = "unreached";
  }
}

/** At the deadline: every entry without an answer is unreached (groups keep their delivered state). */
export function markUnreachedAtDeadline(a: StoredAlert): void {
  for (const r of a.recipients) {
    if (r.answer !== undefined || (isBroadcast(r) && r.state === "delivered")) continue;
    r.state = "unreached";
    delete r.inFlight;
  }
}
