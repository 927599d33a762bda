/**
 * Runs queued work one item at a time, in order. A failing item is reported and the next one still runs:
 * one bad command line must not leave the rest of the queue stuck until something else is queued.
 */
export class SerialWorkQueue<T> {
  private items: T[] = [];
  private running = false;

  constructor(
    private readonly process: (item: T) => Promise<void>,
    private readonly onError: (err: unknown, item: T) => void,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (!this.running) void this.drain();
  }

  /** Drops what has not started yet (a reboot or a new connection). */
  clear(): void {
    this.items = [];
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let item = this.items.shift(); item !== undefined; item = this.items.shift()) {
        try {
          await this.process(item);
        } catch (err) {
          this.onError(err, item);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
