/**
 * SMS throughput. (1) encodes/s: text → SMS-SUBMIT PDUs with the codec, mixed 1-3 part texts. (2) messages
 * per minute through the whole adapter (queue, rate limiter, AT engine, "> " prompt, PDU) to the simulated
 * modem, whose network takes a fixed time per `AT+CMGS`. Real modems take "several seconds" per CMGS
 * (~3 s on real networks); the run is scaled down (3 s → 30 ms and 100 ms) and compared with the limit that
 * delay sets (one CMGS at a time: 60 000 / delay per minute). Run: `npx tsx bench/sms.bench.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GsmSmsAdapter } from "../adapters/gsm-sms/gsm-sms-adapter.js";
import { loadModemProfile } from "../adapters/gsm-sms/modem-profile.js";
import { encodeSubmit } from "../adapters/gsm-sms/pdu/index.js";
import { SimModem } from "../adapters/gsm-sms/sim/sim-modem.js";
import { MemoryPort } from "../adapters/serial-link/memory-link.js";
import { silentLogger } from "../src/shared/logger.js";

const TEXTS = [
  "Larm: Brand i byggnad, Åkervägen 12, Östra Ängby. Kvittera med JA.",
  "Samverkanskonferens aktiverad kl 16:00, ring in på 08-123 456 78, PIN 4711#. ".repeat(3),
  "Inkallning 🚒 RIB-styrka 2, svara JA/NEJ 🙏",
];

function encodesPerSecond(ms: number): number {
  let n = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let k = 0; k < 50; k++, n++) sink += encodeSubmit({ to: "+46701234567", text: TEXTS[n % TEXTS.length]!, reference: n & 0xff, statusReport: true }).parts;
    now = performance.now();
  }
  if (sink < 0) console.log(sink);
  return Math.round((n * 1000) / (now - start));
}

/** Sends `count` single-part messages through adapter + simulator with `cmgsDelayMs` per submission. */
async function messagesPerMinute(cmgsDelayMs: number, count: number): Promise<{ perMinute: number; limit: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), "rakelgw-bench-"));
  const port = new MemoryPort("bench");
  const sim = new SimModem({ config: { cmgsDelayMs } });
  sim.servePort(port);
  const profile = loadModemProfile("generic-27005");
  const modem = new GsmSmsAdapter({ name: "bench", log: silentLogger(), profile, linkFactory: port.factory, stateDir, heartbeatMs: 0, statusPollMs: 0, receive: false, maxPerMinute: 100_000 });
  try {
    await modem.start();
    await modem.waitReady(5000);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => modem.sendSms("+46701234567", `Larm ${i}: samling vid brandstationen.`, { priority: "emergency" })));
    const elapsed = performance.now() - t0;
    return { perMinute: Math.round((count * 60_000) / elapsed), limit: Math.round(60_000 / cmgsDelayMs) };
  } finally {
    await modem.stop();
    sim.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Runs the benchmark, prints the figures and returns them. */
export async function run(): Promise<Record<string, number>> {
  const encodes = encodesPerSecond(1000);
  const fast = await messagesPerMinute(30, 60);
  const slow = await messagesPerMinute(100, 30);
  const r10 = loadModemProfile("generic-27005").sms.maxPerMinute;
  const result = {
    "sms.encodes_per_s": encodes,
    "sms.msgs_per_min_cmgs30ms": fast.perMinute,
    "sms.limit_per_min_cmgs30ms": fast.limit,
    "sms.ratio_cmgs30ms": Math.round((fast.perMinute / fast.limit) * 1000) / 1000,
    "sms.msgs_per_min_cmgs100ms": slow.perMinute,
    "sms.limit_per_min_cmgs100ms": slow.limit,
    "sms.ratio_cmgs100ms": Math.round((slow.perMinute / slow.limit) * 1000) / 1000,
    "sms.profile_max_per_min": r10,
  };
  console.log(`sms: ${encodes} encodes/s (mixed 1-3 part texts)`);
  for (const [d, r] of [
    [30, fast],
    [100, slow],
  ] as const) {
    console.log(`sms: ${r.perMinute} msgs/min through the simulator at ${d} ms per CMGS (3 s scaled ×${3000 / d}); limit ${r.limit}/min; ${((r.perMinute / r.limit) * 100).toFixed(1)} % of it`);
  }
  console.log(`sms: at a real 3 s per CMGS the limit is 20/min per modem; the profile caps sending at ${r10}/min (R10), so 200 queued single-part alerts drain in ${Math.ceil(200 / r10)} min per modem`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
