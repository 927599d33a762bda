import type {
  GroupListing,
  GroupSource,
  ListedGroup,
  ModeFamily,
  SelectOutcome,
  TalkgroupInterruption,
  TalkgroupReader,
  TalkgroupReaderCapabilities,
  TalkgroupTerminalSnapshot,
  TerminalMode,
} from "../../../src/ports/talkgroup-reader.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import type { Unsubscribe } from "../../../src/shared/typed-emitter.js";
import type { ExecuteOptions } from "../../at/at-engine.js";
import { readMode, readSelectedGroup, selectGroup, setMode } from "../commands/mode-and-group.js";
import type { RakelPeiAdapter } from "../rakel-pei-adapter.js";
import { listRangesCommand, readListCommand, readMotorolaDmoList, selectRangeCommand, type IdentityList, type ListEntry } from "./identity-list-commands.js";

/** What the reader uses of the adapter (tests may pass anything shaped like it). */
export type PeiTalkgroupTerminal = Pick<RakelPeiAdapter, "name" | "state" | "profile" | "execute" | "on" | "recovering">;

/** Options of {@link PeiTalkgroupReader}. */
export interface PeiTalkgroupReaderOptions {
  terminal: PeiTalkgroupTerminal;
  /** A vendor DMO list to read as well (Motorola `AT+CXDCL`, docs/pei.md §7.2); default: the profile's `talkgroups.vendorDmoList`. */
  vendorDmoList?: "cxdcl";
  /** Indexes asked for per `AT+CNUMx=` range (default: the whole advertised range in one read). */
  pageSize?: number;
  /** Per-command timeout instead of each command's own (tests). */
  timeoutMs?: number;
}

/** AI modes whose group list is the DMO one (docs/pei.md §7.4: 1 DMO, 3 DMO dual watch, 5 gateway, 6 repeater). */
const DMO_CODES = new Set([1, 3, 5, 6]);
const MAX_PAGES = 50;

/** A refusal as words: `+CME ERROR: 34` / `ERROR`; undefined for errors that are not an answer (timeouts, link). */
function refusal(err: unknown): { cme: number | undefined; text: string } | undefined {
  if (isGatewayError(err, "AT_CME_ERROR")) return { cme: Number(err.context["cme"]), text: `+CME ERROR: ${String(err.context["cme"])}` };
  if (isGatewayError(err, "AT_ERROR")) return { cme: undefined, text: "ERROR" };
  return undefined;
}

/**
 * The talk-group port on a Rakel terminal's PEI. Reads go through the adapter's shared AT engine at normal
 * priority, so alerts (operator/emergency priority) overtake a running check. Answers are translated: the
 * profile's `groupNotProgrammedCme` codes mean "not programmed" (the real code was never observed, docs/pei.md
 * 13), 42 means busy (docs/pei.md §1.3), anything else is a refusal.
 */
export class PeiTalkgroupReader implements TalkgroupReader {
  readonly name: string;
  readonly capabilities: TalkgroupReaderCapabilities;
  private family: ModeFamily | undefined;
  private readonly exec: ExecuteOptions;

  constructor(private readonly o: PeiTalkgroupReaderOptions) {
    this.exec = o.timeoutMs === undefined ? { priority: "normal" } : { priority: "normal", timeoutMs: o.timeoutMs };
    const tg = o.terminal.profile.talkgroups;
    this.name = o.terminal.name;
    this.capabilities = { listing: tg.listing === "none" ? "none" : "list", minProbeIntervalMs: tg.minProbeIntervalMs, modeCodes: { tmo: 0, dmo: 1 } };
  }

  async snapshot(signal?: AbortSignal): Promise<TalkgroupTerminalSnapshot> {
    const t = this.o.terminal;
    const mode = await this.readMode(signal).catch((err: unknown) => (refusal(err) ? undefined : Promise.reject(err as Error)));
    const group = await this.readSelectedGroup(signal).catch((err: unknown) => (refusal(err) ? undefined : Promise.reject(err as Error)));
    const snap: TalkgroupTerminalSnapshot = { identity: { ...t.state.identity }, callActive: t.state.callActive };
    if (mode) snap.mode = mode;
    if (group !== undefined) snap.selectedGroup = group;
    return snap;
  }

  async readMode(signal?: AbortSignal): Promise<TerminalMode> {
    const m = await this.o.terminal.execute(readMode, undefined, { ...this.exec, signal });
    this.family = DMO_CODES.has(m.code) ? "dmo" : "tmo";
    return { code: m.code, name: m.name, family: this.family };
  }

  async setMode(code: number, signal?: AbortSignal): Promise<SelectOutcome> {
    try {
      await this.o.terminal.execute(setMode, { code }, { ...this.exec, signal });
      this.family = DMO_CODES.has(code) ? "dmo" : "tmo";
      return { kind: "accepted" };
    } catch (err) {
      const r = refusal(err);
      if (!r) throw err;
      return r.cme === 42 ? { kind: "busy", detail: r.text } : { kind: "refused", detail: r.text };
    }
  }

