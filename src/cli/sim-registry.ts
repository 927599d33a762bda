import { SimTerminal } from "../../adapters/rakel-pei/sim/index.js";
import type { SimTerminalConfig } from "../../adapters/rakel-pei/sim/sim-config.js";
import type { ByteLinkFactory } from "../../adapters/serial-link/byte-link.js";
import { MemoryPort } from "../../adapters/serial-link/memory-link.js";
import type { Logger } from "../shared/logger.js";

/**
 * `--port sim:<name>`: an in-process simulated terminal on a memory port. Only the CLI and `rakelgw demo`
 * use it; the daemon refuses `sim:` ports unless started with --allow-sim.
 */
export interface InProcessSim {
  sim: SimTerminal;
  port: MemoryPort;
  factory: ByteLinkFactory;
  stop: () => Promise<void>;
}

export function startInProcessSimulator(name: string, log: Logger, config: Partial<SimTerminalConfig> = {}): InProcessSim {
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
