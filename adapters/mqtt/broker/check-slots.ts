/**
 * Bounds CPU-heavy work (scrypt password checks): at most `running` at once, at most `queued` waiting in
 * arrival order; `acquire()` resolves with a release function, or with undefined when the queue is full.
 */
export class CheckSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly queued: number,
  ) {}

  acquire(): Promise<(() => void) | undefined> {
    if (this.active < this.running) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.queued) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    };
  }
}
