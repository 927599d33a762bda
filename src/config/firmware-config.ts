import { readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GatewayError } from "../shared/errors.js";

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
