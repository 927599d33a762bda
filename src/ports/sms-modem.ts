import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * What the domain core needs from a GSM/LTE modem: send an SMS, follow it to the handset, receive SMS.
 * Domain-typed (MSISDNs and texts, never AT strings or PDUs). The 3GPP TS 27.005 adapter in
 * `adapters/gsm-sms/` implements it; the simulated modem stands behind it in tests and demos.
 * Several modems (different operators) are several instances, each with its own link, queue and health.
 */

/** Send-queue priority: alert traffic first, housekeeping/test traffic last; oldest first within one. */
export type SmsPriority = "emergency" | "operator" | "normal" | "bulk";

/** Options of one send. */
export interface SendSmsOptions {
  priority?: SmsPriority;
  /** Ask the service centre for a status report (TP-SRR) per part. */
  statusReport?: boolean;
  /** Class 0 ("flash") message, shown at once on the handset. */
  flash?: boolean;
  /** Give up (SMS_QUEUE_EXPIRED) if the message could not be submitted within this many ms. */
  deadlineMs?: number;
  /** Caller's id (e.g. alert id + recipient) to correlate progress events; default a generated one. */
  id?: string;
  /** Ends the send (AT_ABORTED): a queued message is taken back, a part on the wire is aborted (link lost). */
  signal?: AbortSignal;
  /** Takes the message back only until part 1's AT+CMGS is written (AT_ABORTED); after that every part goes. */
  withdraw?: AbortSignal;
}

/**
 * Life of one SMS: queued → submitted (every part accepted by the SC, `+CMGS: <mr>`) → delivered (every
 * part's status report says delivered) or failed (rejected, retries exhausted, or a part reported failed).
 */
export type SmsStage = "queued" | "submitted" | "delivered" | "failed";

/** Status of one part. */
export type SmsPartStatus = "queued" | "submitted" | "pending" | "delivered" | "failed";

/** Progress of one part. */
export interface SmsPartProgress {
  /** 1-based part number. */
  sequence: number;
  /** TP-MR the modem assigned (`+CMGS: <mr>`), once submitted. */
  reference?: number;
  status: SmsPartStatus;
  /** TP-ST of the latest status report (TS 23.040 9.2.3.15). */
  deliveryStatus?: number;
}

/** A progress event of one message (every stage change, and "still trying" reports). */
export interface SmsProgress {
  id: string;
  /** Recipient as given (validated). */
  to: string;
  stage: SmsStage;
  parts: SmsPartProgress[];
  at: Date;
  detail?: string;
  /** For `failed`: the error code and, when the modem gave one, the `+CMS ERROR` number. */
  error?: { code: string; cms?: number };
}

/** What `sendSms` resolves with: every part accepted by the service centre. */
export interface SmsSendResult {
  id: string;
  to: string;
  parts: number;
  /** TP-MR of each part, in part order. */
  references: number[];
  coding: "gsm7" | "ucs2";
  submittedAt: Date;
}

/** A received SMS, reassembled when it came in parts. */
export interface ReceivedSms {
  id: string;
  /** Originator: `+digits`, digits, or an alphanumeric sender name. */
  from: string;
  /** Text; for an incomplete message the missing parts are marked "[…]". */
  text: string;
  /** False when parts were still missing after the reassembly timeout. */
  complete: boolean;
  parts: number;
  missing?: number[];
  /** Service-centre time stamp of the (first) part, ISO 8601 UTC. */
  sentAt: string;
  receivedAt: Date;
  /** Name of the modem that received it. */
  modem: string;
  /**
   * A listener whose handling must be durable before the gateway forgets the message (alert dispatch
   * writing the alert an activation starts) hands its work here. The inbox marks the SMS handed on only
   * after every such promise has settled, so a crash before then hands it on again after the restart
   * (at-least-once; the dispatcher joins a repeated activation to its alert). Absent on messages that
   * were not read from a durable inbox.
   */
  waitUntil?: (work: Promise<unknown>) => void;
}

/** What the SIM needs. */
export type SimStatus = "unknown" | "ready" | "pin-required" | "pin-blocked" | "puk-required" | "absent" | "failure";

/** Registration (27.007 §7.2 `+CREG`, §10.1.22 `+CEREG`): stat 1 home, 5 roaming = registered. */
export interface RegistrationInfo {
  stat: number;
  registered: boolean;
  /** `home`, `roaming`, `searching`, `denied`, `not-registered`, `unknown`. */
  text: string;
}

/**
 * Whether the modem can send: `ready`; `sim-*` the SIM is not usable; `not-registered` no network;
 * `initialising` before the first successful init; `offline` the link is down.
 */
export type ModemService = "ready" | "initialising" | "offline" | "not-registered" | "sim-pin-required" | "sim-blocked" | "sim-absent";

/** Identity, SIM, network and whether SMS can be sent; published as `state`. */
export interface ModemState {
  identity: { manufacturer?: string; model?: string; firmware?: string; imei?: string };
  sim: { status: SimStatus; iccid?: string; pinAttemptsLeft?: number; detail?: string };
  /** Circuit-switched (`+CREG`) and EPS (`+CEREG`) registration, both shown: an LTE-only modem has no CS. */
  registration: { cs?: RegistrationInfo; eps?: RegistrationInfo };
  operator?: { name: string; act?: number };
  signal?: { rssi: number; dbm: number | null; ber?: number };
  service: ModemService;
  checkedAt?: Date;
}

/** The link-health model shared by every link (docs/mqtt-interface.md `<base>/links/<link>`). */
export type ModemHealthState = "ready" | "degraded" | "unresponsive" | "disconnected";

/** Published health of one modem, with the reason. */
export interface ModemHealth {
  state: ModemHealthState;
  since: Date;
  detail: string;
}

/** Queue depth and age (reliability goal R10). */
export interface SmsQueueStats {
  depth: number;
  /** Age in ms of the oldest queued message (0 when empty). */
  oldestAgeMs: number;
  byPriority: Record<SmsPriority, number>;
  submittedParts: number;
  failedMessages: number;
}

/** Events of a modem. */
export interface SmsModemEvents {
  sms: (sms: ReceivedSms) => void;
  progress: (p: SmsProgress) => void;
  state: (s: ModemState) => void;
  health: (h: ModemHealth) => void;
}

/** The port an SMS-capable modem implements (one instance per modem). */
export interface SmsModem {
  readonly name: string;
  readonly state: ModemState;
  readonly health: ModemHealth;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Queues one SMS; resolves when every part was accepted by the service centre, rejects with a GatewayError. */
  sendSms(to: string, text: string, opts?: SendSmsOptions): Promise<SmsSendResult>;
  queueStats(): SmsQueueStats;
  on<E extends keyof SmsModemEvents>(event: E, fn: SmsModemEvents[E]): Unsubscribe;
}
