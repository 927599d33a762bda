import { readFileSync, readdirSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The status page's files (`adapters/http/static/`: HTML, CSS, one small script, no build step), read
 * once at start from the package whether the program runs from the source tree or from `dist/`.
 */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src: adapters/http/; built: dist/adapters/http/ (the files stay in the package's adapters/http/static).
  for (const up of [".", "../../../adapters/http"]) {
    const p = resolve(here, up, "static");
    try {
      readdirSync(p);
      return p;
    } catch {
      // try the next candidate
    }
  }
  throw new Error("adapters/http/static not found next to the program");
}

/** Every file of the static folder by name. */
export function loadStaticFiles(): Map<string, StaticFile> {
  const dir = staticDir();
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return files;
}
