import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * What the talk-group check (src/talkgroups/) needs from a terminal: read its identity, mode and selected
 * group, list the programmed groups of the current mode, and select a group or mode. Domain-typed: GSSIs as
 * decimal strings (last 8 digits of a GTSI, leading zeros removed, docs/pei.md §10.11) and outcomes as words —
 * never AT strings or `+CME` numbers. The PEI adapter (`adapters/rakel-pei/talkgroups/`) implements it.
 *
 * Methods reject with a GatewayError when the terminal cannot be asked at all (AT_TIMEOUT, LINK_LOST,
 * AT_ABORTED when `signal` fired); an answer, even a refusal, resolves.
 */

/** Group list a mode belongs to: TMO (trunked, via the SwMI) or DMO (direct mode), docs/pei.md §7.4. */
export type ModeFamily = "tmo" | "dmo";

/** The terminal's AI mode: the raw `+CTOM` code (kept so the exact mode can be restored) and its family. */
export interface TerminalMode {
  code: number;
  /** `tmo`, `dmo`, `tmo-dual-watch`, `dmo-dual-watch` or `other`. */
  name: string;
  family: ModeFamily;
}

/** Identity and state read at the start of a check. */
export interface TalkgroupTerminalSnapshot {
  identity: { itsi?: string; issi?: string; manufacturer?: string; model?: string; firmware?: string };
  mode?: TerminalMode;
  /** Selected talk group (GSSI), or undefined when none is selected or it could not be read. */
  selectedGroup?: string;
  callActive: boolean;
}

/** Where a listed group came from: the codeplug (`+CNUMS`), over the air (`+CNUMD`, DGNA), or a vendor list. */
export type GroupSource = "static" | "dynamic" | "vendor";

/** One group the terminal listed. */
export interface ListedGroup {
  gssi: string;
  /** Alias as the terminal shows it (trimmed). */
  name: string;
  source: GroupSource;
}

/**
 * Result of listing the current mode's groups. `unsupported`: the terminal refuses the listing commands
 * (`+CME ERROR: 4`, docs/pei.md §7.3), so only probing can tell.
 */
export type GroupListing =
  | { ok: true; groups: ListedGroup[]; sources: GroupSource[] }
  | { ok: false; reason: "unsupported" | "refused"; detail: string };

/**
 * Answer to a selection (group or mode). `accepted` only means the terminal took the request; the caller
 * confirms by reading back (docs/pei.md §10.12). `busy`: signalling under way, try later (`+CME ERROR: 42`).
 */
export type SelectOutcome =
  | { kind: "accepted" }
  | { kind: "not-programmed"; detail: string }
  | { kind: "busy"; detail: string }
  | { kind: "refused"; detail: string };

/** Something that ends a check early: a call started, or the terminal restarted or went away. */
export type TalkgroupInterruption = { kind: "call"; detail: string } | { kind: "link"; detail: string };

/** What the terminal model can do, from its profile. */
export interface TalkgroupReaderCapabilities {
  /** `list`: the identity lists are expected to work; `none`: go straight to probing. */
  listing: "list" | "none";
  /** Least time between two selections (docs/pei.md §7.1: space group changes, ≥ 2 s in one field script). */
  minProbeIntervalMs: number;
  /** `+CTOM` codes used to switch to each family's list (0 TMO, 1 DMO, docs/pei.md §7.4). */
  modeCodes: Record<ModeFamily, number>;
}

/** The terminal side of a talk-group check. */
export interface TalkgroupReader {
  /** Terminal id (logs, store, MQTT topic segment). */
  readonly name: string;
  readonly capabilities: TalkgroupReaderCapabilities;
  /** Reads identity, mode and selected group afresh. */
  snapshot(signal?: AbortSignal): Promise<TalkgroupTerminalSnapshot>;
  /** Lists the programmed groups of the current mode. */
  listGroups(signal?: AbortSignal): Promise<GroupListing>;
  readMode(signal?: AbortSignal): Promise<TerminalMode>;
  /** Switches the AI mode (`code` as in {@link TerminalMode}). */
  setMode(code: number, signal?: AbortSignal): Promise<SelectOutcome>;
  readSelectedGroup(signal?: AbortSignal): Promise<string | undefined>;
  /** Selects a talk group: a probe, or the restore of the original one. Never transmits. */
  selectGroup(gssi: string, signal?: AbortSignal): Promise<SelectOutcome>;
  /** True while a call is known to be active (`+CTICN`/`+CTXG` seen, no `+CTCR` yet). */
  isCallActive(): boolean;
  /** Calls `fn` when a call starts or the link leaves the ready state (restart, unplug, silence). */
  onInterruption(fn: (i: TalkgroupInterruption) => void): Unsubscribe;
}
