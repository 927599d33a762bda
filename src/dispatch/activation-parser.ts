import { ALL_ROLES } from "./roster.js";

/**
 * Activation without IP (README "Alerts and acknowledgements"): `LARM <role,role|alla> <text>` or `ÖVNING <role,role|alla> <text>`
 * by SDS or SMS from an allow-listed activator. Case-insensitive keyword and roles; the text is kept as
 * written. Returns undefined when the message is not an activation at all (then it may be an answer).
 */
export type ParsedActivation =
  | { ok: true; kind: "activation" | "test"; roles: string[] | "all"; text: string }
  | { ok: false; reason: string };

export function parseActivation(raw: string): ParsedActivation | undefined {
  const m = /^\s*(LARM|ÖVNING|OVNING)\b\s*(.*)$/isu.exec(raw);
  if (!m) return undefined;
  const kind = /^LARM$/i.test(m[1] ?? "") ? "activation" : "test";
  const rest = (m[2] ?? "").trim();
  const r = /^([^\s]+)\s*(.*)$/su.exec(rest);
  if (!r) return { ok: false, reason: "roles missing (LARM <roll,roll|alla> <text>)" };
  const roleList = (r[1] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const text = (r[2] ?? "").trim();
  if (roleList.length === 0) return { ok: false, reason: "roles missing" };
  if (text === "") return { ok: false, reason: "text missing" };
  if (roleList.some((x) => x.toLowerCase() === ALL_ROLES)) return { ok: true, kind, roles: "all", text };
  return { ok: true, kind, roles: roleList.map((x) => x.toLowerCase()), text };
}

/** Normalised form for de-duplication: same kind, recipients and text (case and spacing ignored). */
export function activationKey(kind: string, recipients: readonly string[], text: string): string {
  const r = [...new Set(recipients.map((x) => x.toLowerCase()))].sort().join(",");
  return `${kind}|${r}|${text.toLowerCase().replace(/\s+/g, " ").trim()}`;
}
