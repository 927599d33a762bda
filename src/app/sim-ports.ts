import { startSimModemOnMemoryPort } from "../../adapters/gsm-sms/sim/in-process.js";
import type { SimModem } from "../../adapters/gsm-sms/sim/sim-modem.js";
import { SimTerminal } from "../../adapters/rakel-pei/sim/index.js";
import type { SimTerminalConfig } from "../../adapters/rakel-pei/sim/sim-config.js";
import type { ByteLinkFactory } from "../../adapters/serial-link/byte-link.js";
import { MemoryPort } from "../../adapters/serial-link/memory-link.js";
import type { Logger } from "../shared/logger.js";

/**
 * `sim:<name>` ports: an in-process simulated device on a memory port. The CLI and `rakelgw demo` use them
 * freely (with a warning); the daemon only with --allow-sim, and its retained bridge state then says
 * `"simulated": true`. In a command centre a gateway silently talking to a simulator is an incident.
 */
export interface InProcessSim<S> {
  sim: S;
  port: MemoryPort;
  factory: ByteLinkFactory;
  stop: () => Promise<void>;
}

export function startInProcessSimulator(name: string, log: Logger, config: Partial<SimTerminalConfig> = {}): InProcessSim<SimTerminal> {
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
export function startInProcessModem(name: string, log: Logger): InProcessSim<SimModem> {
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
