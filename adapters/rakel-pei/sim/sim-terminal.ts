/**
 * A simulated Rakel (TETRA) terminal seen through its PEI (EN 300 392-5): the device end of a byte link.
 * It runs `npm start`, the integration tests and `rakelgw simulate terminal`.
 *
 *   host ──bytes──► ByteLink ──► InputPipeline ──► behaviour chain ──► TerminalCore (state, routing, air)
 *        ◄─bytes─── ByteLink ◄── WireOutput ◄────── answers + unsolicited codes ◄──┘
 *
 * Tests drive the "radio side" with `inject*`, `startCall`, `frontPanelSelect`, `reboot`, and read what
 * the host sent in `sent`; unrouted incoming SDS land in `shownOnRadio`.
 */
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger, type Logger } from "../../../src/shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../../../src/shared/typed-emitter.js";
import type { ByteLink } from "../../serial-link/byte-link.js";
import type { MemoryPort } from "../../serial-link/memory-link.js";
import { encodeSdsTlText, encodeSimpleText, encodeStatus, type DeliveryReportRequest, type TextCodingChoice } from "../sds/index.js";
import type { RadioDisplayItem, SentSds, SimBehaviour } from "./behaviour.js";
import { basicBehaviours } from "./behaviours-basic.js";
import { callBehaviours } from "./behaviours-calls.js";
import { groupBehaviours } from "./behaviours-groups.js";
import { sdsBehaviours } from "./behaviours-sds.js";
import { InputPipeline } from "./input-pipeline.js";
import { encodeLipShortReport, type LipOptions } from "./lip-encode.js";
import type { Route } from "./routing-table.js";
import { resolveSimConfig, ssiOf, type SimTerminalConfig } from "./sim-config.js";
import type { SimTerminalEvents } from "./sim-events.js";
import { DEFAULT_FAULTS, type SimFaults } from "./sim-faults.js";
import { TerminalCore } from "./terminal-core.js";
import { selectedGroup, type TerminalState } from "./terminal-state.js";
import { SERVICE } from "./routing-table.js";
import { WireOutput } from "./wire-output.js";

/** Constructor options of {@link SimTerminal}. */
export interface SimTerminalOptions {
  config?: Partial<SimTerminalConfig>;
  /** Default: silent. The simulator logs as `mod: "sim-terminal"`. */
  log?: Logger;
}

/** Options of {@link SimTerminal.injectText}. */
export interface InjectTextOptions {
  /** Called party: own ISSI (default) or a GSSI. */
  to?: string;
  /** Delivery report the sender asks for (SDS-TL only). */
  report?: DeliveryReportRequest;
  /** SDS-TL message reference; default a running counter 1–255. */
  messageReference?: number;
  /** PID 0x89 / 0x09. */
  immediate?: boolean;
  /** Simple text (PID 0x02 / 0x09) instead of SDS-TL text. */
  simple?: boolean;
  coding?: TextCodingChoice;
  /** Service-selection bit (default 0 for individuals, 1 for groups; docs/pei.md §5.3). */
  serviceSelection?: 0 | 1;
}

/**
 * The simulated terminal. Wire it with `servePort(port)`, `attach(link)` or `runOnPty(path, sim)`; drive the
 * radio side with the `inject*` methods, `startCall`, `frontPanelSelect`, `setRegistration` and `reboot`;
 * change its misbehaviour with `setFaults`; observe `sent`, `shownOnRadio`, `state` and the events.
 */
export class SimTerminal extends TypedEmitter<SimTerminalEvents> {
  readonly config: SimTerminalConfig;
  readonly log: Logger;
  private readonly faultState: SimFaults;
  private readonly core: TerminalCore;
  private readonly output: WireOutput;
  private readonly pipeline: InputPipeline;
  private readonly chain: SimBehaviour[] = [...sdsBehaviours, ...groupBehaviours, ...callBehaviours, ...basicBehaviours];
  private link: ByteLink | undefined;
  private linkSubs: Unsubscribe[] = [];
  private nextRef = 1;

  constructor(options: SimTerminalOptions = {}) {
    const log = (options.log ?? silentLogger()).child({ mod: "sim-terminal" });
    super((err, event) => log.error({ err, event }, "sim: event listener failed"));
    this.log = log;
    this.config = resolveSimConfig(options.config);
    this.faultState = { ...DEFAULT_FAULTS, ...this.config.faults };
    this.output = new WireOutput(() => this.faultState, this.log);
    this.core = new TerminalCore(this.config, this.faultState, this.log, this.output, this, () => this.pipeline.reset());
    this.pipeline = new InputPipeline(this.core, () => this.chain, this);
  }

