import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { runCli, type CliResult } from "../../helpers/run-cli.js";

export type { CliResult };

const ROOT = resolve(import.meta.dirname, "../../..");

/** Runs `rakelgw` from source with the modem tests' defaults: logs off, a hard time limit. */
export function runModemCli(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<CliResult> {
  return runCli(args, { timeoutMs, env: { RAKELGW_LOG_LEVEL: "fatal", ...env } });
}

export interface RunningCli {
  stdout(): string;
  stderr(): string;
  /** SIGINT, then the exit code (SIGKILL after 5 s). */
  stop(): Promise<number | null>;
}

/** Starts a long-running `rakelgw` command (e.g. `simulate modem`) from source. */
export function startModemCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, ["--import", "tsx", resolve(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, RAKELGW_LOG_LEVEL: "fatal", NODE_NO_WARNINGS: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return {
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGINT");
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}
