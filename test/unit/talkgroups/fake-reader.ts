import type {
  GroupListing,
  ListedGroup,
  ModeFamily,
  SelectOutcome,
  TalkgroupInterruption,
  TalkgroupReader,
  TalkgroupReaderCapabilities,
  TalkgroupTerminalSnapshot,
  TerminalMode,
} from "../../../src/ports/talkgroup-reader.js";
import { GatewayError } from "../../../src/shared/errors.js";
import type { Unsubscribe } from "../../../src/shared/typed-emitter.js";

/**
 * A scripted terminal behind the TalkgroupReader port, for unit tests of the check runner and service: group
 * lists per family, a mode and a selection per family, calls, busy answers, refusals and interruptions.
 */
export interface FakeReaderOptions {
  tmo?: { gssi: string; name: string; source?: ListedGroup["source"] }[];
  dmo?: { gssi: string; name: string; source?: ListedGroup["source"] }[];
  listing?: boolean;
  capabilities?: Partial<TalkgroupReaderCapabilities>;
  mode?: number;
  selected?: { tmo?: string; dmo?: string };
}

export class FakeReader implements TalkgroupReader {
  readonly name = "fake";
  readonly capabilities: TalkgroupReaderCapabilities;
  mode: number;
  selected: Record<ModeFamily, string | undefined>;
  callActive = false;
  listing: boolean;
  /** Next n selections answer busy. */
  busyNext = 0;
  /** Selections of these GSSIs are refused with this outcome kind. */
  refuseSelect = new Set<string>();
  /** Refuse every selection and mode switch (restore failure). */
  refuseAll = false;
  /** Runs before each selection (tests start calls or reboots from here). */
  beforeSelect: ((gssi: string, n: number) => void) | undefined;
  /** Delay of every answer, ms. */
  delayMs = 0;
  readonly log: string[] = [];
  selections = 0;
  ready = true;
  private readonly tmo: ListedGroup[];
  private readonly dmo: ListedGroup[];
  private readonly listeners = new Set<(i: TalkgroupInterruption) => void>();

  constructor(o: FakeReaderOptions = {}) {
    this.tmo = (o.tmo ?? []).map((g) => ({ source: "static", ...g }));
    this.dmo = (o.dmo ?? []).map((g) => ({ source: "static", ...g }));
    this.listing = o.listing ?? true;
    this.mode = o.mode ?? 0;
    this.selected = { tmo: o.selected?.tmo ?? this.tmo[0]?.gssi, dmo: o.selected?.dmo ?? this.dmo[0]?.gssi };
    this.capabilities = { listing: "list", minProbeIntervalMs: 0, modeCodes: { tmo: 0, dmo: 1 }, ...o.capabilities };
  }

  get family(): ModeFamily {
    return [1, 3, 5, 6].includes(this.mode) ? "dmo" : "tmo";
  }

  emit(i: TalkgroupInterruption): void {
    for (const fn of [...this.listeners]) fn(i);
  }

  startCall(): void {
    this.callActive = true;
    this.emit({ kind: "call", detail: "a call started" });
  }

  private async answer<T>(what: string, signal: AbortSignal | undefined, fn: () => T): Promise<T> {
    this.log.push(what);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (signal?.aborted) throw new GatewayError("AT_ABORTED", `${what} aborted`);
    // A restarted terminal: commands wait while the adapter re-initialises (its queue is held).
    while (!this.ready) await new Promise((r) => setTimeout(r, 5));
    return fn();
  }

  snapshot(signal?: AbortSignal): Promise<TalkgroupTerminalSnapshot> {
    return this.answer("snapshot", signal, () => {
      const snap: TalkgroupTerminalSnapshot = { identity: { issi: "2001234", itsi: "02400500102001234", model: "FAKE" }, callActive: this.callActive, mode: this.modeNow() };
      const g = this.selected[this.family];
      if (g !== undefined) snap.selectedGroup = g;
      return snap;
    });
  }

  private modeNow(): TerminalMode {
    return { code: this.mode, name: this.family === "dmo" ? "dmo" : "tmo", family: this.family };
  }

  listGroups(signal?: AbortSignal): Promise<GroupListing> {
    return this.answer(`list ${this.family}`, signal, (): GroupListing => {
      if (!this.listing) return { ok: false, reason: "unsupported", detail: "+CME ERROR: 4 to AT+CNUMS=?" };
      return { ok: true, groups: this.family === "dmo" ? [...this.dmo] : [...this.tmo], sources: ["static"] };
    });
  }

  readMode(signal?: AbortSignal): Promise<TerminalMode> {
    return this.answer("mode?", signal, () => this.modeNow());
  }

  setMode(code: number, signal?: AbortSignal): Promise<SelectOutcome> {
    return this.answer(`mode=${code}`, signal, (): SelectOutcome => {
      if (this.refuseAll || this.callActive) return { kind: "refused", detail: "+CME ERROR: 3" };
      this.mode = code;
      return { kind: "accepted" };
    });
  }

  readSelectedGroup(signal?: AbortSignal): Promise<string | undefined> {
    return this.answer("group?", signal, () => this.selected[this.family]);
  }

  selectGroup(gssi: string, signal?: AbortSignal): Promise<SelectOutcome> {
    this.beforeSelect?.(gssi, this.selections);
    this.selections++;
    return this.answer(`select ${gssi}`, signal, (): SelectOutcome => {
      if (this.refuseAll) return { kind: "refused", detail: "+CME ERROR: 3" };
      if (this.callActive || this.busyNext > 0) {
        this.busyNext = Math.max(0, this.busyNext - 1);
        return { kind: "busy", detail: "+CME ERROR: 42" };
      }
      if (this.refuseSelect.has(gssi)) return { kind: "refused", detail: "+CME ERROR: 35" };
      const list = this.family === "dmo" ? this.dmo : this.tmo;
      if (!list.some((g) => g.gssi === gssi)) return { kind: "not-programmed", detail: "+CME ERROR: 34" };
      this.selected[this.family] = gssi;
      return { kind: "accepted" };
    });
  }

  isCallActive(): boolean {
    return this.callActive;
  }

  onInterruption(fn: (i: TalkgroupInterruption) => void): Unsubscribe {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/** A plan group shorthand. */
export function pg(gssi: number, name: string, mode: "tmo" | "dmo" | "both" = "tmo", required = true, extra: Record<string, unknown> = {}) {
  return { gssi, name, folder: "F", mode, required, ...extra };
}