  // ── wiring ────────────────────────────────────────────────────────────────────────────────────

  /** Serves every connection the host opens on `port` (after `replug()` too); state is kept across them. */
  servePort(port: MemoryPort): Unsubscribe {
    return port.onConnection((deviceEnd) => this.attach(deviceEnd));
  }

  /** Becomes the device end of `link`, replacing any previous link. */
  attach(link: ByteLink): void {
    this.detach();
    this.link = link;
    this.output.setLink(link);
    this.linkSubs = [link.onData((chunk) => this.pipeline.push(chunk)), link.onClose(() => this.link === link && this.detach())];
    this.log.info({ link: link.description }, "sim: link attached");
    this.emit("connection", "attached", link.description);
  }

  /** Lets go of the current link (unplug): partial input is lost, state is kept. */
  detach(): void {
    const link = this.link;
    if (!link) return;
    for (const off of this.linkSubs) off();
    this.linkSubs = [];
    this.link = undefined;
    this.output.setLink(undefined);
    this.core.generation++;
    this.pipeline.reset();
    this.emit("connection", "detached", link.description);
  }

  /** Stops timers and detaches; the terminal answers nothing afterwards. */
  stop(): void {
    this.core.cancelTimers();
    this.detach();
    this.core.generation++;
    this.core.state.power = "off";
  }

  /** Adds a behaviour in front of the chain (newest first, first reply wins). */
  defineBehaviour(b: SimBehaviour): Unsubscribe {
    this.chain.unshift(b);
    return () => {
      const i = this.chain.indexOf(b);
      if (i >= 0) this.chain.splice(i, 1);
    };
  }

  // ── observation ───────────────────────────────────────────────────────────────────────────────

  /** Current state (read it, do not keep it: a reboot replaces it). */
  get state(): Readonly<TerminalState> {
    return this.core.state;
  }

  /** Every SDS the host sent, in order. */
  get sent(): readonly SentSds[] {
    return this.core.sent;
  }

  /** Incoming SDS shown on the radio (not routed to the PEI, or routed with profile 2). */
  get shownOnRadio(): readonly RadioDisplayItem[] {
    return this.core.shownOnRadio;
  }

  get selectedGroup(): string | undefined {
    return selectedGroup(this.core.state);
  }

  /** The live fault knobs (counters count down). */
  get faults(): Readonly<SimFaults> {
    return this.faultState;
  }

  /** Resolves when all output queued so far has been written. */
  idle(): Promise<void> {
    return this.output.idle();
  }

  // ── faults ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Changes fault knobs. `syntaxErrorsAtStart` also arms the next n commands right away; it applies again
   * after each reboot. Turning `urcInsideResponse` off writes held lines.
   */
  setFaults(faults: Partial<SimFaults>): void {
    Object.assign(this.faultState, faults);
    if (faults.syntaxErrorsAtStart !== undefined) this.core.state.syntaxErrorsLeft = faults.syntaxErrorsAtStart;
    if (faults.urcInsideResponse === false) this.output.flushHeld();
  }

  /** All knobs back to their defaults. */
  clearFaults(): void {
    this.setFaults({ ...DEFAULT_FAULTS });
  }

  // ── radio side ────────────────────────────────────────────────────────────────────────────────

  /** An SDS-TL text (PID 0x82/0x89) or simple text (0x02/0x09) arrives from `from`. */
  injectText(from: string, text: string, opts: InjectTextOptions = {}): Route {
    const to = opts.to ?? this.config.issi;
    const group = this.isGroup(to);
    const pdu = opts.simple
      ? encodeSimpleText(text, { immediate: opts.immediate ?? false, coding: opts.coding ?? "auto" })
      : encodeSdsTlText(text, {
          messageReference: opts.messageReference ?? this.takeRef(),
          group,
          deliveryReport: opts.report ?? "none",
          immediate: opts.immediate ?? false,
          coding: opts.coding ?? "auto",
          serviceSelectionBit: opts.serviceSelection ?? (group ? 1 : 0),
        });
    return this.core.receive({ from, to, aiService: pdu.aiService, bits: pdu.bits, hex: pdu.hex });
  }