  readSelectedGroup(signal?: AbortSignal): Promise<string | undefined> {
    return this.o.terminal.execute(readSelectedGroup, undefined, { ...this.exec, signal });
  }

  async selectGroup(gssi: string, signal?: AbortSignal): Promise<SelectOutcome> {
    try {
      await this.o.terminal.execute(selectGroup, { gssi }, { ...this.exec, signal });
      return { kind: "accepted" };
    } catch (err) {
      const r = refusal(err);
      if (!r) throw err;
      if (r.cme === 42) return { kind: "busy", detail: r.text };
      if (r.cme !== undefined && this.o.terminal.profile.talkgroups.groupNotProgrammedCme.includes(r.cme)) return { kind: "not-programmed", detail: r.text };
      return { kind: "refused", detail: r.text };
    }
  }

  /** Codeplug list, plus DGNA groups in TMO and the vendor DMO list when configured. */
  async listGroups(signal?: AbortSignal): Promise<GroupListing> {
    const family = this.family ?? (await this.readMode(signal)).family;
    const statics = await this.readList("+CNUMS", signal);
    if (!statics.ok) return { ok: false, reason: "unsupported", detail: statics.detail };
    const groups: ListedGroup[] = statics.entries.map((e) => ({ ...e, source: "static" }));
    const sources: GroupSource[] = ["static"];
    // DGNA assigns TMO groups over the air; in DMO there is no SwMI to assign them.
    if (family === "tmo") {
      const dynamic = await this.readList("+CNUMD", signal);
      if (dynamic.ok) {
        groups.push(...dynamic.entries.map((e) => ({ ...e, source: "dynamic" as const })));
        sources.push("dynamic");
      }
    }
    if (family === "dmo" && (this.o.vendorDmoList ?? this.o.terminal.profile.talkgroups.vendorDmoList) === "cxdcl") {
      try {
        const vendor = await this.o.terminal.execute(readMotorolaDmoList, undefined, { ...this.exec, signal });
        groups.push(...vendor.map((e) => ({ ...e, source: "vendor" as const })));
        sources.push("vendor");
      } catch (err) {
        if (!refusal(err)) throw err;
      }
    }
    return { ok: true, groups, sources };
  }

  isCallActive(): boolean {
    return this.o.terminal.state.callActive;
  }

  onInterruption(fn: (i: TalkgroupInterruption) => void): Unsubscribe {
    const t = this.o.terminal;
    let inCall = t.state.callActive;
    const offState = t.on("state", (s) => {
      if (s.callActive && !inCall) fn({ kind: "call", detail: "a call started on the terminal (+CTICN/+CTXG)" });
      inCall = s.callActive;
    });
    const offHealth = t.on("health", (h) => {
      // Re-initialisation after a restart, silence or an unplug: the terminal may have lost mode and group.
      // A terminal that merely degrades for service (the check's own switch to DMO, lost coverage) is not
      // an interruption.
      if (h.state === "unresponsive" || h.state === "disconnected" || t.recovering) fn({ kind: "link", detail: `terminal link ${h.state}: ${h.detail}` });
    });
    return () => {
      offState();
      offHealth();
    };
  }

  /** The range dance for one list (docs/pei.md §7.2); `ok: false` when the terminal refuses listing. */
  private async readList(list: IdentityList, signal?: AbortSignal): Promise<{ ok: true; entries: ListEntry[] } | { ok: false; detail: string }> {
    const opts: ExecuteOptions = { ...this.exec, signal };
    let ranges;
    try {
      ranges = await this.o.terminal.execute(listRangesCommand(list), undefined, opts);
    } catch (err) {
      const r = refusal(err);
      if (!r) throw err;
      // No range query: the plain read may still work (p8gr shows AT+CNUMS? alone).
      try {
        return { ok: true, entries: (await this.o.terminal.execute(readListCommand(list), undefined, opts)).entries };
      } catch (err2) {
        const r2 = refusal(err2);
        if (!r2) throw err2;
        return { ok: false, detail: `${r2.text} to AT${list}?` };
      }
    }
    const entries: ListEntry[] = [];
    const numType = ranges.numTypes[0] ?? 0;
    const pageSize = Math.max(1, this.o.pageSize ?? ranges.max - ranges.min + 1);
    let from = ranges.min;
    for (let page = 0; page < MAX_PAGES && from <= ranges.max; page++) {
      const to = Math.min(ranges.max, from + pageSize - 1);
      try {
        await this.o.terminal.execute(selectRangeCommand(list), { numType, from, to }, opts);
      } catch (err) {
        const r = refusal(err);
        if (!r) throw err;
        return { ok: false, detail: `${r.text} to AT${list}=${numType},${from},${to}` };
      }
      const got = await this.o.terminal.execute(readListCommand(list), undefined, opts);
      entries.push(...got.entries);
      // A terminal that prints fewer lines than its count line announces cut the page short: read on from there.
      const truncated = got.count !== undefined && got.count > got.entries.length && got.entries.length > 0;
      if (truncated) from += got.entries.length;
      else if (got.entries.length < to - from + 1) break;
      else from = to + 1;
    }
    return { ok: true, entries };
  }
}
