import { runCli, spawnCli, type CliResult } from "./run-cli.js";

export type { CliResult };

/** Runs the built `rakelgw` with the modem tests' defaults: logs off, a hard time limit. */
export function runModemCli(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<CliResult> {
  return runCli(args, { timeoutMs, env: { RAKELGW_LOG_LEVEL: "fatal", ...env } });
}

export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** SIGINT, then the exit code (SIGKILL after 10 s: a loaded machine may need more than 5 s to stop socat and the simulator). */
  stop(): Promise<number | null>;
}

/** Starts a long-running built `rakelgw` command (e.g. `simulate modem`). */
export function startModemCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawnCli(args, { env: { RAKELGW_LOG_LEVEL: "fatal", ...env } });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGINT");
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
