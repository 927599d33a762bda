import { GatewayError } from "../../../src/shared/errors.js";
import type { Logger } from "../../../src/shared/logger.js";
import { MemoryPort } from "../../serial-link/memory-link.js";
import { SIM_MODEM_PRESETS, simModemPreset } from "./presets.js";
import { SimModem } from "./sim-modem.js";

/** A simulated modem from a preset (`sim:modem`, `sim:modem-pin`, …) serving an in-process memory port. */
export function startSimModemOnMemoryPort(name: string, log: Logger): { sim: SimModem; port: MemoryPort } {
  const preset = simModemPreset(name);
  if (!preset) throw new GatewayError("CLI_USAGE", `unknown simulated modem "sim:${name}" (known: ${Object.keys(SIM_MODEM_PRESETS).map((n) => `sim:${n}`).join(", ")})`);
  const sim = new SimModem({ ...preset, log });
  const port = new MemoryPort(name);
  sim.servePort(port);
  return { sim, port };
}
