import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** The built `rakelgw` bin, as package.json names it. `npm run test:e2e` and `npm test` build it first. */
export const CLI_ENTRY = resolve(ROOT, (JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { bin: { rakelgw: string } }).bin.rakelgw);

let checked = false;

/**
 * Throws unless dist/ holds a build at least as new as every source file: an e2e test must never pass or
 * fail because of a stale build. Checked once per test file.
 */
export function assertFreshBuild(): void {
  if (checked) return;
  let built: number;
  try {
    built = statSync(CLI_ENTRY).mtimeMs;
  } catch {
    throw new Error(`${CLI_ENTRY} is missing: the e2e tests run the built CLI; run \`npm run build\` (npm run test:e2e does)`);
  }
  const newest = (dir: string): { file: string; at: number } => {
    let best = { file: "", at: 0 };
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const cand = e.isDirectory() ? newest(p) : e.name.endsWith(".ts") ? { file: p, at: statSync(p).mtimeMs } : best;
      if (cand.at > best.at) best = cand;
    }
    return best;
  };
  for (const dir of ["src", "adapters"]) {
    const n = newest(resolve(ROOT, dir));
    if (n.at > built) throw new Error(`dist/ is older than ${n.file}: run \`npm run build\` (npm run test:e2e does)`);
  }
  checked = true;
}

/** The path of the built CLI for `spawn(process.execPath, [builtCli(), …])`, after checking the build is fresh. */
export function builtCli(): string {
  assertFreshBuild();
  return CLI_ENTRY;
}

/** Starts the built `rakelgw` bin (`node dist/src/main.js <args>`) with logs at error level unless `env` says otherwise. */
export function spawnCli(args: string[], opts: { env?: Record<string, string>; stdio?: SpawnOptions["stdio"] } = {}): ChildProcess {
  assertFreshBuild();
  return spawn(process.execPath, [CLI_ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, RAKELGW_LOG_LEVEL: "error", NODE_NO_WARNINGS: "1", ...opts.env },
    stdio: opts.stdio ?? ["ignore", "pipe", "pipe"],
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `rakelgw` as a user would, with a hard time limit. */
export function runCli(args: string[], opts: { timeoutMs?: number; onStdout?: (chunk: string) => void; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnCli(args, { env: opts.env });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(d.toString());
    });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`rakelgw ${args.join(" ")} did not finish in ${opts.timeoutMs ?? 20000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}
