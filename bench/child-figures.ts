import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/**
 * Runs a TypeScript bench script in a Node process of its own (`node <nodeFlags> --import tsx <script> <args>`,
 * NODE_OPTIONS cleared so nothing of ours leaks in) and returns the JSON object on the last line it printed;
 * throws with the end of its stderr when it fails. For figures that must not share a heap or allocator with
 * the bench runner (V8 flags, resident memory).
 */
export function childFigures<T>(script: string, opts: { nodeFlags?: readonly string[]; args?: readonly string[]; env?: NodeJS.ProcessEnv; timeoutMs: number }): T {
  const r = spawnSync(process.execPath, [...(opts.nodeFlags ?? []), "--import", TSX, script, ...(opts.args ?? [])], {
    encoding: "utf8",
    timeout: opts.timeoutMs,
    env: { ...(opts.env ?? process.env), NODE_OPTIONS: "" },
  });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`bench child ${script} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as T;
}
