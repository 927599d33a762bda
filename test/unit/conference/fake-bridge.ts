import type { BridgeHealth, CallEvent, ConferenceBridge, ConferenceBridgeEvents, DtmfKey } from "../../../src/ports/conference-bridge.js";
import { TypedEmitter } from "../../../src/shared/typed-emitter.js";
import { GatewayError } from "../../../src/shared/errors.js";

/** A ConferenceBridge fake: records commands; the test drives call events and health. */
export class FakeBridge extends TypedEmitter<ConferenceBridgeEvents> implements ConferenceBridge {
  readonly name = "sip-fake";
  health: BridgeHealth = { state: "ready", since: new Date(0), detail: "ok" };
  readonly commands: string[] = [];
  readonly keys = new Map<string, string>();
  failDtmf = false;
  failDial = false;
  private n = 0;
  constructor(readonly lines: string[]) {
    super((err) => {
      throw err;
    });
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  dial(line: string, uri: string): Promise<void> {
    this.commands.push(`dial ${line} ${uri}`);
    return this.failDial ? Promise.reject(new GatewayError("SIP_AGENT_DOWN", "agent down")) : Promise.resolve();
  }
  sendDtmf(line: string, key: DtmfKey): Promise<void> {
    if (this.failDtmf) return Promise.reject(new GatewayError("SIP_COMMAND_FAILED", "sndcode failed"));
    this.keys.set(line, (this.keys.get(line) ?? "") + key);
    return Promise.resolve();
  }
  hangup(line: string): Promise<void> {
    this.commands.push(`hangup ${line}`);
    return Promise.resolve();
  }
  answer(line: string): Promise<void> {
    this.commands.push(`answer ${line}`);
    return Promise.resolve();
  }
  call(e: CallEvent): void {
    this.emit("call", e);
  }
  answerCall(line: string): void {
    const id = `c${++this.n}`;
    this.call({ kind: "ringing", line, callId: id });
    this.call({ kind: "established", line, callId: id });
  }
  setHealth(state: BridgeHealth["state"], detail: string = state): void {
    this.health = { state, since: new Date(0), detail };
    this.emit("health", this.health);
  }
  dials(line?: string): number {
    return this.commands.filter((c) => c.startsWith(`dial ${line ?? ""}`)).length;
  }
}
