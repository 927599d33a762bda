import type { ModeFamily, SelectOutcome, TalkgroupReader, TerminalMode } from "../ports/talkgroup-reader.js";
import type { Clock } from "../shared/clock.js";
import { GatewayError, isGatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { CheckInterruption } from "./check-report.js";

/**
 * The state of one running check: what it changed on the terminal (so the restore knows what to undo), the
 * pacing of selections, and why it stopped early. Selections are spaced by the profile's minimum interval
 * (docs/pei.md §7.1: group changes trigger attachment signalling; one field script keeps ≥ 2 s between them) and
 * retried on `+CME ERROR: 42` (MT busy with signalling, docs/pei.md §1.3).
 */
export interface SessionTuning {
  /** Attempts after a busy answer before giving up on one selection. Default 5. */
  busyRetries: number;
  /** How long to wait for the terminal to confirm a selection (read back). Default 3000 ms. */
  confirmTimeoutMs: number;
  /** Poll period while confirming. Default 100 ms. */
  confirmPollMs: number;
  /** Least time between selections; default from the reader's capabilities. */
  minIntervalMs: number;
  /** First pause after a busy answer, doubled per retry up to 3 s. Default 250 ms. */
  busyBackoffMs: number;
}

/** Options of one selection step. */
export interface StepOptions {
  /** Default: the check's own signal. */
  signal?: AbortSignal;
  /** Refuse while a call is active (default: true on the check's own signal). */
  guard?: boolean;
}

/** Result of a selection with retries and read-back. */
export type ConfirmedSelect = { kind: "selected"; confirmed: boolean } | Exclude<SelectOutcome, { kind: "accepted" }>;

/** Pacing, retries, read-back and interruption state of one running check. */
export class CheckSession {
  /** The check changed the mode / the selected group at some point (also when a command's fate is unknown). */
  touchedMode = false;
  touchedGroup = false;
  /** While true a starting call aborts the check: the check is changing what the operator hears. */
  disturbing = false;
  interruption: CheckInterruption | undefined;
  private lastSelectAt = Number.NEGATIVE_INFINITY;
  private readonly ctl = new AbortController();

  constructor(
    readonly reader: TalkgroupReader,
    readonly clock: Clock,
    readonly log: Logger,
    readonly tuning: SessionTuning,
  ) {}

  /** Aborts everything the check does (not the restore). */
  get signal(): AbortSignal {
    return this.ctl.signal;
  }

  /** Records why the check stops (the first reason wins) and aborts its commands. */
  interrupt(i: CheckInterruption): void {
    if (this.interruption) return;
    this.interruption = i;
    this.log.warn({ kind: i.kind, detail: i.detail }, "talkgroup check interrupted");
    this.ctl.abort(new GatewayError("AT_ABORTED", `check interrupted: ${i.detail}`));
  }

  /** Turns an error thrown inside a pass into the interruption it stands for. */
  noteError(err: unknown): void {
    if (this.interruption) return;
    const message = err instanceof Error ? err.message : String(err);
    this.interrupt({ kind: isGatewayError(err, "TG_CALL_ACTIVE") ? "call" : "link", detail: message });
  }

  /** Throws when the check must not change anything now: interrupted, or a call is active. */
  assertMayDisturb(what: string): void {
    this.signal.throwIfAborted();
    if (this.reader.isCallActive()) {
      throw new GatewayError("TG_CALL_ACTIVE", `a call is active on the terminal; not ${what}`);
    }
  }

  /** Sleeps on the injected clock; rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal = this.signal): Promise<void> {
    if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        this.clock.clearTimeout(t);
        reject(signal.reason as Error);
      };
      const t = this.clock.setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Selects `gssi` with pacing, busy retries and read-back. `guard` (default: when running on the check's own
   * signal) refuses while a call is active; the restore passes its own signal and waits for calls itself.
   */
  async selectGroup(gssi: string, opts: StepOptions = {}): Promise<ConfirmedSelect> {
    const signal = opts.signal ?? this.signal;
    let last: SelectOutcome = { kind: "busy", detail: "not tried" };
    for (let attempt = 0; attempt <= this.tuning.busyRetries; attempt++) {
      await this.sleep(this.lastSelectAt + this.tuning.minIntervalMs - this.clock.now(), signal);
      if (opts.guard ?? opts.signal === undefined) this.assertMayDisturb(`selecting group ${gssi}`);
      this.touchedGroup = true;
      last = await this.reader.selectGroup(gssi, signal);
      this.lastSelectAt = this.clock.now();
      if (last.kind === "accepted") return { kind: "selected", confirmed: await this.confirm(() => this.reader.readSelectedGroup(signal), (g) => g === gssi, signal) };
      if (last.kind !== "busy") return last;
      this.log.debug({ gssi, attempt, detail: last.detail }, "terminal busy; selection retried");
      await this.sleep(Math.max(this.tuning.minIntervalMs, this.backoff(attempt)), signal);
    }
    return { kind: "busy", detail: `${last.detail}; still busy after ${this.tuning.busyRetries + 1} tries` };
  }

  /** Switches to the mode `code` with busy retries and confirms it by reading the mode back. */
  async setMode(code: number, family: ModeFamily, opts: StepOptions = {}): Promise<ConfirmedSelect> {
    const signal = opts.signal ?? this.signal;
    let last: SelectOutcome = { kind: "busy", detail: "not tried" };
    for (let attempt = 0; attempt <= this.tuning.busyRetries; attempt++) {
      if (opts.guard ?? opts.signal === undefined) this.assertMayDisturb(`switching to ${family.toUpperCase()}`);
      this.touchedMode = true;
      last = await this.reader.setMode(code, signal);
      if (last.kind === "accepted") return { kind: "selected", confirmed: await this.confirm(() => this.reader.readMode(signal), (m: TerminalMode) => m.code === code, signal) };
      if (last.kind !== "busy") return last;
      await this.sleep(this.backoff(attempt), signal);
    }
    return { kind: "busy", detail: `${last.detail}; still busy after ${this.tuning.busyRetries + 1} tries` };
  }

  private backoff(attempt: number): number {
    return Math.min(this.tuning.busyBackoffMs * 2 ** attempt, 3000);
  }

  /** Reads until `ok(value)` or the confirm timeout (docs/pei.md §10.12: `OK` only means the request was taken). */
  private async confirm<T>(read: () => Promise<T>, ok: (v: T) => boolean, signal: AbortSignal): Promise<boolean> {
    const end = this.clock.now() + this.tuning.confirmTimeoutMs;
    for (;;) {
      if (ok(await read())) return true;
      if (this.clock.now() >= end) return false;
      await this.sleep(this.tuning.confirmPollMs, signal);
    }
  }
}
