import type { Command } from "commander";
import { SimTerminal, runOnPty } from "../../../adapters/rakel-pei/sim/index.js";
import type { SimTerminalConfig } from "../../../adapters/rakel-pei/sim/sim-config.js";
import { readFileSync } from "node:fs";
import { GatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";

interface SimOpts {
  link: string;
  config?: string;
  issi?: string;
  injectEvery?: string;
}

function loadSimConfig(o: SimOpts): Partial<SimTerminalConfig> {
  let config: Partial<SimTerminalConfig> = {};
  if (o.config) {
    try {
      config = JSON.parse(readFileSync(o.config, "utf8")) as Partial<SimTerminalConfig>;
    } catch (err) {
      throw new GatewayError("CFG_INVALID", `cannot read simulator config ${o.config}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (o.issi) {
    if (!/^\d{1,8}$/.test(o.issi)) throw new GatewayError("CLI_USAGE", `--issi must be 1-8 digits, got "${o.issi}"`);
    config.issi = o.issi;
  }
  return config;
}

/**
 * `rakelgw simulate terminal --link PATH`: a simulated Rakel terminal behind a pseudo-terminal whose slave is
 * linked at PATH, for bench tests with any serial software. Prints what the host sends and injects nothing
 * by itself; runs until Ctrl-C.
 */
async function simulateTerminal(o: SimOpts, log: Logger): Promise<void> {
  const sim = new SimTerminal({ log, config: loadSimConfig(o) });
  const session = await runOnPty(o.link, sim, { log });
  const ownIssi = sim.config.issi;
  process.stderr.write(
    `simulated Rakel terminal (ISSI ${ownIssi}) on ${o.link}${session.ptsPath ? ` -> ${session.ptsPath}` : ""}\n` +
      `try: rakelgw terminal info --port ${o.link}\n` +
      `     rakelgw sds send --port ${o.link} --to 2009999 --text "Hej" --report received\n` +
      `     rakelgw sds listen --port ${o.link}${o.injectEvery ? "" : "   (start this simulator with --inject-every 5 to receive test messages)"}\n` +
      `Ctrl-C to stop\n`,
  );
  sim.on("sds-sent", (s) => process.stdout.write(JSON.stringify({ event: "sds-sent", to: s.destination, aiService: s.aiService, bits: s.bits, hex: s.hex, payload: s.decoded }) + "\n"));
  sim.on("warning", (m) => process.stderr.write(`warning: ${m}\n`));
  const every = o.injectEvery === undefined ? 0 : Number(o.injectEvery);
  if (o.injectEvery !== undefined && !(every >= 1 && every <= 3600)) throw new GatewayError("CLI_USAGE", `--inject-every must be 1-3600 seconds, got "${o.injectEvery}"`);
  let n = 0;
  const injector = every > 0 ? setInterval(() => sim.injectText("2009999", `Provmeddelande ${++n} från simulatorn`), every * 1000) : undefined;
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  if (injector) clearInterval(injector);
  await session.stop();
  sim.stop();
}

export function registerSimulateCommands(program: Command, log: () => Logger): void {
  const simulate = program.command("simulate").description("run a simulated device on a pseudo-terminal");
  simulate
    .command("terminal")
    .description("simulated Rakel terminal; its tty is linked at --link PATH")
    .requiredOption("--link <path>", "where to create the pseudo-terminal symlink, e.g. /tmp/rakel-sim")
    .option("--config <file>", "simulator configuration (JSON, see adapters/rakel-pei/sim/sim-config.ts)")
    .option("--issi <ssi>", "own ISSI of the simulated terminal")
    .option("--inject-every <s>", "send a test text SDS from ISSI 2009999 to the host every s seconds")
    .action((o: SimOpts) => simulateTerminal(o, log()));
}
