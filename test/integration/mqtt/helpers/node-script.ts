import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnLines, type LineProc } from "./procs.js";

/** Runs a TypeScript fixture in its own Node process (through tsx), so a test can kill -9 it. */
export function runFixture(name: string, env: Record<string, string>): LineProc {
  const file = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return spawnLines(process.execPath, ["--import", tsx, file], { env: { ...process.env, ...env } });
}
