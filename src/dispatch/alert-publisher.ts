import type { Logger } from "../shared/logger.js";
import { publicAlert, type StoredAlert } from "./alert-model.js";

/**
 * Publishes an alert's retained document, coalescing: changes made while a publish of the same alert is in
 * flight go out as one more publish of the newest state when it ends (the retained document is a snapshot,
 * so the states in between carry nothing the newest lacks). `publish` resolves once a publish that includes
 * the state at the time of the call has been handed over. One alert to 200 recipients commits twice per
 * recipient; without this each commit would render and send the whole document.
 */
export class AlertPublisher {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(
    private readonly send: (id: string, doc: Record<string, unknown>) => Promise<void>,
    private readonly log: Logger,
    private readonly unpublish?: (id: string) => Promise<void>,
  ) {}

  /** Clears the alert's retained document, after any publish of it still in flight (never rejects). */
  async clear(id: string): Promise<void> {
    if (!this.unpublish) return;
    await this.running.get(id)?.done;
    await this.unpublish(id).catch((err: unknown) => this.log.warn({ err, alert: id }, "alert state not cleared"));
  }

  publish(a: StoredAlert): Promise<void> {
    const busy = this.running.get(a.id);
    if (busy) {
      busy.again = true;
      return busy.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      do {
        entry.again = false;
        await this.send(a.id, publicAlert(a)).catch((err: unknown) => this.log.warn({ err, alert: a.id }, "alert state not published"));
      } while (entry.again);
      this.running.delete(a.id);
    })();
    this.running.set(a.id, entry);
    return entry.done;
  }
}
