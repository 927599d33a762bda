import type { BridgeHealth, ConferenceBridge, ConferenceBridgeEvents, DtmfKey } from "../../../src/ports/conference-bridge.js";
import { GatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { TypedEmitter } from "../../../src/shared/typed-emitter.js";

/**
 * A simulated SIP agent and conference bridge in one (every piece of hardware has a simulator in the repository, README *Layout*;
 * here it is the SIP side): `npm start`, the demo and domain tests run without baresip. A dialled line rings, is
 * answered after `answerDelayMs`, and collects the DTMF keys it gets. Fault knobs: the bridge is busy, does
 * not answer, hangs up; the agent dies and comes back; the phone side speaks (floor policy).
 */
export interface SimBridgeOptions {
  name?: string;
  lines: readonly string[];
  log: Logger;
  answerDelayMs?: number;
}

interface SimCall {
  id: string;
  answered: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class SimConferenceBridge extends TypedEmitter<ConferenceBridgeEvents> implements ConferenceBridge {
  readonly name: string;
  readonly lines: readonly string[];
  /** Next dials: answered normally, refused busy, or left ringing. */
  mode: "answer" | "busy" | "no-answer" = "answer";
  private healthValue: BridgeHealth = { state: "disconnected", since: new Date(), detail: "not started" };
  private readonly calls = new Map<string, SimCall>();
  private readonly digits = new Map<string, string>();
  private seq = 0;

  constructor(private readonly o: SimBridgeOptions) {
    super((err, ev) => o.log.error({ err, ev }, "sim bridge listener failed"));
    this.name = o.name ?? "sip-sim";
    this.lines = [...o.lines];
  }

  get health(): BridgeHealth {
    return this.healthValue;
  }

  start(): Promise<void> {
    this.o.log.warn({ link: this.name }, "SIMULATED SIP agent and conference bridge: no real calls are made");
    this.setHealth("ready", "simulated");
    return Promise.resolve();
  }

  stop(): Promise<void> {
    for (const line of [...this.calls.keys()]) this.drop(line, "agent stopped", false);
    this.setHealth("disconnected", "stopped");
    return Promise.resolve();
  }

  /** DTMF keys the simulated bridge received on `line` (cleared at each dial). */
  receivedDigits(line: string): string {
    return this.digits.get(line) ?? "";
  }

  dial(line: string, _uri: string): Promise<void> {
    const refused = this.refusal(line);
    if (refused) return Promise.reject(refused);
    this.drop(line, "replaced", false);
    const call: SimCall = { id: `sim-${++this.seq}`, answered: false, timer: undefined };
    this.calls.set(line, call);
    this.digits.set(line, "");
    const mode = this.mode;
    call.timer = setTimeout(() => {
      this.emit("call", { kind: "ringing", line, callId: call.id });
      if (mode === "busy") return this.drop(line, "486 Busy Here", true);
      if (mode === "no-answer") return;
      call.timer = setTimeout(() => {
        call.answered = true;
        this.emit("call", { kind: "established", line, callId: call.id });
      }, this.o.answerDelayMs ?? 300);
    }, 20);
    return Promise.resolve();
  }

  sendDtmf(line: string, key: DtmfKey): Promise<void> {
    const refused = this.refusal(line);
    if (refused) return Promise.reject(refused);
    const call = this.calls.get(line);
    if (call?.answered) this.digits.set(line, (this.digits.get(line) ?? "") + key);
    return Promise.resolve();
  }

  hangup(line: string): Promise<void> {
    const refused = this.refusal(line);
    if (refused) return Promise.reject(refused);
    this.drop(line, "Connection reset by user", true);
    return Promise.resolve();
  }

  answer(line: string): Promise<void> {
    const refused = this.refusal(line);
    if (refused) return Promise.reject(refused);
    return Promise.resolve();
  }

  /** The far end hangs up the line's call. */
  farEndHangup(line: string, reason = "Connection reset by peer"): void {
    this.drop(line, reason, true);
  }

  /** Voice activity of the telephone side of `line`. */
  speech(line: string, active: boolean): void {
    this.emit("call", { kind: "speech", line, active });
  }

  /** The agent dies (calls vanish without CALL_CLOSED) or comes back. */
  crash(): void {
    for (const c of this.calls.values()) clearTimeout(c.timer);
    this.calls.clear();
    this.setHealth("disconnected", "simulated crash");
  }
  recover(): void {
    this.setHealth("ready", "simulated");
  }

  private refusal(line: string): GatewayError | undefined {
    if (!this.lines.includes(line)) return new GatewayError("SIP_UNKNOWN_CONFERENCE", `the SIP agent has no line "${line}"`, { context: { conference: line } });
    if (this.healthValue.state !== "ready") return new GatewayError("SIP_AGENT_DOWN", `SIP agent ${this.name} is ${this.healthValue.state}`);
    return undefined;
  }

  private drop(line: string, reason: string, report: boolean): void {
    const c = this.calls.get(line);
    if (!c) return;
    clearTimeout(c.timer);
    this.calls.delete(line);
    if (report) this.emit("call", { kind: "closed", line, callId: c.id, reason });
  }

  private setHealth(state: BridgeHealth["state"], detail: string): void {
    this.healthValue = { state, detail, since: new Date() };
    this.emit("health", this.healthValue);
  }
}
