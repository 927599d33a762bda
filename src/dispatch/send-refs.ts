import { keepNewest } from "../shared/newest-map.js";
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
 * How long such a report waits for its send to be recorded. A terminal's report beats the record by
 * milliseconds (the alert's write); reports of sends that are no alert's (`sds/send`, `sms/send`) come here
 * too and never get taken, so without an age limit the map sat full (1000 reports) on any busy gateway.
 */
const EARLY_TTL_MS = 60_000;

/**
 * Send references of the alerts in memory, so a delivery report finds its attempt, and reports that arrive
 * before their send is recorded (a fast terminal). An archived alert's references are forgotten with it.
 */
export class SendRefs {
  private readonly refs = new Map<string, SendRef>();
  private readonly early = new Map<string, { p: Progress; at: number }>();

  /** `now`: a monotonic clock in ms (the dispatcher's). */
  constructor(private readonly now: () => number) {}

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
    if (where) {
      this.early.delete(p.ref);
      return where;
    }
    const now = this.now();
    keepNewest(this.early, p.ref, { p, at: now }, EARLY_MAX, (e) => now - e.at > EARLY_TTL_MS);
    return undefined;
  }

  /** A report that arrived (at most `EARLY_TTL_MS` ago) before the send `ref` was recorded. */
  takeEarly(ref: string | undefined): Progress | undefined {
    const e = ref === undefined ? undefined : this.early.get(ref);
    return e && this.now() - e.at <= EARLY_TTL_MS ? e.p : undefined;
  }

  forget(a: StoredAlert): void {
    for (const r of a.recipients) for (const t of r.attempts) if (t.ref) this.refs.delete(t.ref);
  }

  get size(): number {
    return this.refs.size;
  }

  /** Reports held while waiting for their send. */
  get earlySize(): number {
    return this.early.size;
  }
}
