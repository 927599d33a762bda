import { startSimModemOnMemoryPort } from "../../../adapters/gsm-sms/sim/in-process.js";
import type { SimModem } from "../../../adapters/gsm-sms/sim/sim-modem.js";
import { SimTerminal } from "../../../adapters/rakel-pei/sim/index.js";
import type { SimTerminalConfig } from "../../../adapters/rakel-pei/sim/sim-config.js";
import type { ByteLinkFactory } from "../../../adapters/serial-link/byte-link.js";
import { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { GatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";

/**
 * `sim:<name>` ports: an in-process simulated device on a memory port, resolved here and nowhere else (the
 * device factory calls it). The CLI and `rakelgw demo` use them freely (with a warning); the daemon only with
 * --allow-sim, and its retained bridge state then says `"simulated": true`. In a command centre a gateway
 * silently talking to a simulator is an incident.
 */
export interface InProcessSim<S> {
  sim: S;
  port: MemoryPort;
  factory: ByteLinkFactory;
  stop: () => Promise<void>;
}

/** What the demo and tests drive on a simulated terminal: its identity and the air side (peers sending). */
export interface TerminalSimulator {
  readonly config: { readonly issi: string };
  injectText(from: string, text: string): unknown;
  injectStatus(from: string, value: number): unknown;
  injectLip(from: string, latitude: number, longitude: number): unknown;
}

/** Simulated terminal names: `sim:terminal`, `sim:terminal-<name>`, `sim:radio`, `sim:radio-<name>`. */
const TERMINAL_SIM_NAME = /^terminal(-[\w.-]+)?$|^radio(-[\w.-]+)?$/;

export function startSimulatedTerminal(name: string, log: Logger, config: Partial<SimTerminalConfig> = {}): InProcessSim<SimTerminal> {
  if (!TERMINAL_SIM_NAME.test(name)) throw new GatewayError("CLI_USAGE", `unknown simulated terminal "sim:${name}" (use sim:terminal, or sim:terminal-<name> for another one)`);
  const sim = new SimTerminal({ log, config });
  const port = new MemoryPort(name);
  const off = sim.servePort(port);
  return {
    sim,
    port,
    factory: port.factory,
    stop: () => {
      off();
      sim.stop();
      return Promise.resolve();
    },
  };
}

/** A simulated modem from a preset (`sim:modem`, `sim:modem-pin`, …). */
export function startSimulatedModem(name: string, log: Logger): InProcessSim<SimModem> {
  const { sim, port } = startSimModemOnMemoryPort(name, log);
  return {
    sim,
    port,
    factory: port.factory,
    stop: () => {
      sim.stop();
      return Promise.resolve();
    },
  };
}
