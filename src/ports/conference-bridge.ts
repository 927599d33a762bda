import type { Unsubscribe } from "../shared/typed-emitter.js";

/**
 * What the conference domain (`src/conference/`) needs from a SIP user agent: one outgoing call per
 * "line" (a conference id), DTMF keys on that call, hang-up, and the call's progress. SIP, media and
 * codecs stay inside the agent (baresip in `adapters/sip-conference/`, a simulator beside it).
 */

/** Health of the agent as a link (`<base>/links/sip-<agent>`). */
export interface BridgeHealth {
  state: "ready" | "degraded" | "unresponsive" | "disconnected";
  since: Date;
  detail: string;
}

/** Progress of the call on one line, as the agent reports it. */
export type CallEvent =
  | { kind: "ringing"; line: string; callId: string }
  | { kind: "established"; line: string; callId: string }
  /** The call ended or failed; `reason` is the agent's text (SIP status like "486 Busy Here", or "Connection reset by peer"). */
  | { kind: "closed"; line: string; callId?: string; reason: string }
  /** An incoming call on the line (answered only on request). */
  | { kind: "incoming"; line: string; callId: string; from: string }
  /** Voice activity of the far (telephone) side, when the agent can tell; drives the talk-group floor policy. */
  | { kind: "speech"; line: string; active: boolean };

export interface ConferenceBridgeEvents {
  call: (e: CallEvent) => void;
  health: (h: BridgeHealth) => void;
}

/** One DTMF key (RFC 4733 events 0-15). */
export type DtmfKey = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "*" | "#" | "A" | "B" | "C" | "D";

export interface ConferenceBridge {
  /** Link name, e.g. `sip-baresip`. */
  readonly name: string;
  readonly health: BridgeHealth;
  /** Lines this agent was configured with (one SIP identity per conference). */
  readonly lines: readonly string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Starts an outgoing call on `line`; progress arrives as `call` events. Rejects SIP_* when the agent cannot take the command. */
  dial(line: string, uri: string): Promise<void>;
  /** Sends one DTMF key on the line's call. Implementations never log the key (PINs). */
  sendDtmf(line: string, key: DtmfKey): Promise<void>;
  /** Ends the line's call (no error when there is none). */
  hangup(line: string): Promise<void>;
  /** Answers an incoming call on the line. */
  answer(line: string): Promise<void>;
  on<E extends keyof ConferenceBridgeEvents>(event: E, fn: ConferenceBridgeEvents[E]): Unsubscribe;
}
