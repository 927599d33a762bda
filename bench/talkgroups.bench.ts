/**
 * Talk-group check speed: a 60-group plan checked by `list` and by `probe` against the simulated terminal
 * with a fixed answer delay per command, over a memory link and over a real pseudo-terminal. Our overhead is
 * the check's wall time minus the sum of the terminal's own answer delays (commands × delay); target ≤ 10 %
 * of that sum. Probing runs with no pacing here, because pacing is policy, not overhead; the paced time with
 * the profile's minimum probe interval is printed as an estimate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RakelPeiAdapter } from "../adapters/rakel-pei/rakel-pei-adapter.js";
import { SimTerminal, runOnPty } from "../adapters/rakel-pei/sim/index.js";
import { PeiTalkgroupReader } from "../adapters/rakel-pei/talkgroups/pei-talkgroup-reader.js";
import { loadProfile } from "../adapters/rakel-pei/terminal-profile.js";
import type { ByteLink, ByteLinkFactory } from "../adapters/serial-link/byte-link.js";
import { MemoryPort } from "../adapters/serial-link/memory-link.js";
import { serialPortFactory } from "../adapters/serial-link/serialport-link.js";
import { silentLogger } from "../src/shared/logger.js";
import { runTalkgroupCheck } from "../src/talkgroups/check-runner.js";
import type { TalkgroupPlan } from "../src/talkgroups/plan-schema.js";

const GROUPS = 60;
const ANSWER_DELAY_MS = 20;
const groups = Array.from({ length: GROUPS }, (_, i) => ({ gssi: String(9100 + i), name: `SAMV GRP ${String(i).padStart(2, "0")}` }));
const plan = {
  name: "Bench plan",
  version: "1",
  groups: groups.map((g) => ({ gssi: Number(g.gssi), name: g.name, folder: "Bench", mode: "tmo", required: true })),
} as TalkgroupPlan;

interface Measure {
  ms: number;
  commands: number;
  delaySumMs: number;
  overheadPct: number;
  /** Time the terminal really took: from a command reaching it to its final result leaving it, summed. */
  terminalMs: number;
}

/** Records when the simulator writes a final result code, by wrapping the device end's `write`. */
function tapFinals(link: ByteLink, times: number[]): void {
  const write = link.write.bind(link);
  link.write = (data) => {
    const text = typeof data === "string" ? data : data.toString("latin1");
    if (/(^|\n)(OK|ERROR|\+CME ERROR: \d+)\r\n/.test(text)) times.push(performance.now());
    return write(data);
  };
}

async function measure(method: "list" | "probe", transport: "memory" | "pty"): Promise<Measure> {
  const sim = new SimTerminal({ config: { tmoGroups: groups, supportsListing: method === "list", registrationDelayMs: 0 } });
  let factory: ByteLinkFactory;
  let stopLink: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), "rakelgw-bench-tg-"));
  const finals: number[] = [];
  if (transport === "memory") {
    const port = new MemoryPort("bench");
    const off = sim.servePort(port);
    port.onConnection((deviceEnd) => tapFinals(deviceEnd, finals));
    factory = port.factory;
    stopLink = () => Promise.resolve(off());
  } else {
    const session = await runOnPty(join(dir, "radio"), sim);
    tapFinals(session.link, finals);
    factory = serialPortFactory({ path: session.path, baudRate: 115200 });
    stopLink = () => session.stop();
  }
  const profile = structuredClone(loadProfile("etsi-generic"));
  profile.talkgroups.minProbeIntervalMs = 0;
  const radio = new RakelPeiAdapter({ name: "bench", log: silentLogger(), profile, linkFactory: factory, heartbeatMs: 0 });
  await radio.start();
  await radio.waitReady(5000);
  const reader = new PeiTalkgroupReader({ terminal: radio });
  // One unmeasured run first, so the figures are not about the JIT compiling the check's code paths.
  await runTalkgroupCheck({ reader, plan, log: silentLogger(), method, tuning: { confirmPollMs: 5 } });
  sim.setFaults({ answerDelayMs: ANSWER_DELAY_MS });
  const arrivals: number[] = [];
  const off = sim.on("command", () => arrivals.push(performance.now()));
  const finalsBefore = finals.length;
  const t0 = performance.now();
  const report = await runTalkgroupCheck({ reader, plan, log: silentLogger(), method, tuning: { confirmPollMs: 5 } });
  const ms = performance.now() - t0;
  off();
  if (report.summary.present !== GROUPS || !report.restored) throw new Error(`bench check went wrong: ${JSON.stringify(report.summary)}`);
  await radio.stop();
  await stopLink();
  sim.stop();
  rmSync(dir, { recursive: true, force: true });
  const commands = arrivals.length;
  const answered = finals.slice(finalsBefore);
  const terminalMs = arrivals.reduce((sum, t, i) => sum + ((answered[i] ?? t) - t), 0);
  const delaySumMs = commands * ANSWER_DELAY_MS;
  return { ms, commands, delaySumMs, overheadPct: ((ms - delaySumMs) / delaySumMs) * 100, terminalMs };
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const pacedMs = loadProfile("etsi-generic").talkgroups.minProbeIntervalMs;
  for (const transport of ["memory", "pty"] as const) {
    for (const method of ["list", "probe"] as const) {
      const m = await measure(method, transport);
      const key = `talkgroups.${method}.${transport}`;
      console.log(
        `${key.padEnd(28)} ${GROUPS} groups: ${m.ms.toFixed(0)} ms for ${m.commands} commands; terminal's own delays ${m.delaySumMs} ms ` +
          `(${ANSWER_DELAY_MS} ms each); our overhead ${(m.ms - m.delaySumMs).toFixed(0)} ms = ${m.overheadPct.toFixed(1)} % (target ≤ 10 %); ` +
          `measured terminal time ${m.terminalMs.toFixed(0)} ms, so the gateway's own share is ${(m.ms - m.terminalMs).toFixed(0)} ms`,
      );
      out[`${key}.gatewayMs`] = Math.round(m.ms - m.terminalMs);
      out[`${key}.ms`] = Math.round(m.ms);
      out[`${key}.commands`] = m.commands;
      out[`${key}.overheadPct`] = Number(m.overheadPct.toFixed(1));
    }
  }
  const pacedS = (GROUPS * pacedMs) / 1000;
  console.log(`talkgroups.probe.paced          with the profile's ${pacedMs} ms between selections a 60-group probe takes ≥ ${pacedS} s (policy, docs/pei.md §7.1)`);
  out["talkgroups.probe.pacedEstimateS"] = pacedS;
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
