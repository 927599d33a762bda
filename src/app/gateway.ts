import { mkdirSync } from "node:fs";
import { PinStateStore } from "../../adapters/gsm-sms/pin-guard.js";
import { startMqttGateway, UPSTREAM_LINK, type MqttGateway } from "../../adapters/mqtt/mqtt-gateway.js";
import { runProbe } from "../../adapters/net-probes/tcp-http-probes.js";
import { sameSsi } from "../../adapters/rakel-pei/sds-tracker.js";
import { IpHealthMonitor } from "../link-health/ip-health.js";
import { LinkHealthRegistry } from "../link-health/link-registry.js";
import type { MessageBus } from "../ports/message-bus.js";
import type { RadioTerminal } from "../ports/radio-terminal.js";
import type { SmsModem } from "../ports/sms-modem.js";
import type { TalkgroupReader } from "../ports/talkgroup-reader.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { TalkgroupCheckService } from "../talkgroups/check-service.js";
import { buildModem, buildTerminal } from "./devices/device-factory.js";
import type { TerminalSimulator } from "./devices/simulated-devices.js";
import type { ModemSimulator } from "./answering-peers.js";
import type { GatewayConfig, ModemConfig, TerminalConfig } from "./gateway-config.js";
import { receivedSdsJson, receivedSmsJson, sdsStatusJson, smsStatusJson, terminalStateJson } from "./presenters.js";
import { startTalkgroupChecks } from "./talkgroup-wiring.js";
import { startOps, type Ops } from "./ops-wiring.js";
import { registerVerbs } from "./verbs.js";
import type { ConferenceService } from "../conference/conference-service.js";
import type { ConferenceBridge } from "../ports/conference-bridge.js";
import type { ConferenceDirectory } from "../ports/conference-directory.js";
import { startConferences, withSipBrokerAccount } from "./conference-wiring.js";
import type { DispatchService } from "../dispatch/dispatch-service.js";
import { startDispatch } from "./dispatch-wiring.js";
import { Gate } from "../shared/gate.js";

/**
 * The composition root of the daemon (with the CLI, the only code that imports adapters: README, *Layout*): config → logger → link registry → broker →
 * IP health → terminals → modems → talk-group checks → verbs, stopped in reverse. Devices come from the one
 * device factory (./devices/); what the gateway keeps is typed on the ports. One failed radio or modem
 * degrades its own link; it never stops the process.
 */
export interface GatewayOptions {
  config: GatewayConfig;
  log: Logger;
  version: string;
  /** `sim:` ports allowed (demo, tests); the retained bridge state then says "simulated": true. */
  allowSim: boolean;
  /** An MQTT side started by the caller (with its link registry); otherwise one is started from config.mqtt. */
  mqtt?: MqttGateway;
  /** Where the configuration came from (for /readyz). */
  configPath?: string;
}

