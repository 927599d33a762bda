import { GsmSmsAdapter, type GsmSmsAdapterOptions } from "../../../adapters/gsm-sms/gsm-sms-adapter.js";
import { loadModemProfile } from "../../../adapters/gsm-sms/modem-profile.js";
import type { SimModem } from "../../../adapters/gsm-sms/sim/sim-modem.js";
import { RakelPeiAdapter } from "../../../adapters/rakel-pei/rakel-pei-adapter.js";
import type { SimTerminal } from "../../../adapters/rakel-pei/sim/index.js";
import { PeiTalkgroupReader } from "../../../adapters/rakel-pei/talkgroups/pei-talkgroup-reader.js";
import { loadProfile } from "../../../adapters/rakel-pei/terminal-profile.js";
import type { ByteLinkFactory } from "../../../adapters/serial-link/byte-link.js";
import { linkFactoryFor, parsePortSpec, type PortSpec } from "../../../adapters/serial-link/open-port.js";
import type { TalkgroupReader } from "../../ports/talkgroup-reader.js";
import { GatewayError, isGatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { startSimulatedModem, startSimulatedTerminal, type InProcessSim } from "./simulated-devices.js";

/**
 * The one device factory: a port spec (`/dev/…`, `tcp://host:port`, `sim:<name>`) and a profile id become a
 * device behind its adapter, real or simulated. The daemon (src/app/gateway.ts), the CLI's one-shot sessions
 * (src/cli/terminal-session.ts, src/cli/modem-session.ts) and through the daemon the demo all build their
 * devices here; `sim:` ports are resolved only here.
 *
 * The device comes back created, not started: callers attach their listeners first, then `start()`.
 * `stop()` stops the device and then the simulator behind it, if any.
 */
export interface BuiltDevice<D, S> {
  device: D;
  /** The in-process simulator behind a `sim:` port. */
  sim: S | undefined;
  spec: PortSpec;
  profileId: string;
  /** The last failure to open the port (LINK_OPEN_FAILED), cleared by a successful open. */
  openFailure: () => GatewayError | undefined;
  stop(): Promise<void>;
}

interface CommonDeviceOptions {
  port: string;
  /** Profile id (firmware-config/…); the generic profile when absent. */
  profile?: string;
  /** Overrides the profile's baud rate. */
  baudRate?: number;
  log: Logger;
  /** Adapter name (logs, link id); `sim-<name>` or the device kind when absent. */
  name?: string;
  /** Told once when the port is a simulator (the CLI prints it on stderr; the log always gets a warning). */
  onSimulated?: (message: string) => void;
}

export interface TerminalDeviceOptions extends CommonDeviceOptions {
  /** Override the profile's idle heartbeat; 0 switches it off (short CLI commands). */
  heartbeatMs?: number;
  /** Direct mode (DMO) counts as ready for dispatch (site config); default false. */
  dmoReadyForDispatch?: boolean;
  /** The ISSI the terminal must have; sends through another radio are refused (LINK_TERMINAL_MISMATCH). */
  expectedIssi?: string;
  /** Incoming SDS are handed on once this settles (RakelPeiAdapterOptions.incomingGate). */
  incomingGate?: Promise<void>;
}

export type ModemDeviceOptions = CommonDeviceOptions & Omit<GsmSmsAdapterOptions, "name" | "log" | "profile" | "linkFactory">;

/** A terminal, plus the talk-group reader built on it. */
export type BuiltTerminal = BuiltDevice<RakelPeiAdapter, SimTerminal> & { talkgroupReader(): TalkgroupReader };

export const DEFAULT_TERMINAL_PROFILE = "etsi-generic";
export const DEFAULT_MODEM_PROFILE = "generic-27005";

interface ResolvedPort<S> {
  spec: PortSpec;
  factory: ByteLinkFactory;
  sim: InProcessSim<S> | undefined;
  openFailure: () => GatewayError | undefined;
}

/** Resolves the port: a link factory for serial/TCP, or a started in-process simulator for `sim:`. */
function resolvePort<S>(o: CommonDeviceOptions, kind: "terminal" | "modem", serial: { baudRate: number; rtscts: boolean }, startSim: (name: string) => InProcessSim<S>): ResolvedPort<S> {
  const spec = parsePortSpec(o.port);
  let sim: InProcessSim<S> | undefined;
  let open: ByteLinkFactory;
  if (spec.kind === "sim") {
    sim = startSim(spec.name);
    o.log.warn({ link: o.name, port: o.port }, "SIMULATED device: not a real radio or modem");
    o.onSimulated?.(`${o.port} is a SIMULATED ${kind === "terminal" ? "terminal, not a radio" : "modem, not a real one"}`);
    open = sim.factory;
  } else {
    open = linkFactoryFor(spec, { baudRate: o.baudRate ?? serial.baudRate, rtscts: serial.rtscts });
  }
  // Remember why the port could not be opened, by its error code: a one-shot command reports it at once.
  let failure: GatewayError | undefined;
  const factory: ByteLinkFactory = async () => {
    try {
      const link = await open();
      failure = undefined;
      return link;
    } catch (err) {
      failure = isGatewayError(err, "LINK_OPEN_FAILED") ? err : new GatewayError("LINK_OPEN_FAILED", `cannot open ${o.port}: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  };
  return { spec, factory, sim, openFailure: () => failure };
}

function nameOf(o: CommonDeviceOptions, spec: PortSpec, kind: string): string {
  return o.name ?? (spec.kind === "sim" ? `sim-${spec.name}` : kind);
}

/** A Rakel terminal behind the PEI adapter. */
export function buildTerminal(o: TerminalDeviceOptions): BuiltTerminal {
  const profileId = o.profile ?? DEFAULT_TERMINAL_PROFILE;
  const profile = loadProfile(profileId);
  const { spec, factory, sim, openFailure } = resolvePort(o, "terminal", profile.serial, (name) => startSimulatedTerminal(name, o.log));
  const radio = new RakelPeiAdapter({ name: nameOf(o, spec, "terminal"), log: o.log, profile, linkFactory: factory, ...(o.heartbeatMs !== undefined ? { heartbeatMs: o.heartbeatMs } : {}), ...(o.expectedIssi ? { expectedIssi: o.expectedIssi } : {}), ...(o.dmoReadyForDispatch !== undefined ? { dmoReadyForDispatch: o.dmoReadyForDispatch } : {}), ...(o.incomingGate ? { incomingGate: o.incomingGate } : {}) });
  return {
    device: radio,
    sim: sim?.sim,
    spec,
    profileId,
    openFailure,
    talkgroupReader: () => new PeiTalkgroupReader({ terminal: radio }),
    stop: async () => {
      await radio.stop().catch(() => undefined);
      await sim?.stop();
    },
  };
}

/** A GSM/LTE modem behind the 27.005 adapter. */
export function buildModem(o: ModemDeviceOptions): BuiltDevice<GsmSmsAdapter, SimModem> {
  const { port: _port, profile: _profile, baudRate: _baud, log, name: _name, onSimulated: _warn, ...adapterOptions } = o;
  const profileId = o.profile ?? DEFAULT_MODEM_PROFILE;
  const profile = loadModemProfile(profileId);
  const { spec, factory, sim, openFailure } = resolvePort(o, "modem", profile.serial, (name) => startSimulatedModem(name, log));
  const modem = new GsmSmsAdapter({ ...adapterOptions, name: nameOf(o, spec, "modem"), log, profile, linkFactory: factory });
  return {
    device: modem,
    sim: sim?.sim,
    spec,
    profileId,
    openFailure,
    stop: async () => {
      await modem.stop().catch(() => undefined);
      await sim?.stop();
    },
  };
}
