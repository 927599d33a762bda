import type { Command } from "commander";
import { loadGatewayConfig } from "../../app/gateway-config.js";
import { isGatewayError } from "../../shared/errors.js";
import { runDaemon } from "../../app/daemon.js";
import { ProblemExit } from "../output.js";

interface RunOpts {
  config: string;
  allowSim?: boolean;
}

/** `rakelgw config check FILE`: lists every problem as `path: reason`; exit 0 valid, 1 invalid. */
function configCheck(file: string, o: { allowSim?: boolean; json?: boolean }): void {
  try {
    const { config, warnings } = loadGatewayConfig(file, o.allowSim ?? false);
    if (o.json) process.stdout.write(JSON.stringify({ valid: true, problems: [], warnings, site: config.site, terminals: config.terminals.length, modems: config.modems.length }) + "\n");
    else {
      for (const w of warnings) process.stdout.write(`warning ${w}\n`);
      process.stdout.write(`${file}: valid (site ${config.site}, ${config.terminals.length} terminal(s), ${config.modems.length} modem(s))\n`);
    }
  } catch (err) {
    if (!isGatewayError(err, "CFG_INVALID")) throw err;
    const problems = (err.context["problems"] as string[] | undefined) ?? [err.message];
    if (o.json) process.stdout.write(JSON.stringify({ valid: false, problems }) + "\n");
    else for (const p of problems) process.stdout.write(`${p}\n`);
    throw new ProblemExit(`${problems.length} problem(s)`);
  }
}

export function registerRunCommands(program: Command, version: string): void {
  program
    .command("run")
    .description("the daemon: terminals, modems and the MQTT broker from a configuration file")
    .requiredOption("--config <file>", "configuration (JSON); check it with `rakelgw config check`")
    .option("--allow-sim", "allow sim: ports (simulated hardware); never in a command centre")
    .action(async (o: RunOpts) => {
      const g = program.opts<{ logLevel?: string; prettyLog?: boolean }>();
      const levelGiven = program.getOptionValueSource("logLevel") === "cli";
      await runDaemon({ configPath: o.config, allowSim: o.allowSim ?? false, version, pretty: g.prettyLog ?? false, ...(levelGiven && g.logLevel ? { logLevel: g.logLevel } : {}) });
    });
  const config = program.command("config").description("configuration files");
  config
    .command("check")
    .description("validate a configuration without starting; lists every problem as path: reason")
    .argument("<file>")
    .option("--allow-sim", "accept sim: ports")
    .option("--json", "JSON output")
    .action((file: string, o: { allowSim?: boolean; json?: boolean }) => configCheck(file, o));
}
