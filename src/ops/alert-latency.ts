import type { StateDoc } from "./state-view.js";

/**
 * Derives alert timings from the retained alert documents (docs/mqtt-interface.md `<base>/alerts/<id>`), so the
 * figures measure what recipients experienced, whichever code wrote the document:
 * - accepted → first send: `createdAt` to the earliest attempt's `at`;
 * - accepted → first answer: `createdAt` to the first recipient with an `answer`, taken from the
 *   recipient's `answeredAt` when the document has it, otherwise from when the answer was first seen.
 * Each alert is observed once per figure; answers are counted once per recipient.
 */
export interface AlertObservation {
  firstSendS?: number;
  firstAnswerS?: number;
  /** New answers since the previous document of this alert. */
  answers: string[];
}

interface Seen {
  firstSend: boolean;
  firstAnswer: boolean;
  answered: Set<number>;
}

function time(v: unknown): number | undefined {
  if (typeof v !== "string") return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

export class AlertLatencyTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Looks at one alert document; returns what is new in it. */
  observe(doc: StateDoc): AlertObservation {
    const id = typeof doc["id"] === "string" ? doc["id"] : "";
    const created = time(doc["createdAt"]);
    let s = this.seen.get(id);
    if (!s) this.seen.set(id, (s = { firstSend: false, firstAnswer: false, answered: new Set() }));
    const out: AlertObservation = { answers: [] };
    const recipients = Array.isArray(doc["recipients"]) ? (doc["recipients"] as unknown[]) : [];
    let firstAttempt: number | undefined;
    let firstAnswer: number | undefined;
    recipients.forEach((r, i) => {
      if (typeof r !== "object" || r === null) return;
      const rec = r as Record<string, unknown>;
      for (const a of Array.isArray(rec["attempts"]) ? (rec["attempts"] as unknown[]) : []) {
        const at = time((a as Record<string, unknown> | null)?.["at"]);
        if (at !== undefined && (firstAttempt === undefined || at < firstAttempt)) firstAttempt = at;
      }
      const answer = rec["answer"];
      if (typeof answer === "string" && !s.answered.has(i)) {
        s.answered.add(i);
        out.answers.push(answer);
        const at = time(rec["answeredAt"]) ?? this.now();
        if (firstAnswer === undefined || at < firstAnswer) firstAnswer = at;
      }
    });
    if (created !== undefined && firstAttempt !== undefined && !s.firstSend) {
      s.firstSend = true;
      out.firstSendS = Math.max(0, (firstAttempt - created) / 1000);
    }
    if (created !== undefined && firstAnswer !== undefined && !s.firstAnswer) {
      s.firstAnswer = true;
      out.firstAnswerS = Math.max(0, (firstAnswer - created) / 1000);
    }
    return out;
  }

  /** Forgets an alert (it left the view). */
  forget(id: string): void {
    this.seen.delete(id);
  }
}
