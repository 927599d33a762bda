/**
 * A reconnect storm's password checks: 50 logins at once through the broker's check slots
 * (`limits.maxConcurrentLogins`, adapters/mqtt/broker/check-slots.ts) with the default scrypt hash
 * (N=16384, r=8: 16 MiB per check while it runs), at 1, 2 and 4 checks at once. Each setting runs in a
 * process of its own with the service's malloc settings (src/shared/malloc-env.ts), three times, alternated:
 * the time until the last login is answered and the most resident memory above the process's start,
 * sampled every 2 ms (the checks run on libuv's pool threads, so the sampling thread stays free).
 * Run: `npm run bench -- login-storm`.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { childFigures } from "./child-figures.js";
import { hashPassword, verifyPassword } from "../adapters/mqtt/auth/password-hash.js";
import { CheckSlots } from "../adapters/mqtt/broker/check-slots.js";
import { LimitsSchema } from "../adapters/mqtt/mqtt-config.js";
import { withMallocDefaults } from "../src/shared/malloc-env.js";

const LOGINS = 50;
const DEFAULT_LIMIT = LimitsSchema.properties.maxConcurrentLogins.default as number;
const SELF = fileURLToPath(import.meta.url);

async function child(limit: number): Promise<void> {
  const hash = await hashPassword("s3cret");
  const slots = new CheckSlots(limit, LOGINS);
  const base = process.memoryUsage.rss();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 2);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: LOGINS }, async () => {
      const release = await slots.acquire();
      try {
        return await verifyPassword("s3cret", hash);
      } finally {
        release?.();
      }
    }),
  );
  const ms = performance.now() - t0;
  clearInterval(sampler);
  console.log(JSON.stringify({ ms, peakMiB: (peak - base) / 2 ** 20 }));
}

/** Synchronous under the hood (the children run one after another); a promise for the bench runner. */
export function run(): Promise<Record<string, number>> {
  const limits = [1, 2, 4];
  const runs = new Map<number, { ms: number; peakMiB: number }[]>(limits.map((l) => [l, []]));
  for (let i = 0; i < 3; i++) {
    for (const l of limits) {
      runs.get(l)!.push(childFigures<{ ms: number; peakMiB: number }>(SELF, { args: ["--child", String(l)], env: withMallocDefaults(process.env), timeoutMs: 120_000 }));
    }
  }
  const out: Record<string, number> = {};
  for (const [l, rs] of runs) {
    const mean = (f: (r: { ms: number; peakMiB: number }) => number): number => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    const key = `login_storm.${LOGINS}_logins_at_${l}${l === DEFAULT_LIMIT ? "_default" : ""}`;
    out[`${key}_ms`] = Math.round(mean((r) => r.ms));
    out[`${key}_most_rss_above_start_mib`] = Math.round(Math.max(...rs.map((r) => r.peakMiB)));
  }
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(56)} ${v}`);
  return Promise.resolve(out);
}

if (process.argv[2] === "--child") await child(Number(process.argv[3]));
else if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await run();
  process.exit(0);
}
