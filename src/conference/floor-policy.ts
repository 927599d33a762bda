import type { FloorEvent, PttControl, TerminalState } from "../ports/radio-terminal.js";
import { type Clock, type TimerHandle, sleep, systemClock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";
import type { ConferencePatch } from "./conference-service.js";

/**
 * Floor policy of a talk-group patch: the telephone conference and one Rakel talk group share audio through
 * the terminal's accessory audio; this policy only decides when the terminal transmits (PTT over PEI).
 *
 * - The group stays selected: re-selected after anyone (or anything) selects another one, outside calls.
 * - The terminal is keyed only while the phone side speaks AND the group's floor is free. While the radio
 *   side holds the floor (a grant to another party) it is never keyed, so radio audio heard on the phone
 *   line is never sent back to the radio (no audio loop).
 * - A transmission lasts at most `maxTransmitMs`; then it is de-keyed and stays so until the phone side
 *   stops and starts speaking again.
 * - Every failure path de-keys: a failed key, a refused or interrupted grant, the call released, the
 *   terminal lost, leave and shutdown. A failed de-key is retried until the terminal takes it.
 */
export interface FloorTerminal extends PttControl {
  readonly state: TerminalState;
  on(event: "floor", fn: (e: FloorEvent) => void): Unsubscribe;
  on(event: "state", fn: (s: TerminalState) => void): Unsubscribe;
}

export interface FloorPolicyOptions {
  terminal: FloorTerminal;
  /** Terminal id, for logs. */
  terminalId: string;
  talkgroup: string;
  log: Logger;
  clock?: Clock;
  /** Longest single transmission. Default 60 s. */
  maxTransmitMs?: number;
  /** Spacing of de-key retries after a failed de-key. Default 1000 ms; at most 10 tries. */
  dekeyRetryMs?: number;
  /** Least time between two re-selections of the group. Default 5000 ms. */
  reselectMs?: number;
}

/** What the policy is doing now (tests, health). */
export interface FloorSnapshot {
  phoneSpeaking: boolean;
  radioHoldsFloor: boolean;
  keyed: boolean;
  /** Set after the transmit time limit until the phone side goes quiet. */
  lockedOut: boolean;
  keyCount: number;
  dekeyCount: number;
}

export class FloorPolicy implements ConferencePatch {
  readonly talkgroup: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private phoneSpeaking = false;
  private radioHolds = false;
  private keyed = false;
  private keying = false;
  private lockedOut = false;
  private running = false;
  private txTimer: TimerHandle | undefined;
  private lastSelect = -Infinity;
  private readonly offs: Unsubscribe[] = [];
  private keyCount = 0;
  private dekeyCount = 0;

  constructor(private readonly o: FloorPolicyOptions) {
    this.talkgroup = o.talkgroup;
    this.clock = o.clock ?? systemClock;
    this.log = o.log.child({ mod: "floor", link: o.terminalId, talkgroup: o.talkgroup });
  }

  snapshot(): FloorSnapshot {
    return { phoneSpeaking: this.phoneSpeaking, radioHoldsFloor: this.radioHolds, keyed: this.keyed || this.keying, lockedOut: this.lockedOut, keyCount: this.keyCount, dekeyCount: this.dekeyCount };
  }

  async start(): Promise<void> {
    this.running = true;
    this.offs.push(this.o.terminal.on("floor", (e) => this.onFloor(e)));
    this.offs.push(this.o.terminal.on("state", (s) => this.onState(s)));
    this.log.info({ event: "patch-start" }, "talk-group patch started");
    await this.select();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const off of this.offs.splice(0)) off();
    this.phoneSpeaking = false;
    await this.dekey("patch stopped");
    this.log.info({ event: "patch-stop", keys: this.keyCount }, "talk-group patch stopped");
  }

  phoneSpeech(active: boolean): void {
    if (!this.running || active === this.phoneSpeaking) return;
    this.phoneSpeaking = active;
    if (!active) {
      this.lockedOut = false;
      void this.dekey("phone side quiet");
    } else void this.maybeKey();
  }

  private async select(): Promise<void> {
    this.lastSelect = this.clock.now();
    if (this.o.terminal.state.selectedGroup === this.talkgroup) return;
    await this.o.terminal.selectGroup(this.talkgroup);
  }

  private onState(s: TerminalState): void {
    if (!this.running) return;
    if (s.selectedGroup !== undefined && s.selectedGroup !== this.talkgroup && !s.callActive && this.clock.now() - this.lastSelect >= (this.o.reselectMs ?? 5000)) {
      this.log.warn({ selected: s.selectedGroup }, "another talk group was selected; selecting the patched group again");
      void this.select().catch((err: unknown) => this.log.error({ err }, "re-selecting the patched talk group failed"));
    }
  }

  private onFloor(e: FloorEvent): void {
    if (!this.running) return;
    switch (e.kind) {
      case "other-talking":
        this.radioHolds = true;
        // Should not happen while we hold a grant; if it does, the radio side wins.
        if (this.keyed || this.keying) void this.dekey("radio side took the floor");
        return;
      case "granted":
        return;
      case "not-granted":
        this.radioHolds = true;
        void this.dekey(e.queued ? "transmit request queued" : "transmit not granted");
        return;
      case "interrupted":
        void this.dekey("transmission interrupted by the network");
        return;
      case "ceased":
        this.radioHolds = false;
        void this.maybeKey();
        return;
      case "released":
        this.radioHolds = false;
        if (this.keyed) {
          // The call is gone and our transmission with it; release anyway so no demand stays pending.
          void this.dekey("call released");
        }
        return;
      case "call-started":
        return;
    }
  }

  private async maybeKey(): Promise<void> {
    if (!this.running || !this.phoneSpeaking || this.radioHolds || this.lockedOut || this.keyed || this.keying) return;
    this.keying = true;
    try {
      await this.o.terminal.pressPtt(this.talkgroup);
      this.keyCount++;
      this.keyed = true;
      this.log.info({ event: "ptt-press" }, "terminal keyed for the phone side");
      this.txTimer = this.clock.setTimeout(() => {
        this.lockedOut = true;
        this.log.warn({ event: "ptt-limit", maxTransmitMs: this.o.maxTransmitMs ?? 60000 }, "maximum transmit time reached; de-keying");
        void this.dekey("maximum transmit time");
      }, this.o.maxTransmitMs ?? 60_000);
    } catch (err) {
      this.log.error({ err, event: "ptt-press-failed" }, "keying failed; de-keying");
      this.keyed = true; // the terminal may have taken it anyway
      await this.dekey("key failed");
      return;
    } finally {
      this.keying = false;
    }
    // Conditions may have changed while the key command was in flight.
    if (!this.running || !this.phoneSpeaking || this.radioHolds || this.lockedOut) await this.dekey("conditions changed while keying");
  }

  private async dekey(why: string, attempt = 0): Promise<void> {
    if (this.txTimer !== undefined) this.clock.clearTimeout(this.txTimer);
    this.txTimer = undefined;
    if (!this.keyed) return;
    try {
      await this.o.terminal.releasePtt();
      this.keyed = false;
      this.dekeyCount++;
      this.log.info({ event: "ptt-release", why }, "terminal de-keyed");
    } catch (err) {
      this.log.error({ err, why, attempt, event: "ptt-release-failed" }, "de-keying failed; retrying");
      if (attempt >= 9) return;
      await sleep(this.o.dekeyRetryMs ?? 1000, undefined, this.clock);
      await this.dekey(why, attempt + 1);
    }
  }
}
