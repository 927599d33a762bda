/**
 * Explicit state of the simulated terminal. What survives a
 * reboot is decided in {@link powerUpState}: the codeplug (config) does, PEI settings and routing do not
 * (docs/pei.md §1.6, §10.13).
 */
import { isDmoMode, type SimTerminalConfig } from "./sim-config.js";
import { RoutingTable } from "./routing-table.js";

/** An active group call, as announced by `+CTICN`. */
export interface CallState {
  /** Call control instance (`<CC instance>` of `+CTICN`/`+CTCR`, docs/pei.md §8.2). */
  cc: number;
  gssi: string;
  caller: string;
  /** Who holds the floor: "us" (the PEI host keyed), another party's ISSI, or nobody. */
  talker?: string;
}

/** Index range selected with `AT+CNUMS=0,<from>,<to>` / `AT+CNUMD=…` (docs/pei.md §7.2). */
export interface IndexRange {
  from: number;
  to: number;
}

/** Everything the terminal remembers at run time. */
export interface TerminalState {
  /** `off` while rebooting: input is ignored and nothing is written. */
  power: "on" | "off";
  /** V.250 `E`: on after power-up. */
  echo: boolean;
  /** `AT+CREG=<n>`: 0 no unsolicited `+CREG`, 1 status only, 2 with location. Reset on power-up. */
  cregMode: number;
  /** Registration status: 0 not registered, 1 registered home, 2 searching (docs/pei.md §8.1). */
  regStat: number;
  /** AI mode (`+CTOM`, docs/pei.md §7.4). */
  mode: number;
  /** Selected group per list (the radio remembers one per mode). */
  selectedTmo: string | undefined;
  selectedDmo: string | undefined;
  routing: RoutingTable;
  /** AI service and called party identity type from the last `AT+CTSDS` (docs/pei.md §3.1). */
  aiService: number;
  calledIdType: number;
  cnumsRange: IndexRange;
  cnumdRange: IndexRange;
  call: CallState | undefined;
  nextCc: number;
  /** Times (ms since epoch) of recent `AT+CMGS`, for the per-minute rate limit. */
  sdsSendTimes: number[];
  /** Commands left that answer CME 35 after power-up. */
  syntaxErrorsLeft: number;
  /** Group attachment signalling runs until this time (ms since epoch). */
  attachBusyUntil: number;
  rssi: number;
}

/** Full index range of the identity lists (`+CNUMS: (0),(1-2000),(1-2000)`, docs/pei.md §7.2). */
export const LIST_INDEX_MAX = 2000;

/** Default selection of a group list: the configured one, else the first programmed group. */
export function defaultGroup(config: SimTerminalConfig, dmo: boolean): string | undefined {
  return dmo ? (config.defaultDmoGroup ?? config.dmoGroups[0]?.gssi) : (config.defaultTmoGroup ?? config.tmoGroups[0]?.gssi);
}

/**
 * State right after power-up. `registered` is false after a reboot: the terminal searches first and
 * registers after `registrationDelayMs`. `syntaxErrors` arms the start-up CME 35 answers (docs/pei.md §1.2).
 */
export function powerUpState(config: SimTerminalConfig, registered: boolean, syntaxErrors: number): TerminalState {
  return {
    power: "on",
    echo: true,
    cregMode: 0,
    regStat: registered ? 1 : 2,
    mode: config.initialMode,
    selectedTmo: defaultGroup(config, false),
    selectedDmo: defaultGroup(config, true),
    routing: new RoutingTable(),
    aiService: config.defaultAiService,
    calledIdType: 0,
    cnumsRange: { from: 1, to: LIST_INDEX_MAX },
    cnumdRange: { from: 1, to: LIST_INDEX_MAX },
    call: undefined,
    nextCc: 1,
    sdsSendTimes: [],
    syntaxErrorsLeft: syntaxErrors,
    attachBusyUntil: 0,
    rssi: config.rssi,
  };
}

/** The selected group of the list that belongs to the current mode. */
export function selectedGroup(state: TerminalState): string | undefined {
  return isDmoMode(state.mode) ? state.selectedDmo : state.selectedTmo;
}
