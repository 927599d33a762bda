/**
 * A simulated GSM/LTE modem (3GPP TS 27.005 PDU mode, TS 27.007): the device end of a byte link. It runs
 * the integration tests, the benchmark, `--port sim:modem` and `rakelgw simulate modem` (architecture
 * rule 3). It prompts with "> ", decodes every submitted PDU as the network would (so tests read the text
 * that reaches a phone), answers status reports, delivers incoming SMS (stored or direct, in parts), keeps
 * SIM PIN state, and has fault knobs: no network, slow, silent, byte-by-byte, echo, line endings, `+CMS
 * ERROR`s, reboot; unplug is `MemoryPort.unplug()`.
 *
 *   host ──bytes──► SimInput (tokenizer, CMGS prompt/PDU) ──► handlers (basic, sms) ──► state
 *        ◄─bytes─── SimWire ◄── answers + URCs (+CMTI, +CDS, +CREG …) ◄── SimNetwork
 */
import { silentLogger, type Logger } from "../../../src/shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../../../src/shared/typed-emitter.js";
import type { ByteLink } from "../../serial-link/byte-link.js";
import type { MemoryPort } from "../../serial-link/memory-link.js";
import { basicHandler } from "./basic-behaviours.js";
import type { SimHandler, SimModemContext } from "./sim-behaviour.js";
import { SimInput } from "./sim-input.js";
import { DEFAULT_SIM_MODEM_CONFIG, DEFAULT_SIM_MODEM_FAULTS, type SimModemConfig, type SimModemFaults, type SimRecipientBehaviour } from "./sim-modem-config.js";
import { initialState, powerOnVolatile, type SentSms, type SimModemState } from "./sim-modem-state.js";
import { deliverPdus, routeToHost, scheduleReports, type DeliverSmsOptions } from "./sim-network.js";
import { SimWire } from "./sim-wire.js";
import { smsHandler } from "./sms-behaviours.js";

/** Events for tests, logs and `rakelgw simulate modem`. */
export interface SimModemEvents {
  /** A command line arrived and was taken for processing. */
  command: (line: string) => void;
  /** The host submitted a part (`+CMGS` answered); also in `sim.sent`. */
  "sms-sent": (sms: SentSms) => void;
  unsolicited: (lines: string[]) => void;
  power: (state: "off" | "on") => void;
  connection: (state: "attached" | "detached", description: string) => void;
}

/** Configuration and fault overrides; logs go to `log` as `mod: "sim-modem"`. */
export interface SimModemOptions {
  config?: Partial<SimModemConfig>;
  faults?: Partial<SimModemFaults>;
  log?: Logger;
}

