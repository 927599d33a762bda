import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Static, TSchema } from "@sinclair/typebox";
import { fileURLToPath } from "node:url";
import { GatewayError } from "../shared/errors.js";
import { validateAgainst } from "./validate.js";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A folder of `firmware-config/` (`terminals`, `modems`, `talkgroups`, `sites`), found next to the program
 * whether it runs from the source tree (src/config/) or the built one (dist/src/config/).
 */
export function firmwareConfigDir(sub: string): string {
  for (const up of ["../../firmware-config", "../../../firmware-config"]) {
    const p = resolve(here, up, sub);
    try {
      readdirSync(p);
      return p;
    } catch {
      // try the next candidate
    }
  }
  throw new GatewayError("CFG_INVALID", `firmware-config/${sub} not found next to the program`);
}

/** Names (file names without the extension) of the files in `dir` whose names match `ext`, sorted. */
export function listConfigNames(dir: string, ext: RegExp = /\.json$/): string[] {
  return [...new Set(readdirSync(dir).filter((f) => ext.test(f)).map((f) => f.replace(ext, "")))].sort();
}

/**
 * Loads one JSON file of a `firmware-config/` folder by id (`etsi-generic`) or by path (`…/x.json`) and
 * validates it; an unknown id is answered with the ids that exist. `what` names the kind in messages.
 */
export function loadConfigFile<S extends TSchema>(sub: string, idOrPath: string, schema: S, what: string): { value: Static<S>; path: string } {
  const byPath = idOrPath.endsWith(".json");
  const dir = byPath ? "" : firmwareConfigDir(sub);
  const path = byPath ? idOrPath : join(dir, `${idOrPath}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const known = byPath ? "" : ` (known ${what}s: ${listConfigNames(dir).join(", ")})`;
    throw new GatewayError("CFG_INVALID", `cannot read ${what} ${idOrPath}: ${(err as Error).message}${known}`, { cause: err });
  }
  return { value: validateAgainst(schema, raw, path), path };
}

/** A command that resets or reboots the device (V.250 Z and &F, also inside a basic-command line such as ATE0Z). */
export function resetsDevice(command: string): boolean {
  return /^AT(?:&?[A-Z][0-9]*)*?(?:Z|&F)/i.test(command.replace(/\s+/g, ""));
}