export class Gateway {
  readonly terminals = new Map<string, RadioTerminal>();
  readonly modems = new Map<string, SmsModem>();
  /** The simulators behind `sim:` terminal ports, by link id (the demo drives them). */
  readonly terminalSimulators = new Map<string, TerminalSimulator>();
  /** The simulated modems behind `sim:` modem ports (the demo's answering people use them). */
  readonly modemSimulators = new Map<string, ModemSimulator>();
  /** True when any device is simulated (`sim:` ports). */
  readonly simulated: boolean;
  /** Talk-group checks of the terminals that name a plan. */
  talkgroups: TalkgroupCheckService | undefined;
  /** State view, metrics and the status page. */
  ops: Ops | undefined;
  /** Telephone conferences (site config `sip` + `conferences`). */
  conferences: ConferenceService | undefined;
  sipBridge: ConferenceBridge | undefined;
  /** The conferences as alert dispatch sees them (dial-in texts, our leg's state). */
  conferenceDirectory: ConferenceDirectory | undefined;
  /** Alert dispatch, when the config has a `dispatch` section. */
  dispatch: DispatchService | undefined;
  private readonly talkgroupReaders = new Map<string, TalkgroupReader>();
  /** Incoming SDS and SMS wait here until alert dispatch listens (opened at the end of start-up). */
  private readonly incomingGate = new Gate();
  private readonly stops: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly opts: GatewayOptions,
    readonly links: LinkHealthRegistry,
    readonly mqtt: MqttGateway,
  ) {
    this.simulated = usesSimPorts(opts.config);
  }

  get bus(): MessageBus {
    return this.mqtt.bus;
  }

  static async start(opts: GatewayOptions): Promise<Gateway> {
    const { config, log } = opts;
    mkdirSync(config.stateDir, { recursive: true });
    const simulated = usesSimPorts(config);
    if (simulated && !opts.allowSim) throw new GatewayError("CFG_INVALID", "the configuration uses sim: ports; start with --allow-sim to run on simulated hardware");
    const links = opts.mqtt?.links ?? new LinkHealthRegistry({ log });
    const sip = await withSipBrokerAccount(config, (msg) => log.warn({ mod: "sip-conference" }, msg));
    const mqtt = opts.mqtt ?? (await startMqttGateway({ config: sip.mqtt, log, version: opts.version, simulated, links }));
    const gw = new Gateway(opts, links, mqtt);
    try {
      gw.startIpHealth();
      for (const t of config.terminals) await gw.addTerminal(t);
      const pinStore = new PinStateStore(`${config.stateDir}/sim-pin-state.json`);
      for (const m of config.modems) await gw.addModem(m, pinStore);
      gw.talkgroups = startTalkgroupChecks({
        terminals: config.terminals.map((c) => ({ config: c, reader: gw.talkgroupReaders.get(c.id)! })),
        stateDir: config.stateDir,
        bus: gw.bus,
        log,
      });
      gw.stops.push(() => gw.talkgroups!.stop());
      gw.conferences = await startConferences(gw, sip.account);
      registerVerbs(gw);
      gw.dispatch = await startDispatch(gw);
      if (gw.dispatch) gw.stops.push(() => gw.dispatch!.stop());
      // Every listener of incoming SDS and SMS is in place: what arrived meanwhile (an SMS activation read
      // from the SIM at start-up, after a crash) is handed on now, to dispatch too.
      gw.incomingGate.open();
      gw.ops = await startOps(gw, opts.configPath);
      gw.stops.push(() => gw.ops!.stop());
    } catch (err) {
      await gw.stop();
      throw err;
    }
    log.info({ site: config.site, terminals: config.terminals.length, modems: config.modems.length, simulated }, "gateway started");
    return gw;
  }

  /** Registers a stop step (run in reverse order of registration). */
  addStop(step: () => Promise<void>): void {
    this.stops.push(step);
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const stop of this.stops.reverse()) await stop().catch((err: unknown) => this.opts.log.error({ err }, "stop step failed"));
      if (!this.opts.mqtt) await this.mqtt.stop();
    })();
    return this.stopping;
  }

  /** The `ip` link: reachability probes (adapters/net-probes) plus the uplink's state, reported to the registry. */
  private startIpHealth(): void {
    const lh = this.opts.config.mqtt.linkHealth;
    if (lh.probes.length === 0 && !this.mqtt.uplink) return;
    const monitor = new IpHealthMonitor(
      { probes: lh.probes, intervalMs: lh.intervalMs, timeoutMs: lh.timeoutMs, downAfter: lh.downAfter, upAfter: lh.upAfter, uplinkLink: UPSTREAM_LINK },
      { registry: this.links, log: this.opts.log, probe: runProbe },
    );
    monitor.start();
    this.stops.push(() => Promise.resolve(monitor.stop()));
  }

  private async addTerminal(c: TerminalConfig): Promise<void> {
    const built = buildTerminal({ name: c.id, port: c.port, profile: c.profile, ...(c.baudRate !== undefined ? { baudRate: c.baudRate } : {}), ...(c.expectedIssi ? { expectedIssi: c.expectedIssi } : {}), dmoReadyForDispatch: c.dmoReadyForDispatch, log: this.opts.log, incomingGate: this.incomingGate.promise });
    const radio: RadioTerminal = built.device;
    this.stops.push(() => built.stop());
    if (built.sim) this.terminalSimulators.set(c.id, built.sim);
    this.talkgroupReaders.set(c.id, built.talkgroupReader());
    const { bus, links } = this;
    // A terminal answering with another ISSI than configured (a swapped radio) keeps the link degraded,
    // whatever its PEI health says: alerts would otherwise go out under the wrong identity.
    const wrongIssi = (): string | undefined => {
      const issi = radio.state.identity.issi;
      return c.expectedIssi && issi && !sameSsi(issi, c.expectedIssi) ? `terminal ISSI ${issi} is not the configured ${c.expectedIssi}` : undefined;
    };
    const report = (): void => {
      const h = radio.health;
      const wrong = h.state === "ready" ? wrongIssi() : undefined;
      links.set(c.id, wrong ? "degraded" : h.state, wrong ?? h.detail);
    };
    radio.on("health", report);
    radio.on("state", (s) => {
      report();
      void bus.publishTerminalState(c.id, { id: c.id, port: c.port, profile: c.profile, ...terminalStateJson(s) }).catch((err: unknown) => this.opts.log.warn({ err, link: c.id }, "terminal state not published"));
    });
    radio.on("sds", (s) => void bus.publishSdsReceived({ terminal: c.id, ...receivedSdsJson(s) }).catch((err: unknown) => this.opts.log.warn({ err, link: c.id }, "incoming SDS not published")));
    radio.on("progress", (p) => void bus.publishSdsStatus(sdsStatusJson(c.id, p)).catch((err: unknown) => this.opts.log.warn({ err, link: c.id, id: p.id }, "SDS status not published")));
    links.set(c.id, "disconnected", "starting");
    this.terminals.set(c.id, radio);
    await radio.start();
  }

  private async addModem(c: ModemConfig, pinStore: PinStateStore): Promise<void> {
    const built = buildModem({
      name: c.id,
      port: c.port,
      profile: c.profile,
      ...(c.baudRate !== undefined ? { baudRate: c.baudRate } : {}),
      log: this.opts.log,
      stateDir: this.opts.config.stateDir,
      pinStore,
      receive: true,
      incomingGate: this.incomingGate.promise,
      ...(c.maxPerMinute !== undefined ? { maxPerMinute: c.maxPerMinute } : {}),
      ...(c.pin ? { pin: c.pin } : {}),
    });
    const modem: SmsModem = built.device;
    this.stops.push(() => built.stop());
    if (built.sim) this.modemSimulators.set(c.id, built.sim);
    modem.on("health", (h) => this.links.set(c.id, h.state, h.detail));
    modem.on("sms", (m) => void this.bus.publishSmsReceived(receivedSmsJson(m)).catch((err: unknown) => this.opts.log.warn({ err, link: c.id }, "incoming SMS not published")));
    modem.on("progress", (p) => void this.bus.publishSmsStatus(smsStatusJson(c.id, p)).catch((err: unknown) => this.opts.log.warn({ err, link: c.id, id: p.id }, "SMS status not published")));
    this.links.set(c.id, "disconnected", "starting");
    this.modems.set(c.id, modem);
    await modem.start();
  }
}

function usesSimPorts(config: GatewayConfig): boolean {
  return [...config.terminals, ...config.modems].some((l) => l.port.trim().startsWith("sim:")) || config.sip?.agent === "sim";
}
