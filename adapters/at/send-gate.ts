import type { Clock, TimerHandle } from "../../src/shared/clock.js";

/**
 * Whether the engine may start the next command: not while it is held (link lost, re-initialisation
 * under way: only `bypassHold` commands pass) and not during a quiet period. The quiet period (settle
 * pause) follows a timed-out or aborted command, so its late answer lands while nothing is in flight and
 * is dropped instead of being read as the next command's answer.
 */
export class SendGate {
  private heldValue = false;
  private quietTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    /** Called when the gate opens again (release, end of a quiet period). */
    private readonly onOpen: () => void,
  ) {}

  hold(): void {
    this.heldValue = true;
  }

  release(): void {
    this.heldValue = false;
    this.onOpen();
  }

  get held(): boolean {
    return this.heldValue;
  }

  get quiet(): boolean {
    return this.quietTimer !== undefined;
  }

  /** Starts a quiet period of `ms`; `onOpen` runs when it ends. */
  quietFor(ms: number): void {
    if (this.quietTimer !== undefined) this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = this.clock.setTimeout(() => {
      this.quietTimer = undefined;
      this.onOpen();
    }, ms);
  }

  close(): void {
    if (this.quietTimer !== undefined) this.clock.clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }
}
