import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { createRootLogger, type Logger } from "../shared/logger.js";
import { registerSdsCodecCommands } from "./commands/sds-codec.js";
import { registerSdsRadioCommands } from "./commands/sds-radio.js";
import { registerSimulateCommands } from "./commands/simulate.js";
import { registerTerminalCommands } from "./commands/terminal-info.js";
import { registerDemoCommand } from "./commands/demo.js";
import { registerModemCommands } from "./commands/modem.js";
import { registerSmsCommands } from "./commands/sms.js";
import { registerRunCommands } from "./commands/run.js";
import { registerUsersCommands } from "./commands/users.js";
import { registerTalkgroupsCommands } from "./commands/talkgroups.js";
import { registerConferenceCommands } from "./commands/conference.js";
import { registerAlertCommands } from "./commands/alert.js";
import { EXIT_CANNOT_RUN, EXIT_PROBLEM, ProblemExit, errorLine } from "./output.js";

/**
 * `rakelgw`: one entry for the daemon, the demo and the technicians' commands. Logs go to stderr (JSON, or
 * pretty with --pretty-log) so stdout carries only the command's result.
 */
const version = packageVersion();

/** The version in package.json (found from the source and the built tree alike). */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "rakel-edge-gateway" && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return "0.0.0";
}

export function buildProgram(): Command {
  const program = new Command("rakelgw")
    .description("Rakel edge gateway: TETRA PEI terminals, SMS modems and MQTT for command centres")
    .version(version)
    .option("--log-level <level>", "fatal|error|warn|info|debug|trace", process.env["RAKELGW_LOG_LEVEL"] ?? "error")
    .option("--pretty-log", "human-readable log lines on stderr")
    .exitOverride()
    // Usage errors from the parser in the one-line form of docs/mqtt-interface.md: `error <CODE>: … (<what to do>)`.
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`error CLI_USAGE: ${s.replace(/^error: /, "").trim()} (see --help)\n`),
    });
  let logger: Logger | undefined;
  const log = (): Logger => {
    if (!logger) {
      const o = program.opts<{ logLevel: string; prettyLog?: boolean }>();
      logger = createRootLogger({ level: o.logLevel, pretty: o.prettyLog ?? false, destination: 2 });
    }
    return logger;
  };
  registerRunCommands(program, version);
  registerTerminalCommands(program, log);
  const sds = program.command("sds").description("SDS messages: send, listen, encode, decode");
  registerSdsRadioCommands(sds, log);
  registerSdsCodecCommands(sds);
  registerSimulateCommands(program, log);
  // After "simulate": adds `simulate modem` to that group.
  registerModemCommands(program, log);
  registerSmsCommands(program, log);
  registerUsersCommands(program, log);
  registerTalkgroupsCommands(program, log);
  registerConferenceCommands(program);
  registerAlertCommands(program);
  registerDemoCommand(program, log, version);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : EXIT_CANNOT_RUN;
    }
    if (err instanceof ProblemExit) return EXIT_PROBLEM;
    const { line, exitCode } = errorLine(err);
    process.stderr.write(line + "\n");
    return exitCode;
  }
}

/** Runs the command line and exits with its code (what src/main.ts, the `rakelgw` entry point, calls). */
export function runAsProcess(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
      // Give pino's async destination a moment to flush, then leave even if a handle lingers.
      setTimeout(() => process.exit(code), 50).unref();
    },
    (err: unknown) => {
      process.stderr.write(`error INTERNAL: ${String(err)}\n`);
      process.exit(EXIT_CANNOT_RUN);
    },
  );
}

// Kept runnable for installed unit files and scripts that still name dist/src/cli/main.js; src/main.ts is the entry.
if (import.meta.url === `file://${process.argv[1]}` || /cli\/main\.[jt]s$/.test(process.argv[1] ?? "")) runAsProcess(process.argv);
