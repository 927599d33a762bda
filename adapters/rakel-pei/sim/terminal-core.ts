/**
 * The terminal's model and its outputs: state, unsolicited codes gated by `AT+CTSP` routing, timers that
 * a reboot cancels, the air side of sent SDS and the radio's own display. Behaviours see it as a
 * {@link SimContext}; the public `SimTerminal` wraps it with wiring and the test API.
 */
import type { Logger } from "../../../src/shared/logger.js";
import type { TypedEmitter } from "../../../src/shared/typed-emitter.js";
import { decodeSds } from "../sds/index.js";
import type { RadioDisplayItem, SentSds, ServiceKey, SimContext } from "./behaviour.js";
import { failsOnAir, planReports } from "./peers.js";
import { LAYER1, SERVICE, type Route } from "./routing-table.js";
import { isDmoMode, toTsi, type SimTalkGroup, type SimTerminalConfig } from "./sim-config.js";
import type { SimTerminalEvents } from "./sim-events.js";
import type { SimFaults } from "./sim-faults.js";
import { powerUpState, type TerminalState } from "./terminal-state.js";
import type { WireOutput } from "./wire-output.js";

/** An SDS arriving from the network for this terminal (or one of its groups). */
export interface IncomingPdu {
  from: string;
  to: string;
  aiService: number;
  bits: number;
  hex: string;
}

const NOWHERE: Route = { te: false, mt: false };

