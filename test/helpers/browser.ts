import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/**
 * Debian's chromium driven headless by playwright-core (no browser download), with a fresh profile per
 * context. Screenshots go to test-output/screenshots/ (kept by CI as an artifact).
 */
export const CHROMIUM = process.env["RAKELGW_CHROMIUM"] ?? "/usr/bin/chromium";
export const SCREENSHOTS = resolve(import.meta.dirname, "../../test-output/screenshots");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function openBrowser(viewport = { width: 1920, height: 1080 }): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "rakelgw-chromium-"));
  // launchPersistentContext passes the fresh profile as --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport, locale: "sv-SE", timeout: 30_000 });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
