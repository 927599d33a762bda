import type { AlertKind, Summary } from "./alert-model.js";
import type { ChannelKind } from "./addresses.js";
import type { Templates } from "./dispatch-config.js";
import { sdsParts, smsParts } from "./text-parts.js";

/**
 * Renders the texts that go on the air. An alert text is the kind's template with the long answer hint;
 * when that needs more than one part on the channel the short hint is used; when even that needs more, the
 * text goes out in several parts (concatenated SDS/SMS) — it is never cut. `fill` never lets a
 * placeholder value bring in another placeholder.
 */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** Outgoing texts end with no control characters (CR, Ctrl-Z, ESC never reach the AT layer as text). */
export function sanitise(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
}

export interface RenderOptions {
  templates: Templates;
  sdsMaxBits: number;
}

/** How many parts a text needs on a channel (mqtt: always one). */
export function partsOn(channel: ChannelKind, text: string, sdsMaxBits: number): number {
  if (channel === "sds") return sdsParts(text, sdsMaxBits);
  if (channel === "sms") return smsParts(text);
  return 1;
}

/** The alert text for one channel, with the answer hint that keeps it to one part where possible. */
export function renderAlertText(kind: AlertKind, code: string, text: string, channel: ChannelKind, o: RenderOptions): { text: string; parts: number } {
  const head = fill(o.templates[kind], { code, text: sanitise(text) });
  if (kind === "info") return { text: head, parts: partsOn(channel, head, o.sdsMaxBits) };
  const long = head + fill(o.templates.answerHint, { code });
  const longParts = partsOn(channel, long, o.sdsMaxBits);
  if (longParts === 1) return { text: long, parts: 1 };
  const short = head + fill(o.templates.answerHintShort, { code });
  return { text: short, parts: partsOn(channel, short, o.sdsMaxBits) };
}

/** `KVITTO 4711: 2 kommer, 1 kommer ej, 1 ej nådd` (delayed answers inserted only when there are some). */
export function renderReceipt(code: string, s: Summary, t: Templates): string {
  const delayedPart = s.delayed > 0 ? fill(t.receiptDelayed, { delayed: s.delayed }) : "";
  return fill(t.receipt, { code, coming: s.coming, notComing: s.notComing, delayed: s.delayed, unreached: s.unreached, pending: s.pending, delayedPart });
}