/** State and outputs of the terminal; the {@link SimContext} given to behaviours. */
export class TerminalCore implements SimContext {
  state: TerminalState;
  readonly sent: SentSds[] = [];
  readonly shownOnRadio: RadioDisplayItem[] = [];
  /** Bumped on power-off and detach: work started before it is abandoned. */
  generation = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    readonly config: SimTerminalConfig,
    readonly faults: SimFaults,
    readonly log: Logger,
    readonly output: WireOutput,
    private readonly events: TypedEmitter<SimTerminalEvents>,
    private readonly onPowerOff: () => void,
  ) {
    this.state = powerUpState(config, true, faults.syntaxErrorsAtStart);
  }

  notify(service: ServiceKey, lines: string[]): boolean {
    if (this.state.power !== "on") return false;
    const route = this.state.routing.route(service.layer1, service.layer2);
    if (route.te) this.unsolicited(lines);
    return route.te;
  }

  unsolicited(lines: string[]): void {
    if (this.state.power !== "on") return;
    this.output.unsolicited(lines);
    this.events.emit("unsolicited", lines);
  }

  schedule(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  cancelTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  groupsFor(mode: number): SimTalkGroup[] {
    return isDmoMode(mode) ? this.config.dmoGroups : [...this.config.tmoGroups, ...this.config.dgnaGroups];
  }

  /** Calling identity and its type for `+CTSDSR`: a bare SSI (type 0), or a TSI / extended TSI (type 1). */
  formatSender(ssi: string): string {
    switch (this.config.senderIdentityFormat) {
      case "ssi":
        return `${ssi},0`;
      case "tsi": // 3-digit MCC, 4-digit MNC, 8-digit SSI: 15 digits
        return `${this.config.mcc.slice(-3)}${this.config.mnc.slice(-4)}${ssi.padStart(8, "0")},1`;
      case "extended-tsi": // 4-digit MCC, 5-digit MNC, 8-digit SSI: 17 digits
        return `${toTsi(this.config, ssi)},1`;
    }
  }

  formatGroup(gssi: string): string {
    return this.config.groupIdentityFormat === "tsi" ? toTsi(this.config, gssi) : gssi;
  }

  selectGroup(gssi: string): void {
    if (isDmoMode(this.state.mode)) this.state.selectedDmo = gssi;
    else this.state.selectedTmo = gssi;
    this.events.emit("group-selected", gssi, this.state.mode);
    // Unsolicited +CTGS needs group-management routing, AT+CTSP=1,1,11 (docs/pei.md §7.1).
    this.notify(SERVICE.groupManagement, [`+CTGS: 1,${this.formatGroup(gssi)}`]);
  }

  setMode(mode: number): void {
    if (mode === this.state.mode) return;
    const wasDmo = isDmoMode(this.state.mode);
    this.state.mode = mode;
    this.notify(SERVICE.groupManagement, [`+CTOM: ${mode}`]);
    if (wasDmo !== isDmoMode(mode)) {
      const gssi = wasDmo ? this.state.selectedTmo : this.state.selectedDmo;
      if (gssi !== undefined) this.events.emit("group-selected", gssi, mode);
    }
  }

  transmit(accepted: Omit<SentSds, "at" | "transmission">): SentSds {
    let failed = failsOnAir(this.config, accepted);
    if (this.faults.airFailNext > 0) {
      this.faults.airFailNext--;
      failed = true;
    }
    const sent: SentSds = { ...accepted, at: new Date(), transmission: failed ? "failed" : "sent" };
    this.sent.push(sent);
    this.log.info({ to: sent.ssi, aiService: sent.aiService, bits: sent.bits, ref: sent.messageReference, failed }, "sim: SDS handed to the air");
    this.events.emit("sds-sent", sent);
    this.schedule(this.config.airDelayMs, () => {
      // Later unsolicited result: 4 = sent over the air, 5 = transmission failed (docs/pei.md §3.2).
      this.unsolicited([`+CMGS: 0,${failed ? 5 : 4},${sent.messageReference}`]);
      for (const r of planReports(this.config, sent)) {
        this.schedule(r.delayMs, () => this.receive({ from: r.from, to: this.config.issi, aiService: r.pdu.aiService, bits: r.pdu.bits, hex: r.pdu.hex }));
      }
    });
    return sent;
  }

  /**
   * An SDS from the network: written to the PEI as `+CTSDSR` + hex when routed there (docs/pei.md §4.1), shown on
   * the radio when the route includes the MT. Nothing arrives while off, or unregistered in TMO.
   */
  receive(pdu: IncomingPdu): Route {
    if (this.state.power !== "on") return NOWHERE;
    if (!isDmoMode(this.state.mode) && this.state.regStat !== 1 && this.state.regStat !== 5) {
      this.log.debug({ from: pdu.from }, "sim: incoming SDS lost, terminal not registered");
      return NOWHERE;
    }
    const route = this.routeOf(pdu);
    if (route.te) this.unsolicited([`+CTSDSR: ${pdu.aiService},${this.formatSender(pdu.from)},${pdu.to},0,${pdu.bits}`, pdu.hex]);
    if (route.mt) {
      const decoded = decodeSds(pdu.aiService, pdu.hex, pdu.bits);
      const item: RadioDisplayItem = { at: new Date(), ...pdu, decoded: decoded.ok ? decoded.value : undefined, reason: route.te ? "mt-copy" : "mt-only" };
      if (decoded.ok && decoded.value.kind === "text") item.text = decoded.value.text;
      this.shownOnRadio.push(item);
      this.events.emit("radio-display", item);
    }
    return route;
  }

  /**
   * Routing key of an incoming PDU (docs/pei.md §2.1): status and short reports `x,2,20`; type 4 by PID `x,3,<pid>`.
   * SDS types 1–3 use `x,2,21…23`, a guess: docs/pei.md §13 says the layer-2 values 21–25 were not established.
   */
  private routeOf(pdu: IncomingPdu): Route {
    const routing = this.state.routing;
    if (pdu.aiService === 13) return routing.route(SERVICE.status.layer1, SERVICE.status.layer2);
    if (pdu.aiService === 12) return routing.routeSdsTl(Number.parseInt(pdu.hex.slice(0, 2), 16));
    return routing.route(LAYER1.SDS, 12 + pdu.aiService);
  }

  startCall(gssi: string, caller: string): number {
    if (this.state.call) this.endCall(1);
    const cc = this.state.nextCc++;
    this.state.call = { cc, gssi, caller };
    // +CTICN field order as svx reads it (docs/pei.md §8.2): cc, status 0 progressing, AI service 0 speech,
    // calling type 0 SSI, caller, hook 1, simplex 1, e2ee 0, comms type 1 group, slots 1, called type 0, GSSI, priority 0.
    this.notify(SERVICE.calls, [`+CTICN: ${cc},0,0,0,${caller},1,1,0,1,1,0,${gssi},0`]);
    return cc;
  }

  endCall(cause = 1): void {
    const call = this.state.call;
    if (!call) return;
    this.state.call = undefined;
    // Cause 1 = user request (svx cause table, docs/pei.md §8.2).
    this.notify(SERVICE.calls, [`+CTCR: ${call.cc},${cause}`]);
  }

  /** Changes registration; `+CREG` is written only when `AT+CREG=1|2` enabled it since power-up. */
  setRegistration(stat: number): void {
    if (stat === this.state.regStat || this.state.power !== "on") return;
    this.state.regStat = stat;
    this.events.emit("registration", stat);
    const n = this.state.cregMode;
    if (n === 0) return;
    const registered = stat === 1 || stat === 5;
    // 27.007 §7.2 form: `+CREG: <stat>[,<location area>,<network>]`, location only with n = 2.
    const tetra = this.config.cregForm === "tetra";
    const location = (n === 2 && registered) || tetra ? `,${this.config.locationArea},${this.config.mcc}${this.config.mnc}` : "";
    this.unsolicited([`+CREG: ${stat}${location}`]);
  }

  warn(message: string): void {
    this.log.error({ sim: "rakel-terminal" }, message);
    this.events.emit("warning", message);
  }

  async reboot(downMs: number): Promise<void> {
    const gen = ++this.generation;
    this.cancelTimers();
    this.output.discardHeld();
    this.state.power = "off";
    this.onPowerOff();
    this.log.warn({ downMs }, "sim: terminal rebooting");
    this.events.emit("power", "off");
    await new Promise<void>((resolve) => setTimeout(resolve, downMs));
    if (gen !== this.generation) return;
    // Echo on, routing and CREG reporting lost, default group (docs/pei.md §1.6, §10.13); the codeplug stays.
    const registered = this.config.registrationDelayMs <= 0;
    this.state = powerUpState(this.config, registered, this.faults.syntaxErrorsAtStart);
    this.log.info("sim: terminal up again");
    this.events.emit("power", "on");
    if (!registered) this.schedule(this.config.registrationDelayMs, () => this.setRegistration(1));
  }
}