/** The simulated modem; attach it to a byte link or serve a memory port. */
export class SimModem extends TypedEmitter<SimModemEvents> {
  readonly config: SimModemConfig;
  readonly log: Logger;
  private readonly faultState: SimModemFaults;
  private stateValue: SimModemState;
  private readonly wireOut: SimWire;
  private readonly input: SimInput;
  private readonly handlers: SimHandler[] = [smsHandler, basicHandler];
  private readonly sentList: SentSms[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Input generation: bumps on detach and restart (work begun before is dropped). */
  private gen = 0;
  /** Power generation: bumps on restart only (network timers survive an unplug). */
  private boot = 0;
  private link: ByteLink | undefined;
  private linkSubs: Unsubscribe[] = [];
  private received: Buffer[] = [];
  private concatRef = 1;
  readonly ctx: SimModemContext;

  constructor(options: SimModemOptions = {}) {
    const log = (options.log ?? silentLogger()).child({ mod: "sim-modem" });
    super((err, event) => log.error({ err, event }, "sim modem: listener failed"));
    this.log = log;
    this.config = { ...DEFAULT_SIM_MODEM_CONFIG, ...options.config };
    this.faultState = { ...DEFAULT_SIM_MODEM_FAULTS, cmsErrorNext: { ...DEFAULT_SIM_MODEM_FAULTS.cmsErrorNext }, ...options.faults };
    this.stateValue = initialState(this.config);
    this.wireOut = new SimWire(() => this.faultState, log);
    const state = (): SimModemState => this.stateValue;
    this.ctx = {
      config: this.config,
      get state() {
        return state();
      },
      faults: this.faultState,
      unsolicited: (lines) => this.unsolicited(lines),
      schedule: (ms, fn) => this.schedule(ms, fn),
      reboot: (ms) => void this.reboot(ms),
      setRegistration: (stat) => this.setRegistration(stat),
      submitted: (s) => this.onSubmitted(s),
    };
    this.input = new SimInput({ ctx: this.ctx, wire: this.wireOut, handlers: () => this.handlers, generation: () => this.gen, onCommand: (l) => this.emit("command", l), log });
    if (this.config.registrationDelayMs > 0) this.schedule(this.config.registrationDelayMs, () => this.setRegistration(1));
  }

  // ── wiring ──────────────────────────────────────────────────────────────────────────────────────

  /** Serves every connection the host opens on `port` (after `replug()` too); SIM and storage are kept. */
  servePort(port: MemoryPort): Unsubscribe {
    return port.onConnection((deviceEnd) => this.attach(deviceEnd));
  }

  attach(link: ByteLink): void {
    this.detach();
    this.link = link;
    this.wireOut.setLink(link);
    this.linkSubs = [
      link.onData((chunk) => {
        this.received.push(Buffer.from(chunk));
        this.input.push(chunk);
      }),
      link.onClose(() => this.link === link && this.detach()),
    ];
    this.emit("connection", "attached", link.description);
  }

  /** Lets go of the link (unplug): partial input and queued commands are lost, the SIM is kept. */
  detach(): void {
    const link = this.link;
    if (!link) return;
    for (const off of this.linkSubs) off();
    this.linkSubs = [];
    this.link = undefined;
    this.wireOut.setLink(undefined);
    this.gen++;
    this.input.reset();
    this.emit("connection", "detached", link.description);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.detach();
    this.stateValue.power = "off";
  }

  // ── observation ─────────────────────────────────────────────────────────────────────────────────

  get state(): Readonly<SimModemState> {
    return this.stateValue;
  }

  get faults(): Readonly<SimModemFaults> {
    return this.faultState;
  }

  /** Every part the host submitted, decoded, in order. */
  get sent(): readonly SentSms[] {
    return this.sentList;
  }

  /** Every byte the host wrote, as ISO 8859-1 text (for wire-grammar assertions, goal S2). */
  get wire(): string {
    return Buffer.concat(this.received).toString("latin1");
  }

  clearWire(): void {
    this.received = [];
  }

  idle(): Promise<void> {
    return this.wireOut.idle();
  }

  // ── faults and network ──────────────────────────────────────────────────────────────────────────

  setFaults(f: Partial<SimModemFaults>): void {
    Object.assign(this.faultState, f);
  }

  clearFaults(): void {
    this.setFaults({ ...DEFAULT_SIM_MODEM_FAULTS, cmsErrorNext: { code: 0, count: 0 } });
  }

  /** How the network treats messages to `number` (compared as written in the PDU). */
  setRecipient(number: string, b: SimRecipientBehaviour): void {
    this.config.recipients[number] = b;
  }

  /** 27.007 `<stat>`: 0 no network, 1 home, 2 searching, 5 roaming. Announced with `+CREG`/`+CEREG` as enabled. */
  setRegistration(stat: number): void {
    this.stateValue.regStat = stat;
    const v = this.stateValue.v;
    if (v.cregN > 0) this.unsolicited([`+CREG: ${stat}`]);
    if (v.ceregN > 0) this.unsolicited([`+CEREG: ${stat}`]);
  }

  setSimCard(sim: SimModemState["sim"]): void {
    this.stateValue.sim = sim;
  }

  /** An SMS arrives from `from`; long texts arrive in parts (order/omit to misbehave). Returns the PDUs. */
  deliverSms(from: string, text: string, o: DeliverSmsOptions = {}): string[] {
    const ref = o.reference ?? this.concatRef;
    this.concatRef = (this.concatRef % 255) + 1;
    const pdus = deliverPdus(from, text, ref, o);
    for (const hex of pdus) routeToHost(this.ctx, "SM", hex);
    return pdus;
  }

  /** Power-cycles: silent for `downMs`, then V.250 defaults again (echo on, no indications), SIM locked again. */
  async reboot(downMs = this.config.bootMs): Promise<void> {
    this.gen++;
    this.boot++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.input.reset();
    this.stateValue.power = "off";
    this.emit("power", "off");
    await new Promise((r) => setTimeout(r, downMs));
    const s = this.stateValue;
    s.power = "on";
    s.v = powerOnVolatile();
    s.fun = 1;
    if (s.sim === "ready" && this.config.pin !== null) s.sim = "pin";
    s.regStat = this.config.registrationDelayMs > 0 ? 2 : 1;
    if (this.config.registrationDelayMs > 0) this.schedule(this.config.registrationDelayMs, () => this.setRegistration(1));
    this.emit("power", "on");
  }

  private unsolicited(lines: string[]): void {
    if (this.stateValue.power !== "on") return;
    this.emit("unsolicited", lines);
    this.wireOut.lines(lines);
  }

  private schedule(ms: number, fn: () => void): void {
    const boot = this.boot;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (boot === this.boot && this.stateValue.power === "on") fn();
    }, ms);
    this.timers.add(t);
  }

  private onSubmitted(s: SentSms): void {
    this.sentList.push(s);
    this.log.info({ to: s.to, reference: s.reference, parts: s.concat?.total ?? 1 }, "sim modem: sms submitted");
    this.emit("sms-sent", s);
    scheduleReports(this.ctx, s, this.config.recipients[s.to] ?? this.config.defaultRecipient);
  }
}
