import { GatewayError } from "../shared/errors.js";
import { channelOf, isE164, isSsi, sameAddress, type ChannelKind } from "./addresses.js";
import type { AlertKind, Recipient, Slot, Step, StoredAlert } from "./alert-model.js";
import type { RosterIndex } from "./roster.js";

/**
 * Each recipient spec (`role:tib`, `person:anna`, `issi:…`, `gssi:…`, `msisdn:…`) becomes a slot with a
 * ladder of steps, frozen into the alert when it is created: a person's channels in their roster order;
 * for a role each person of the role in turn, then the role's group fallback. Freezing keeps a running
 * alert (and its restart) independent of roster edits.
 */
export function buildSlots(specs: readonly string[], roster: RosterIndex): Slot[] {
  const problems: string[] = [];
  const slots: Slot[] = [];
  const seen = new Set<string>();
  specs.forEach((spec, i) => {
    const key = spec.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    const ladder = ladderOf(spec, roster, (p) => problems.push(`/recipients/${i}: ${p}`));
    if (ladder) slots.push({ spec, ladder, step: 0, skipped: [], exhausted: false });
  });
  if (problems.length > 0) throw new GatewayError("ALERT_BAD_RECIPIENTS", `recipients are invalid: ${problems.join("; ")}`, { context: { problems } });
  if (slots.length === 0) throw new GatewayError("ALERT_BAD_RECIPIENTS", "the alert has no recipients", { context: { problems: ["/recipients: empty"] } });
  return slots;
}

function personSteps(id: string, roster: RosterIndex, role?: string): Step[] | undefined {
  const p = roster.people.get(id);
  if (!p) return undefined;
  return p.channels.map((c) => ({ person: p.id, ...(role ? { role } : {}), ...channelOf(c) }));
}

function ladderOf(spec: string, roster: RosterIndex, problem: (p: string) => void): Step[] | undefined {
  const m = /^(role|person|issi|gssi|msisdn):(.+)$/.exec(spec);
  if (!m) return void problem(`"${spec}" is not role:<id>, person:<id>, issi:<ssi>, gssi:<ssi> or msisdn:<E.164>`);
  const [, kind, value = ""] = m;
  switch (kind) {
    case "role": {
      const role = roster.role(value);
      if (!role) return void problem(`unknown role "${value}" (roster roles: ${[...roster.roles.values()].map((r) => r.id).join(", ") || "none"})`);
      const steps = role.people.flatMap((pid) => personSteps(pid, roster, role.id) ?? []);
      if (role.fallback) steps.push({ role: role.id, channel: "sds", address: role.fallback.gssi, group: true });
      return steps;
    }
    case "person": {
      const steps = personSteps(value, roster);
      return steps ?? void problem(`unknown person "${value}"`);
    }
    case "issi":
      return isSsi(value) ? [{ channel: "sds", address: value }] : void problem(`"${value}" is not an ISSI (1-8 digits)`);
    case "gssi":
      return isSsi(value) ? [{ channel: "sds", address: value, group: true }] : void problem(`"${value}" is not a GSSI (1-8 digits)`);
    default:
      return isE164(value) ? [{ channel: "sms", address: value }] : void problem(`"${value}" is not an E.164 number (+46…)`);
  }
}

/** The `address` an entry without a person is published with. */
export function entryAddress(step: Step): string {
  return step.group ? `gssi:${step.address}` : step.channel === "sms" ? `msisdn:${step.address}` : `issi:${step.address}`;
}

/** The entry of `recipients` that a step reaches, created (state pending) when it does not exist yet. */
export function entryFor(a: StoredAlert, slot: number, step: Step): number {
  const idx = a.recipients.findIndex((r) => r.slot === slot && (step.person ? r.person === step.person : r.address === entryAddress(step)));
  if (idx >= 0) return idx;
  const r: Recipient = { ...(step.person ? { person: step.person } : { address: entryAddress(step) }), ...(step.role ? { role: step.role } : {}), state: "pending", attempts: [], slot };
  a.recipients.push(r);
  return a.recipients.length - 1;
}

/** True for a step that reaches (channel, address): a person's own contact path or a direct address, never a group. */
export const stepReaches =
  (channel: ChannelKind, from: string) =>
  (step: { channel: string; address: string; group?: boolean }): boolean =>
    !step.group && step.channel === channel && sameAddress(channel, step.address, from);

export const needsAnswer = (kind: AlertKind): boolean => kind !== "info";
