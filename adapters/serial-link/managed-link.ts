import type { Logger } from "../../src/shared/logger.js";
import { backoffDelay, type BackoffOptions } from "../../src/shared/backoff.js";
import { type Clock, type TimerHandle, systemClock } from "../../src/shared/clock.js";
import { GatewayError } from "../../src/shared/errors.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import type { ByteLink, ByteLinkFactory, LinkCloseInfo } from "./byte-link.js";

/**
 * Keeps one device link open for the life of the process. When the device disappears (USB unplug,
 * terminal reboot, port server restart) it reopens with capped, jittered backoff until `stop()`.
 *
 *   closed ──start()──► opening ──ok──► open ──lost──► waiting ──delay──► opening
 *                          └──fail──► waiting ◄────────────────────────────┘
 */
export type ManagedLinkState = "stopped" | "opening" | "open" | "waiting";

export interface ManagedLinkEvents {
  open: (link: ByteLink) => void;
  lost: (info: LinkCloseInfo) => void;
  data: (chunk: Buffer) => void;
  openFailed: (err: Error, attempt: number, retryInMs: number) => void;
}

export interface ManagedLinkOptions {
  factory: ByteLinkFactory;
  log: Logger;
  name: string;
  /** Default: 250 ms base, 10 s cap (R6: reopen within 5 s of the device reappearing at most attempts). */
  backoff?: BackoffOptions;
  /** Time source for the reopen timer. Default: the system clock. */
  clock?: Clock;
}

export class ManagedLink extends TypedEmitter<ManagedLinkEvents> {
  private link: ByteLink | undefined;
  private stateValue: ManagedLinkState = "stopped";
  private attempt = 0;
  private openSeq = 0;
  private retryTimer: TimerHandle | undefined;
  private readonly clock: Clock;
  private readonly backoff: BackoffOptions;

  constructor(private readonly opts: ManagedLinkOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "link listener failed"));
    this.backoff = opts.backoff ?? { baseMs: 250, capMs: 10_000, minMs: 100 };
    this.clock = opts.clock ?? systemClock;
  }

  get state(): ManagedLinkState {
    return this.stateValue;
  }

  get current(): ByteLink | undefined {
    return this.link?.isOpen ? this.link : undefined;
  }

  /** Begins opening; resolves after the first attempt (successful or not). */
  async start(): Promise<void> {
    if (this.stateValue !== "stopped") return;
    await this.tryOpen();
  }

  async stop(): Promise<void> {
    this.stateValue = "stopped";
    this.openSeq++; // an open still under way closes what it opened
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  write(data: Buffer | string): Promise<void> {
    const link = this.current;
    if (!link) return Promise.reject(new GatewayError("LINK_NOT_OPEN", `${this.opts.name} is not open`));
    return link.write(data);
  }

  /** Recovery step: close the current link and open a new one right away. */
  async reopen(reason: string): Promise<void> {
    // An open already under way will produce a fresh link; a second one would leak the first.
    if (this.stateValue === "stopped" || this.stateValue === "opening") return;
    this.opts.log.warn({ reason }, "reopening link");
    const link = this.link;
    this.link = undefined;
    if (link) {
      // Tell the engine as for any loss: it fails the in-flight command and drops half-read lines, so
      // nothing from the old connection is read as part of the new one.
      this.emit("lost", { intentional: true, error: new Error(`reopened: ${reason}`) });
      await link.close();
    }
    // stop() may have run while the old link was closing: it must not be undone by opening again.
    if ((this.stateValue as ManagedLinkState) === "stopped") return;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.tryOpen();
  }

  private async tryOpen(): Promise<void> {
    const attemptId = ++this.openSeq;
    this.stateValue = "opening";
    try {
      const link = await this.opts.factory();
      if ((this.stateValue as ManagedLinkState) !== "opening" || attemptId !== this.openSeq) {
        await link.close();
        return;
      }
      this.link = link;
      this.attempt = 0;
      this.stateValue = "open";
      link.onData((chunk) => this.emit("data", chunk));
      link.onClose((info) => this.onLinkClosed(link, info));
      this.opts.log.info({ link: link.description }, "link open");
      this.emit("open", link);
    } catch (err) {
      if ((this.stateValue as ManagedLinkState) === "stopped") return;
      const delay = backoffDelay(this.attempt++, this.backoff);
      this.opts.log.warn({ err: (err as Error).message, attempt: this.attempt, retryInMs: delay }, "link open failed");
      this.emit("openFailed", err as Error, this.attempt, delay);
      this.schedule(delay);
    }
  }

  private onLinkClosed(link: ByteLink, info: LinkCloseInfo): void {
    if (this.link !== link) return;
    this.link = undefined;
    if (this.stateValue === "stopped") return;
    this.opts.log.warn({ err: info.error?.message, intentional: info.intentional }, "link lost");
    this.emit("lost", info);
    this.schedule(backoffDelay(this.attempt++, this.backoff));
  }

  private schedule(delay: number): void {
    this.stateValue = "waiting";
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stateValue === "waiting") void this.tryOpen();
    }, delay);
  }
}
