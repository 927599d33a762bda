import type { StoredAlert } from "./alert-model.js";
import type { Progress } from "./channel-ports.js";

/** Where a send's reference leads: the alert, the recipient entry and the attempt. */
export interface SendRef {
  alert: string;
  entry: number;
  attempt: number;
}

/** Delivery reports that came before their send was recorded; more than this and the oldest is dropped. */
const EARLY_MAX = 1000;

/**
 * Send references of the alerts in memory, so a delivery report finds its attempt, and reports that arrive
 * before their send is recorded (a fast terminal). An archived alert's references are forgotten with it.
 */
export class SendRefs {
  private readonly refs = new Map<string, SendRef>();
  private readonly early = new Map<string, Progress>();

  /** Indexes every attempt of an alert recovered at start. */
  track(a: StoredAlert): void {
    a.recipients.forEach((r, entry) => r.attempts.forEach((t, attempt) => t.ref && this.refs.set(t.ref, { alert: a.id, entry, attempt })));
  }

  add(ref: string, where: SendRef): void {
    this.refs.set(ref, where);
  }

  /** Where a report belongs; undefined (and the report kept for `takeEarly`) when its send is not recorded yet. */
  find(p: Progress): SendRef | undefined {
    const where = this.refs.get(p.ref);
    if (where) this.early.delete(p.ref);
    else {
      this.early.set(p.ref, p);
      if (this.early.size > EARLY_MAX) this.early.delete(this.early.keys().next().value as string);
    }
    return where;
  }

  /** A report that arrived before the send `ref` was recorded. */
  takeEarly(ref: string | undefined): Progress | undefined {
    return ref === undefined ? undefined : this.early.get(ref);
  }

  forget(a: StoredAlert): void {
    for (const r of a.recipients) for (const t of r.attempts) if (t.ref) this.refs.delete(t.ref);
  }

  get size(): number {
    return this.refs.size;
  }
}
