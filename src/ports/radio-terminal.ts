import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * What the domain core needs from a Rakel terminal. Domain-typed: addresses and SDS bodies, never AT strings.
 * The PEI adapter (`adapters/rakel-pei/`) implements it; the simulator stands behind it in tests and demos.
 */

/** A TETRA short subscriber identity (ISSI or GSSI); defined with its validation in src/shared/addresses.ts. */
export type { TetraAddress } from "../shared/addresses.js";
import type { TetraAddress } from "../shared/addresses.js";

export type ReportRequest = "none" | "received" | "consumed" | "both";

export type SdsBody =
  | {
      type: "text";
      text: string;
      /** Delivery report wanted from the destination (never from a group). */
      report?: ReportRequest;
      /** Immediate text (PID 0x89 / 0x09): the receiving terminal shows it at once. */
      immediate?: boolean;
      /** Simple text messaging (PID 0x02 / 0x09): no SDS-TL header, no reports. */
      simple?: boolean;
    }
  | { type: "status"; value: number };

export interface SendSdsOptions {
  /** Higher priority jumps the terminal's command queue (alerts before housekeeping). */
  priority?: "emergency" | "operator" | "normal";
  /** Ends the send at once, also in the middle of its commands (the terminal then stays quiet for its settle time). */
  signal?: AbortSignal;
  /** Takes the send back only until part 1's AT+CMGS is written; after that every part goes. */
  withdraw?: AbortSignal;
  /**
   * Longest wait for the terminal to accept every part, in ms (link down, busy terminal). Past it the send
   * fails (AT_EXPIRED, or the last busy answer) so the caller can choose another channel. Default: no bound.
   */
  timeoutMs?: number;
}

/** Progress of one sent SDS, in order: accepted → sent → delivered/consumed, or failed at any point. */
export type SdsStage = "accepted" | "sent" | "delivered" | "consumed" | "failed";

export interface SdsProgress {
  /** Gateway-local id of the send. */
  id: string;
  to: TetraAddress;
  stage: SdsStage;
  /** SDS-TL message reference(s), when the body has one. */
  messageReferences: number[];
  at: Date;
  /** From an SDS-REPORT / short report, or the +CMGS status. */
  deliveryStatus?: number;
  detail?: string;
}

export interface SdsSendResult {
  id: string;
  messageReferences: number[];
  parts: number;
  acceptedAt: Date;
  /** Things the requester should know, e.g. the terminal is in direct mode (only radios in simplex range hear it). */
  warnings?: string[];
}

export interface TerminalIdentity {
  itsi?: string;
  /** Last 8 digits of the ITSI, leading zeros stripped. */
  issi?: string;
  manufacturer?: string;
  model?: string;
  firmware?: string;
}

export type AiMode = "tmo" | "dmo" | "tmo-dual-watch" | "dmo-dual-watch" | "other";

export interface TerminalState {
  identity: TerminalIdentity;
  registration?: { stat: number; registered: boolean };
  signal?: { rssi: number; dbm: number | null };
  mode?: { code: number; name: AiMode };
  selectedGroup?: string;
  callActive: boolean;
  maxSdsBits?: number;
}

/** A received SDS, decoded; `payload` has the shapes of docs/mqtt-interface.md (`kind`: text, status, …). */
export interface ReceivedSds {
  /** Sender's ISSI (the last 8 digits of a TSI, leading zeros removed), comparable with `issi:N` requests. */
  from?: string;
  /** The sender's full TSI when the terminal gave one (15 or 17 digits). */
  fromTsi?: string;
  to: string;
  aiService: number;
  bits: number;
  hex: string;
  payload: { kind: string; [field: string]: unknown };
  receivedAt: Date;
}

/**
 * Floor (transmit permission) of the terminal's circuit-mode calls, from the call-control URCs (EN 300 392-5
 * clause 6.17; `+CTICN`/`+CTOCP`/`+CTCC` call set-up, `+CTXG` transmission granted, `+CDTXC` ceased,
 * `+CTXI` interrupted, `+CTCR` released). `other-talking` is a grant to another party (TxGrant 3, or a
 * `+CTXG` carrying a talker identity); `granted` is our own.
 */
export type FloorEvent =
  | { kind: "call-started"; cc: number }
  | { kind: "granted"; cc: number }
  | { kind: "other-talking"; cc: number; talker?: string }
  | { kind: "not-granted"; cc: number; queued: boolean }
  | { kind: "ceased"; cc: number }
  | { kind: "interrupted"; cc: number }
  | { kind: "released"; cc: number; cause?: number };

/** Push-to-talk over PEI, for a talk-group patch (the audio itself goes over the terminal's accessory audio). */
export interface PttControl {
  /** Selects the talk group (`AT+CTGS=1,<gssi>`). */
  selectGroup(gssi: string): Promise<void>;
  /** Keys the terminal on the group: a new group call, or a transmit demand in the group's active call. */
  pressPtt(gssi: string): Promise<void>;
  /** De-keys (`AT+CUTXC`); resolves when the terminal took it or there was nothing to release. */
  releasePtt(): Promise<void>;
}

export interface RadioTerminalEvents {
  floor: (e: FloorEvent) => void;
  sds: (sds: ReceivedSds) => void;
  progress: (p: SdsProgress) => void;
  state: (s: TerminalState) => void;
  health: (h: { state: "ready" | "degraded" | "unresponsive" | "disconnected"; since: Date; detail: string }) => void;
}

export interface RadioTerminal {
  readonly name: string;
  readonly state: TerminalState;
  readonly health: { state: "ready" | "degraded" | "unresponsive" | "disconnected"; since: Date; detail: string };
  start(): Promise<void>;
  stop(): Promise<void>;
  sendSds(to: TetraAddress, body: SdsBody, opts?: SendSdsOptions): Promise<SdsSendResult>;
  on<E extends keyof RadioTerminalEvents>(event: E, fn: RadioTerminalEvents[E]): Unsubscribe;
}
