/**
 * Child of bench/v8-flags.bench.ts: runs the gateway's dispatch hot paths in this process (started with or
 * without the daemon's V8 flags) and prints one JSON line: the figures, V8's GC pauses by kind, and memory.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import { sendToFirstCmgs, throughput } from "./dispatch.bench.js";

const gc = { minorMs: 0, minor: 0, majorMs: 0, major: 0, otherMs: 0 };
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      gc.minorMs += e.duration;
      gc.minor++;
    } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.majorMs += e.duration;
      gc.major++;
    } else gc.otherMs += e.duration;
  }
});
observer.observe({ entryTypes: ["gc"] });

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const first = await sendToFirstCmgs(Number(process.env["V8_BENCH_SENDS"] ?? 300));
const rates: number[] = [];
for (let i = 0; i < 3; i++) rates.push((await throughput(200, 2, "in-process")).perS);
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
await new Promise((r) => setTimeout(r, 100)); // the observer's last entries
const mem = process.memoryUsage();
console.log(
  JSON.stringify({
    firstCmgsP50: pct(first, 50),
    firstCmgsP99: pct(first, 99),
    perS: rates.reduce((a, b) => a + b, 0) / rates.length,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    gc,
    rssMiB: mem.rss / 2 ** 20,
    heapTotalMiB: mem.heapTotal / 2 ** 20,
  }),
);
process.exit(0);
