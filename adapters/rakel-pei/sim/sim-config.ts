/**
 * Configuration of the simulated Rakel terminal: its identity, codeplug (talk groups), timing, the SwMI's
 * simulated peers and the numbers a real terminal leaves open (docs/pei.md §13). Every field has a default so
 * `new SimTerminal()` is a plausible terminal; tests override only what they look at.
 */
import type { SimFaults } from "./sim-faults.js";

/** One talk group programmed in the codeplug (or assigned over the air, DGNA). */
export interface SimTalkGroup {
  /** Group SSI, decimal (1–8 digits). */
  gssi: string;
  /** Alias shown on the radio and listed by `AT+CNUMS?` (docs/pei.md §7.2). */
  name: string;
  /** Talk-group folder; no PEI command exposes folders (docs/pei.md §7.2), it is kept for the demo UI. */
  folder?: string;
}

/**
 * How a simulated destination behaves after an SDS-TL transfer that asked for a delivery report.
 *
 * - `deliver`: the peer reports "received" (0x00) and/or "consumed" (0x02) as requested, or answers with an
 *   SDS-SHORT-REPORT on AI service 13 when `shortReport` is set and the transfer's service-selection bit is 0
 *   (docs/pei.md §5.3, §5.7).
 * - `unreachable`: `via: "report"` (default) sends the transfer over the air (`+CMGS: 0,4,ref`) and the SwMI
 *   answers an SDS-REPORT with delivery status 0x4B "destination not registered" when a report was asked
 *   for; `via: "air-failure"` makes the terminal report `+CMGS: 0,5,ref` instead.
 * - `silent`: the message goes out, nothing ever comes back.
 */
export type SimPeerBehaviour =
  | { kind: "deliver"; shortReport?: boolean; reportDelayMs?: number; consumeDelayMs?: number }
  | { kind: "unreachable"; via?: "report" | "air-failure" }
  | { kind: "silent" };

/** Full configuration; see {@link DEFAULT_SIM_CONFIG} for the defaults. */
export interface SimTerminalConfig {
  /** Own ISSI (decimal). */
  issi: string;
  /** 4-digit MCC as written in an ITSI (Sweden 240 → `0240`). */
  mcc: string;
  /** 5-digit MNC; Rakel's was not found (docs/pei.md §3.3), this one is invented. */
  mnc: string;
  /** Override of the 17-digit ITSI; default `mcc + mnc + issi` padded to 8 (svx style, docs/pei.md §7.2). */
  itsi?: string;
  manufacturer: string;
  model: string;
  firmware: string;
  /** Codeplug groups for TMO (AI modes 0, 2, 4). */
  tmoGroups: SimTalkGroup[];
  /** Codeplug groups for DMO (AI modes 1, 3, 5, 6). */
  dmoGroups: SimTalkGroup[];
  /** Groups assigned over the air, listed by `AT+CNUMD?` and selectable in TMO. */
  dgnaGroups: SimTalkGroup[];
  /** Group selected after power-up in TMO / DMO; default the first of each list. */
  defaultTmoGroup?: string;
  defaultDmoGroup?: string;
  /** AI mode after power-up: 0 TMO, 1 DMO, … (docs/pei.md §7.4). */
  initialMode: number;
  /**
   * How group identities appear in `+CTGS:`, `+CNUMS`/`+CNUMD` lines: `tsi` (MCC+MNC+SSI, 17 digits, as svx
   * and p8gr show real terminals do, docs/pei.md §7.1–§7.2) or bare `ssi`.
   */
  groupIdentityFormat: "ssi" | "tsi";
  /** False: `+CNUMS`/`+CNUMD` answer `+CME ERROR: 4`, so the host must fall back to probing (docs/pei.md §7.3). */
  supportsListing: boolean;
  /** Upper bound advertised by `AT+CMGS=?` and enforced (docs/pei.md §3.2: 1184 on a real radio). */
  maxSdsBits: number;
  /** Delay between `OK` to `AT+CMGS` and the unsolicited `+CMGS: 0,4,ref`. */
  airDelayMs: number;
  /** Default delay from "sent" to a peer's delivery report. */
  reportDelayMs: number;
  /** After a reboot: searching (stat 2) for this long, then registered (stat 1). */
  registrationDelayMs: number;
  /** Group attachment signalling after `AT+CTGS=`; another `AT+CTGS=` meanwhile gets CME 42 (docs/pei.md §7.1). */
  groupAttachMs: number;
  /** `AT+CMGS` whose user data does not end within this time gets `+CME ERROR: 37` (docs/pei.md §1.5). */
  userDataTimeoutMs: number;
  /** Rate limit: at most this many `AT+CMGS` per rolling minute, then CME 42. */
  maxSdsPerMinute: number;
  /** `+CME` answer for a group that is not in the codeplug: the real code was not observed (docs/pei.md §13). */
  unknownGroupCme: number;
  /** `+CME` answer to `AT+CTGS=` during a call. */
  callBusyCme: number;
  /** AI service used by `AT+CMGS` before any `AT+CTSDS` (unknown on real terminals; docs/pei.md §1.5 says never rely on it). */
  defaultAiService: number;
  /** `+CSQ` rssi, 0–31 or 99. */
  rssi: number;
  /** Location area reported in `+CREG` with `AT+CREG=2`. */
  locationArea: number;
  /**
   * Shape of `+CREG`: `27007` — `+CREG: <n>,<stat>` read, `+CREG: <stat>[,<la>,<ci>]` unsolicited; `tetra` —
   * EN 300 392-5 terminals that answer (and report) `+CREG: <stat>,<LA>,<MNI>`, without `<n>`.
   */
  cregForm: "27007" | "tetra";
  /** Calling identity of incoming SDS: bare `ssi`, a 15-digit `tsi` or a 17-digit `extended-tsi` (type 1). */
  senderIdentityFormat: "ssi" | "tsi" | "extended-tsi";
  /** `AT+CREG=<n>` with n > 0 is refused with `+CME ERROR: 4` (no unsolicited registration reports). */
  refuseCregReporting: boolean;
  /** What `ATZ` does: `error` (answer ERROR and log loudly) or `reboot` (a Sepura codeplug option, docs/pei.md §1.2). */
  atz: "error" | "reboot";
  /** Behaviour per destination ISSI; unknown ISSIs use `defaultPeer`. */
  peers: Record<string, SimPeerBehaviour>;
  defaultPeer: SimPeerBehaviour;
  /** Faults active from power-up (e.g. `syntaxErrorsAtStart`). */
  faults: Partial<SimFaults>;
}

