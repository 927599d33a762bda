import { mkdirSync } from "node:fs";
import { GsmSmsAdapter } from "../../adapters/gsm-sms/gsm-sms-adapter.js";
import { loadModemProfile } from "../../adapters/gsm-sms/modem-profile.js";
import { PinStateStore } from "../../adapters/gsm-sms/pin-guard.js";
import type { SimModem } from "../../adapters/gsm-sms/sim/sim-modem.js";
import { startMqttGateway, type MqttGateway } from "../../adapters/mqtt/mqtt-gateway.js";
import { RakelPeiAdapter } from "../../adapters/rakel-pei/rakel-pei-adapter.js";
import { sameSsi } from "../../adapters/rakel-pei/sds-tracker.js";
import type { SimTerminal } from "../../adapters/rakel-pei/sim/index.js";
import { loadProfile } from "../../adapters/rakel-pei/terminal-profile.js";
import type { ByteLinkFactory } from "../../adapters/serial-link/byte-link.js";
import { linkFactoryFor, parsePortSpec } from "../../adapters/serial-link/open-port.js";
import { LinkHealthRegistry } from "../link-health/link-registry.js";
import type { MessageBus } from "../ports/message-bus.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { GatewayConfig, ModemConfig, TerminalConfig } from "./gateway-config.js";
import { receivedSdsJson, terminalStateJson } from "./presenters.js";
import { startInProcessModem, startInProcessSimulator } from "./sim-ports.js";
import { registerVerbs } from "./verbs.js";
import { startTalkgroupChecks } from "./talkgroup-wiring.js";
import { startOps, type Ops } from "./ops-wiring.js";
import type { TalkgroupCheckService } from "../talkgroups/check-service.js";

/**
 * The composition root of the daemon (with the CLI, the only code that imports adapters: README, *Layout*): config → logger → link registry → broker →
 * terminals → modems → verbs, stopped in reverse. One failed radio or modem degrades its own link; it never
 * stops the process.
 */
export interface GatewayOptions {
  config: GatewayConfig;
  log: Logger;
  version: string;
  /** `sim:` ports allowed (demo, tests); the retained bridge state then says "simulated": true. */
  allowSim: boolean;
  /** An MQTT side started by the caller (the demo's broker); otherwise one is started from config.mqtt. */
  mqtt?: MqttGateway;
  /** Where the configuration came from (for /readyz). */
  configPath?: string;
}

export class Gateway {
  readonly terminals = new Map<string, RakelPeiAdapter>();
  readonly modems = new Map<string, GsmSmsAdapter>();
  /** The simulators behind `sim:` ports, by link id (demo and tests drive them). */
  readonly simTerminals = new Map<string, SimTerminal>();
  readonly simModems = new Map<string, SimModem>();
  /** Talk-group checks of the terminals that name a plan. */
  talkgroups: TalkgroupCheckService | undefined;
  /** State view, metrics and the status page. */
  ops: Ops | undefined;
  private readonly stops: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly opts: GatewayOptions,
    readonly links: LinkHealthRegistry,
    readonly mqtt: MqttGateway,
  ) {}

  get bus(): MessageBus {
    return this.mqtt.bus;
  }

  static async start(opts: GatewayOptions): Promise<Gateway> {
    const { config, log } = opts;
    mkdirSync(config.stateDir, { recursive: true });
    const simulated = [...config.terminals, ...config.modems].some((l) => l.port.startsWith("sim:"));
    if (simulated && !opts.allowSim) throw new GatewayError("CFG_INVALID", "the configuration uses sim: ports; start with --allow-sim to run on simulated hardware");
    const links = opts.mqtt?.links ?? new LinkHealthRegistry({ log });
    const mqtt = opts.mqtt ?? (await startMqttGateway({ config: config.mqtt, log, version: opts.version, simulated, links }));
    const gw = new Gateway(opts, links, mqtt);
    try {
      for (const t of config.terminals) await gw.addTerminal(t);
      const pinStore = new PinStateStore(`${config.stateDir}/sim-pin-state.json`);
      for (const m of config.modems) await gw.addModem(m, pinStore);
      gw.talkgroups = startTalkgroupChecks({
        terminals: config.terminals.map((c) => ({ config: c, radio: gw.terminals.get(c.id)! })),
        stateDir: config.stateDir,
        bus: gw.bus,
        log,
      });
      gw.stops.push(() => gw.talkgroups!.stop());
      registerVerbs(gw);
      gw.ops = await startOps(gw, opts.configPath);
      gw.stops.push(() => gw.ops!.stop());
    } catch (err) {
      await gw.stop();
      throw err;
    }
    log.info({ site: config.site, terminals: config.terminals.length, modems: config.modems.length, simulated }, "gateway started");
    return gw;
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const stop of this.stops.reverse()) await stop().catch((err: unknown) => this.opts.log.error({ err }, "stop step failed"));
      if (!this.opts.mqtt) await this.mqtt.stop();
    })();
    return this.stopping;
  }

  private factoryFor(id: string, port: string, baudRate: number, rtscts: boolean, kind: "terminal" | "modem"): ByteLinkFactory {
    const spec = parsePortSpec(port);
    if (spec.kind !== "sim") return linkFactoryFor(spec, { baudRate, rtscts });
    this.opts.log.warn({ link: id, port }, "SIMULATED device: not a real radio or modem");
    if (kind === "terminal") {
      const s = startInProcessSimulator(spec.name, this.opts.log);
      this.simTerminals.set(id, s.sim);
      this.stops.push(s.stop);
      return s.factory;
    }
    const s = startInProcessModem(spec.name, this.opts.log);
    this.simModems.set(id, s.sim);
    this.stops.push(s.stop);
    return s.factory;
  }

  private async addTerminal(c: TerminalConfig): Promise<void> {
    const profile = loadProfile(c.profile);
    const factory = this.factoryFor(c.id, c.port, c.baudRate ?? profile.serial.baudRate, profile.serial.rtscts, "terminal");
    const radio = new RakelPeiAdapter({ name: c.id, log: this.opts.log, profile, linkFactory: factory });
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
    links.set(c.id, "disconnected", "starting");
    this.terminals.set(c.id, radio);
    this.stops.push(() => radio.stop());
    await radio.start();
  }

  private async addModem(c: ModemConfig, pinStore: PinStateStore): Promise<void> {
    const profile = loadModemProfile(c.profile);
    const factory = this.factoryFor(c.id, c.port, c.baudRate ?? profile.serial.baudRate, profile.serial.rtscts, "modem");
    const modem = new GsmSmsAdapter({
      name: c.id,
      log: this.opts.log,
      profile,
      linkFactory: factory,
      stateDir: this.opts.config.stateDir,
      pinStore,
      receive: true,
      ...(c.pin ? { pin: c.pin } : {}),
    });
    modem.on("health", (h) => this.links.set(c.id, h.state, h.detail));
    this.links.set(c.id, "disconnected", "starting");
    this.modems.set(c.id, modem);
    this.stops.push(() => modem.stop());
    await modem.start();
  }
}
