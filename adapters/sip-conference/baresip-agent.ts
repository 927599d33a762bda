import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BridgeHealth, ConferenceBridge, ConferenceBridgeEvents, DtmfKey } from "../../src/ports/conference-bridge.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import { renderAccounts, renderBaresipConfig, lineAor, type AgentLine, type BrokerEndpoint } from "./baresip-config.js";
import { BaresipControl, type ControlEndpoint } from "./baresip-control.js";
import type { BaresipEvent } from "./baresip-events.js";
import { rxLevelOf, SpeechDetector, toCallEvent } from "./baresip-events.js";
import { BaresipProcess } from "./baresip-process.js";
import type { SipConfig } from "./sip-config.js";

/**
 * The ConferenceBridge port on baresip: writes its config, runs and supervises the process, drives it
 * over the embedded broker, and reports it as a link:
 *
 *   disconnected (starting / exited, restart in N ms) ─► ready (answers a probe command)
 *        ▲                                                 │ two probes unanswered
 *        └──────────── killed and restarted ◄── unresponsive
 *
 * baresip's mqtt module connects once, when it loads, and unloads itself when the broker is not there; a
 * probe that goes unanswered is how that shows, and a restart is the cure.
 */
export interface BaresipAgentOptions {
  name: string;
  sip: SipConfig;
  lines: readonly AgentLine[];
  /** Where baresip's config folder goes (mode 0700). */
  dir: string;
  /** baresip's own broker account (its ACL allows only its topics). */
  agentBroker: BrokerEndpoint;
  /** The gateway's control connection to the same broker. */
  control: ControlEndpoint;
  /** Registrar password, already read from its file or variable. */
  registrarPassword?: string;
  log: Logger;
  probeMs?: number;
}

export class BaresipAgent extends TypedEmitter<ConferenceBridgeEvents> implements ConferenceBridge {
  readonly name: string;
  readonly lines: readonly string[];
  private healthValue: BridgeHealth = { state: "disconnected", since: new Date(), detail: "not started" };
  private readonly log: Logger;
  private readonly process: BaresipProcess;
  private readonly control: BaresipControl;
  private readonly lineByAor = new Map<string, string>();
  private readonly speech = new Map<string, SpeechDetector>();
  private probeTimer: ReturnType<typeof setInterval> | undefined;
  private misses = 0;
  private probing = false;

  constructor(private readonly o: BaresipAgentOptions) {
    super((err, ev) => o.log.error({ err, ev }, "SIP agent listener failed"));
    this.name = o.name;
    this.lines = o.lines.map((l) => l.id);
    this.log = o.log.child({ mod: "sip-conference", link: o.name });
    for (const l of o.lines) {
      this.lineByAor.set(lineAor(o.sip, l.id), l.id);
      this.speech.set(l.id, new SpeechDetector(o.sip.patch.speechThresholdDbov, o.sip.patch.speechHangMs));
    }
    this.process = new BaresipProcess({ binary: o.sip.binary, dir: o.dir, log: this.log, restartBaseMs: o.sip.restartBaseMs, restartCapMs: o.sip.restartCapMs });
    this.control = new BaresipControl({ endpoint: o.control, baseTopic: o.agentBroker.baseTopic, log: this.log, clientId: `${o.agentBroker.clientId}-ctl` });
    this.control.on("event", (e) => this.onEvent(e));
    this.process.on("spawned", (pid) => this.setHealth("disconnected", `started (pid ${pid}); waiting for its control connection`));
    this.process.on("exit", (detail, restartIn) => {
      this.misses = 0;
      this.setHealth("disconnected", `${detail}${restartIn !== undefined ? `; restart in ${restartIn} ms` : ""}`);
    });
  }

  get health(): BridgeHealth {
    return this.healthValue;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get restarts(): number {
    return this.process.restarts;
  }

  async start(): Promise<void> {
    this.writeConfig();
    await this.control.start();
    this.process.start();
    this.probeTimer = setInterval(() => void this.probe(), this.o.probeMs ?? 1000);
    this.probeTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.probeTimer);
    for (const line of this.lines) await this.hangup(line).catch(() => undefined);
    await this.process.stop();
    await this.control.stop();
    this.setHealth("disconnected", "stopped");
  }