/** Defaults: a TMO terminal in Stockholm county with invented but plausible groups. */
export const DEFAULT_SIM_CONFIG: Readonly<SimTerminalConfig> = {
  issi: "2001234",
  mcc: "0240",
  mnc: "05001",
  manufacturer: "SIMULATED",
  model: "SIM-TETRA-1",
  firmware: "1.0.0",
  tmoGroups: [
    { gssi: "9001", name: "RSÄK Sthlm 1", folder: "Räddning" },
    { gssi: "9002", name: "RSÄK Sthlm 2", folder: "Räddning" },
    { gssi: "9010", name: "SOS Larm Sthlm", folder: "Larm" },
    { gssi: "9020", name: "SAMV Sthlm 1", folder: "Samverkan" },
    { gssi: "9021", name: "SAMV Sthlm 2", folder: "Samverkan" },
  ],
  dmoGroups: [
    { gssi: "101", name: "DMO RÄDD 1", folder: "DMO" },
    { gssi: "102", name: "DMO RÄDD 2", folder: "DMO" },
  ],
  dgnaGroups: [],
  initialMode: 0,
  groupIdentityFormat: "tsi",
  supportsListing: true,
  maxSdsBits: 1184,
  airDelayMs: 50,
  reportDelayMs: 200,
  registrationDelayMs: 1000,
  groupAttachMs: 0,
  userDataTimeoutMs: 5000,
  maxSdsPerMinute: 60,
  unknownGroupCme: 34,
  callBusyCme: 42,
  defaultAiService: 12,
  rssi: 22,
  locationArea: 1021,
  cregForm: "27007",
  senderIdentityFormat: "ssi",
  refuseCregReporting: false,
  atz: "error",
  peers: {},
  defaultPeer: { kind: "deliver" },
  faults: {},
};

/** Fills in defaults. Lists and maps are copied so the caller's objects are never mutated. */
export function resolveSimConfig(partial: Partial<SimTerminalConfig> = {}): SimTerminalConfig {
  const c: SimTerminalConfig = { ...DEFAULT_SIM_CONFIG, ...partial };
  return {
    ...c,
    tmoGroups: c.tmoGroups.map((g) => ({ ...g })),
    dmoGroups: c.dmoGroups.map((g) => ({ ...g })),
    dgnaGroups: c.dgnaGroups.map((g) => ({ ...g })),
    peers: { ...c.peers },
    faults: { ...c.faults },
  };
}

/** MCC + MNC + SSI padded to 8 digits: the 17-digit TSI form of svx (`09011638300023401`, docs/pei.md §3.3). */
export function toTsi(config: Pick<SimTerminalConfig, "mcc" | "mnc">, ssi: string): string {
  return `${config.mcc}${config.mnc}${ssi.padStart(8, "0")}`;
}

/** Own ITSI as `AT+CNUMF?` reports it. */
export function ownItsi(config: SimTerminalConfig): string {
  return config.itsi ?? toTsi(config, config.issi);
}

/**
 * The SSI inside an identity the host wrote: ISSI/GSSI digits, or the last 8 digits of a TSI (docs/pei.md §10.11).
 * Returns the decimal SSI without leading zeros, or `undefined` when it is not an identity.
 */
export function ssiOf(identity: string): string | undefined {
  if (!/^\d{1,24}$/.test(identity)) return undefined;
  const n = Number(identity.length > 8 ? identity.slice(-8) : identity);
  return n <= 0xffffff ? String(n) : undefined;
}

/** AI modes whose group list is the DMO one (docs/pei.md §7.4: 1 DMO, 3 DMO dual watch, 5 gateway, 6 repeater). */
export function isDmoMode(mode: number): boolean {
  return mode === 1 || mode === 3 || mode === 5 || mode === 6;
}
