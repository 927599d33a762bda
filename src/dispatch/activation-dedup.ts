import { sameAddress } from "./addresses.js";
import type { AlertOrigin, StoredAlert } from "./alert-model.js";
import type { RosterIndex } from "./roster.js";

/**
 * De-duplication of one activation arriving by several channels (README "Alerts and acknowledgements"):
 * the same code or the same text from the same activator within `dedupWindowS` is one alert.
 *
 * Who the activator is: for SDS/SMS the roster person holding that ISSI or MSISDN (so one person's SDS and
 * SMS are one activator even though `activators` lists the addresses as separate entries), else the address
 * itself. An MQTT or CLI activation carries no activator identity; it joins a matching alert of any activator.
 * Different activators sending the same text start separate alerts.
 */
export function activatorOf(origin: { via: string; from?: string }, roster: RosterIndex): string | undefined {
  if ((origin.via !== "sds" && origin.via !== "sms") || !origin.from) return undefined;
  const channel = origin.via;
  const from = origin.from;
  for (const p of roster.people.values()) {
    if (p.channels.some((c) => c[channel] !== undefined && sameAddress(channel, c[channel], from))) return `person:${p.id}`;
  }
  return `${channel}:${from}`;
}

/** The activators an alert already arrived from (none known when it came only by MQTT/CLI). */
function activatorsOf(a: StoredAlert, roster: RosterIndex): Set<string> {
  const out = new Set<string>();
  for (const arr of a.origin.arrivals) {
    const who = activatorOf(arr, roster);
    if (who) out.add(who);
  }
  return out;
}

/**
 * 4-digit words of an activation text that may name an existing alert's code: a word of its own, so the
 * digits inside "P7-5586", "08-1234" or "12.1430" name nothing (the soak proof saw such texts join strangers).
 */
function codesIn(text: string): Set<string> {
  return new Set(text.match(/(?<![^\s,;(])[0-9]{4}(?![^\s,;:.!?)])/g) ?? []);
}

/** The recipients part of a dedup key (`kind|recipients|text`, activation-parser.ts). */
const recipientsOf = (dedupKey: string | undefined): string | undefined => dedupKey?.split("|")[1];

/**
 * The active alert this activation joins, if any: created within the window, compatible activator, and
 * either the same normalised text (`dedupKey`) or a text carrying that alert's code as a word of its own and
 * naming the same recipients (a code-like number in another activation's text must not merge two alerts).
 */
export function findTwin(
  candidates: readonly StoredAlert[],
  act: { dedupKey: string; text: string; origin: Omit<AlertOrigin, "arrivals"> },
  roster: RosterIndex,
  nowMs: number,
  windowMs: number,
): StoredAlert | undefined {
  const who = activatorOf(act.origin, roster);
  const codes = codesIn(act.text);
  const fresh = candidates.filter((a) => nowMs - Date.parse(a.createdAt) <= windowMs);
  const sameActivator = (a: StoredAlert): boolean => {
    if (who === undefined) return true;
    const known = activatorsOf(a, roster);
    return known.size === 0 || known.has(who);
  };
  const sameRecipients = (a: StoredAlert): boolean => recipientsOf(a.dedupKey) === recipientsOf(act.dedupKey);
  return fresh.find((a) => codes.has(a.code) && sameRecipients(a) && sameActivator(a)) ?? fresh.find((a) => a.dedupKey === act.dedupKey && sameActivator(a));
}