  /** A pre-coded status (AI service 13) arrives; needs `AT+CTSP=x,2,20` to reach the PEI. */
  injectStatus(from: string, value: number, opts: { to?: string } = {}): Route {
    const pdu = encodeStatus(value, { allowEmergency: true });
    return this.core.receive({ from, to: opts.to ?? this.config.issi, aiService: 13, bits: 16, hex: pdu.hex });
  }

  /** A LIP short location report (PID 0x0A) arrives; needs `AT+CTSP=x,3,10`. */
  injectLip(from: string, latitude: number, longitude: number, opts: LipOptions = {}): Route {
    const pdu = encodeLipShortReport(latitude, longitude, opts);
    return this.core.receive({ from, to: this.config.issi, aiService: 12, bits: pdu.bits, hex: pdu.hex });
  }

  /** Any PDU arrives (`+CTSDSR: <ai>,<from>,0,<to>,0,<bits>` + hex when routed). */
  injectSds(pdu: { from: string; to?: string; aiService: number; bits: number; hex: string }): Route {
    return this.core.receive({ ...pdu, to: pdu.to ?? this.config.issi });
  }

  /** Raw lines to the host, each framed as an unsolicited line (no routing check). */
  injectRaw(lines: string[]): void {
    this.core.unsolicited(lines);
  }

  /** Raw bytes to the host, unframed (line noise, partial lines). */
  injectBytes(text: string): void {
    this.output.raw(text);
  }

  /** The user turns the group knob: selects `gssi` and announces it with `+CTGS` (docs/pei.md §7.1). */
  frontPanelSelect(gssi: string): void {
    const ssi = ssiOf(gssi) ?? gssi;
    if (!this.core.groupsFor(this.core.state.mode).some((g) => g.gssi === ssi)) {
      throw new GatewayError("CFG_INVALID", `group ${gssi} is not programmed for AI mode ${this.core.state.mode}`, { context: { gssi } });
    }
    this.core.selectGroup(ssi);
  }

  /** A group call starts (`+CTICN`, needs `AT+CTSP=x,0,0`); returns its CC instance. */
  startCall(gssi: string, opts: { caller?: string } = {}): number {
    return this.core.startCall(gssi, opts.caller ?? "2009999");
  }

  /** The active call ends (`+CTCR: <cc>,<cause>`). */
  endCall(cause = 1): void {
    this.core.endCall(cause);
  }

  /** Someone on the radio side takes the floor (`+CTXG` with their identity); starts a call on the selected group if none. */
  radioTalk(talker = "2009999"): void {
    if (!this.core.state.call) this.core.startCall(this.selectedGroup ?? "1", talker);
    const call = this.core.state.call!;
    call.talker = talker;
    this.core.notify(SERVICE.calls, [`+CTXG: ${call.cc},0,0,0,1,${talker}`]);
  }

  /** The radio-side talker releases the floor (`+CDTXC`). */
  radioQuiet(): void {
    const call = this.core.state.call;
    if (!call || call.talker === undefined || call.talker === "us") return;
    call.talker = undefined;
    this.core.notify(SERVICE.calls, [`+CDTXC: ${call.cc},0`]);
  }

  /** Who holds the floor of the active call ("us" = keyed by the PEI host), if anyone. */
  get talker(): string | undefined {
    return this.core.state.call?.talker;
  }

  /** Network registration changes (0 not registered, 1 registered, 2 searching). */
  setRegistration(stat: number): void {
    this.core.setRegistration(stat);
  }

  setSignal(rssi: number): void {
    this.core.state.rssi = rssi;
  }

  /**
   * Power-cycles: silent for `downMs` (input ignored), then echo on, `AT+CTSP` registrations and `AT+CREG`
   * reporting lost, default group, and registered again after `registrationDelayMs` (docs/pei.md §1.6, §10.13).
   */
  reboot(downMs = 2000): Promise<void> {
    return this.core.reboot(downMs);
  }

  private isGroup(identity: string): boolean {
    const ssi = ssiOf(identity);
    return ssi !== undefined && [0, 1].some((m) => this.core.groupsFor(m).some((g) => g.gssi === ssi));
  }

  private takeRef(): number {
    const ref = this.nextRef;
    this.nextRef = (this.nextRef % 255) + 1;
    return ref;
  }
}
