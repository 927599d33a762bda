import { byCodeUnits } from "../shared/code-unit-order.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * An in-process view of the state the gateway publishes: every retained document under `<base>`
 * (`links/<id>`, `terminals/<id>`, `talkgroups/<terminal>/check`, `alerts/<id>`, `conferences/<id>`) plus
 * what the page needs that has no retained topic (`modems/<id>`, `sds/last/<terminal>`). It is fed by the
 * same publish path MQTT subscribers see, so the status page shows exactly what an integrator would read,
 * and works with whatever alert and conference documents their owners publish (docs/mqtt-interface.md shapes).
 *
 * Finished alerts are kept up to `recentAlerts`; older ones leave the view (the alert store keeps them).
 */
export type StateDoc = Record<string, unknown>;

/** One change: `doc` undefined when the topic left the view. */
export interface StateChange {
  topic: string;
  doc: StateDoc | undefined;
}

export interface StateViewOptions {
  recentAlerts: number;
}

const FINISHED_ALERT = new Set(["completed", "cancelled", "expired"]);

export class StateView {
  private readonly docs = new Map<string, StateDoc>();
  private readonly listeners = new Set<(c: StateChange) => void>();

  constructor(private readonly opts: StateViewOptions) {}

  /** Applies one published document (JSON bytes or an object); empty bytes remove it; a payload that is not a JSON object is ignored. */
  apply(topic: string, payload: Buffer | StateDoc): void {
    // An empty retained message clears the topic (MQTT 3.1.1 §3.3.1.3).
    if (Buffer.isBuffer(payload) && payload.length === 0) return this.remove(topic);
    let doc: unknown = payload;
    if (Buffer.isBuffer(payload)) {
      try {
        doc = JSON.parse(payload.toString("utf8"));
      } catch {
        return;
      }
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return;
    this.docs.set(topic, doc as StateDoc);
    this.emit({ topic, doc: doc as StateDoc });
    // Only a finished document can raise the number of finished alerts: trim then, not on every attempt.
    if (topic.startsWith("alerts/") && FINISHED_ALERT.has(String((doc as StateDoc)["state"]))) this.trimAlerts();
  }

  /** Removes a topic (e.g. a terminal that left the configuration). */
  remove(topic: string): void {
    if (this.docs.delete(topic)) this.emit({ topic, doc: undefined });
  }

  get(topic: string): StateDoc | undefined {
    return this.docs.get(topic);
  }

  /** Every document, by topic (a copy; documents are shared and must not be changed). */
  snapshot(): Record<string, StateDoc> {
    return Object.fromEntries(this.docs);
  }

  /** The documents whose topic starts with `prefix`, keyed by the rest of the topic. */
  under(prefix: string): Map<string, StateDoc> {
    const out = new Map<string, StateDoc>();
    for (const [t, d] of this.docs) if (t.startsWith(prefix)) out.set(t.slice(prefix.length), d);
    return out;
  }

  onChange(fn: (c: StateChange) => void): Unsubscribe {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(c: StateChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch {
        // a failing listener (a closed page) must not stop the others
      }
    }
  }

  private trimAlerts(): void {
    const finished = [...this.under("alerts/")].filter(([, d]) => FINISHED_ALERT.has(String(d["state"])));
    if (finished.length <= this.opts.recentAlerts) return;
    const created = (d: StateDoc): string => (typeof d["createdAt"] === "string" ? d["createdAt"] : "");
    finished.sort(([, a], [, b]) => byCodeUnits(created(b), created(a)));
    for (const [id] of finished.slice(this.opts.recentAlerts)) this.remove(`alerts/${id}`);
  }
}