  dial(line: string, uri: string): Promise<void> {
    return this.onLine(line, { command: "dial", params: uri }).then(() => undefined);
  }

  sendDtmf(line: string, key: DtmfKey): Promise<void> {
    return this.onLine(line, { command: "sndcode", params: key, secret: true }).then(() => undefined);
  }

  hangup(line: string): Promise<void> {
    return this.onLine(line, { command: "hangup" }).then(() => undefined);
  }

  answer(line: string): Promise<void> {
    return this.onLine(line, { command: "answer" }).then(() => undefined);
  }

  private onLine(line: string, step: { command: string; params?: string; secret?: boolean }): Promise<string[]> {
    const aor = [...this.lineByAor].find(([, l]) => l === line)?.[0];
    if (!aor) return Promise.reject(new GatewayError("SIP_UNKNOWN_CONFERENCE", `the SIP agent has no line "${line}"`, { context: { conference: line } }));
    if (this.healthValue.state !== "ready") return Promise.reject(new GatewayError("SIP_AGENT_DOWN", `SIP agent ${this.name} is ${this.healthValue.state}: ${this.healthValue.detail}`));
    return this.control.sequence([{ command: "uafind", params: aor }, step]);
  }

  private writeConfig(): void {
    mkdirSync(this.o.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.o.dir, 0o700);
    // Mode 0600: the files hold the agent's broker password and the registrar password.
    writeFileSync(join(this.o.dir, "config"), renderBaresipConfig(this.o.sip, this.o.agentBroker), { mode: 0o600 });
    writeFileSync(join(this.o.dir, "accounts"), renderAccounts(this.o.sip, this.o.lines, this.o.registrarPassword), { mode: 0o600 });
    // baresip creates these when missing; empty ones keep it from writing templates with modules we do not want.
    writeFileSync(join(this.o.dir, "contacts"), "", { mode: 0o600 });
  }

  private async probe(): Promise<void> {
    if (this.probing || this.process.pid === undefined) return;
    // A command answered within the last probe period already proved the agent alive; a probe would only
    // queue in front of the next PIN key.
    if (this.healthValue.state === "ready" && performance.now() - this.control.lastAnswerAt < (this.o.probeMs ?? 1000)) return;
    this.probing = true;
    try {
      await this.control.sequence([{ command: "uafind", params: [...this.lineByAor.keys()][0] ?? "" }]);
      this.misses = 0;
      this.setHealth("ready", `pid ${this.process.pid}, ${this.lines.length} line(s)`);
    } catch (err) {
      this.misses++;
      if (this.healthValue.state === "ready" && this.misses >= 2) {
        this.setHealth("unresponsive", `control commands unanswered (${(err as Error).message}); restarting the agent`);
        this.process.kill();
      } else if (this.misses >= 5 && this.healthValue.state === "disconnected") {
        // Started but never reachable over MQTT (its control module gave up): restart it.
        this.setHealth("unresponsive", "the agent never connected its control module; restarting it");
        this.process.kill();
        this.misses = 0;
      }
    } finally {
      this.probing = false;
    }
  }

  private onEvent(e: BaresipEvent): void {
    if (e.type === "EXIT") return this.setHealth("disconnected", "agent is exiting");
    const line = e.accountaor ? this.lineByAor.get(e.accountaor) : undefined;
    if (!line) return;
    const level = rxLevelOf(e);
    if (level !== undefined) {
      const change = this.speech.get(line)?.level(level, performance.now());
      if (change !== undefined) this.emit("call", { kind: "speech", line, active: change });
      return;
    }
    const ce = toCallEvent(e, line);
    if (ce?.kind === "closed" && this.speech.get(line)?.reset() === false) this.emit("call", { kind: "speech", line, active: false });
    if (ce) {
      if (ce.kind !== "ringing") this.log.info({ line, event: ce.kind, callId: e.id, ...(ce.kind === "closed" ? { reason: ce.reason } : {}) }, "sip call");
      this.emit("call", ce);
    }
  }

  private setHealth(state: BridgeHealth["state"], detail: string): void {
    const h = this.healthValue;
    if (h.state === state && h.detail === detail) return;
    this.healthValue = { state, detail, since: h.state === state ? h.since : new Date() };
    this.emit("health", this.healthValue);
  }
}
