/**
 * What the V8 flags cost and save (src/app/daemon-v8-flags.ts, `mqtt.broker.maxSemiSpaceMb`/`optimizeForSize`), same work with
 * V8's defaults and with the flags:
 * - daemon: bench/v8-flags-child.ts in a process of its own (300 alert sends → first `AT+CMGS`, three
 *   200-recipient alerts through an in-process terminal at R = 250 SDS/s): latency, SDS/s, CPU time, GC
 *   pauses (scavenges and full collections) and memory at the end;
 * - broker: the embedded broker with V8's defaults without a memory limit (16 MiB semi-spaces), with its
 *   semi-space setting alone (`mqtt.broker.maxSemiSpaceMb`) and with its shipped settings (that and
 *   `mqtt.broker.optimizeForSize`), alternated, three runs each, saturated by 10 × 10 clients at QoS 0
 *   and 1 (bench/mqtt.bench.ts's method): msg/s with the spread between runs, and RSS after.
 * Run: `npm run bench -- v8-flags`.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { childFigures } from "./child-figures.js";
import { BROKER_OPTIMIZE_FOR_SIZE, BROKER_SEMI_SPACE_MB } from "../adapters/mqtt/broker/broker-prefork.js";
import { DAEMON_V8_FLAGS } from "../src/app/daemon-v8-flags.js";
import { saturate } from "./mqtt.bench.js";
import { rssOf } from "../test/integration/mqtt/helpers/procs.js";
import { startTestGateway } from "../test/integration/mqtt/helpers/test-gateway.js";

interface ChildFigures {
  firstCmgsP50: number;
  firstCmgsP99: number;
  perS: number;
  wallMs: number;
  cpuMs: number;
  gc: { minorMs: number; minor: number; majorMs: number; major: number; otherMs: number };
  rssMiB: number;
  heapTotalMiB: number;
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const CHILD = fileURLToPath(new URL("./v8-flags-child.ts", import.meta.url));

function daemonRun(flags: readonly string[]): ChildFigures {
  return childFigures<ChildFigures>(CHILD, { nodeFlags: flags, timeoutMs: 600_000 });
}

async function brokerRun(v8: { maxSemiSpaceMb: number; optimizeForSize: boolean }): Promise<{ qos0: number; qos1: number; rssMiB: number }> {
  const g = await startTestGateway({ broker: v8, limits: { publishRatePerSecond: 0 } });
  try {
    const qos0 = await saturate(g.port, 0);
    const qos1 = await saturate(g.port, 1);
    return { qos0, qos1, rssMiB: (await rssOf(g.gw.broker.pid ?? 0)) / 2 ** 20 };
  } finally {
    await g.stop();
  }
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  // Alternate the two settings so drift on a shared machine falls on both.
  const runs: Record<"defaults" | "flags", ChildFigures[]> = { defaults: [], flags: [] };
  for (let i = 0; i < 2; i++) {
    runs.defaults.push(daemonRun([]));
    runs.flags.push(daemonRun(DAEMON_V8_FLAGS));
  }
  for (const [name, rs] of Object.entries(runs)) {
    const mean = (f: (c: ChildFigures) => number): number => rs.reduce((a, c) => a + f(c), 0) / rs.length;
    out[`v8.daemon_${name}_first_cmgs_p99_ms`] = round(mean((c) => c.firstCmgsP99), 2);
    out[`v8.daemon_${name}_sds_per_s_at_R250`] = round(mean((c) => c.perS));
    out[`v8.daemon_${name}_cpu_ms`] = Math.round(mean((c) => c.cpuMs));
    out[`v8.daemon_${name}_scavenges`] = Math.round(mean((c) => c.gc.minor));
    out[`v8.daemon_${name}_scavenge_ms`] = round(mean((c) => c.gc.minorMs));
    out[`v8.daemon_${name}_full_gcs`] = Math.round(mean((c) => c.gc.major));
    out[`v8.daemon_${name}_full_gc_ms`] = round(mean((c) => c.gc.majorMs));
    out[`v8.daemon_${name}_gc_share_of_cpu_percent`] = round(mean((c) => ((c.gc.minorMs + c.gc.majorMs + c.gc.otherMs) / c.cpuMs) * 100), 2);
    out[`v8.daemon_${name}_heap_total_mib`] = round(mean((c) => c.heapTotalMiB));
    out[`v8.daemon_${name}_rss_mib`] = round(mean((c) => c.rssMiB));
  }
  // V8's defaults without a memory limit, the semi-space setting alone, the shipped settings; alternated, three runs each.
  type BrokerFigures = { qos0: number; qos1: number; rssMiB: number };
  const brokers: { name: string; v8: { maxSemiSpaceMb: number; optimizeForSize: boolean }; runs: BrokerFigures[] }[] = [
    { name: "defaults", v8: { maxSemiSpaceMb: 16, optimizeForSize: false }, runs: [] },
    { name: `semi${BROKER_SEMI_SPACE_MB}`, v8: { maxSemiSpaceMb: BROKER_SEMI_SPACE_MB, optimizeForSize: false }, runs: [] },
    { name: "flags", v8: { maxSemiSpaceMb: BROKER_SEMI_SPACE_MB, optimizeForSize: BROKER_OPTIMIZE_FOR_SIZE }, runs: [] },
  ];
  for (let i = 0; i < 3; i++) for (const b of brokers) b.runs.push(await brokerRun(b.v8));
  for (const { name, runs: rs } of brokers) {
    const mean = (f: (b: BrokerFigures) => number): number => rs.reduce((a, b) => a + f(b), 0) / rs.length;
    const spread = (f: (b: BrokerFigures) => number): number => round(((Math.max(...rs.map(f)) - Math.min(...rs.map(f))) / mean(f)) * 100);
    out[`v8.broker_${name}_qos0_msgs_per_s`] = Math.round(mean((b) => b.qos0));
    out[`v8.broker_${name}_qos0_spread_percent`] = spread((b) => b.qos0);
    out[`v8.broker_${name}_qos1_msgs_per_s`] = Math.round(mean((b) => b.qos1));
    out[`v8.broker_${name}_qos1_spread_percent`] = spread((b) => b.qos1);
    out[`v8.broker_${name}_rss_after_mib`] = round(mean((b) => b.rssMiB));
  }
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(48)} ${v}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await run();
  process.exit(0);
}
