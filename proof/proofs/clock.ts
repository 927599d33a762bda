import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ProofArgs } from "../run.js";
import { drain, Load } from "../harness/load.js";
import { sleep } from "../harness/processes.js";
import { rng } from "../harness/random.js";
import { Report } from "../harness/report.js";
import { Rig } from "../harness/rig.js";
import { Ledger, sdsVerb, smsVerb, uplinkPublish, type Item, type Workload } from "../harness/workloads.js";

/**
 * Clock (docs/reliability.md #38): the daemon's wall clock steps +1 h, back, and −1 h while sends and
 * uplink traffic run (the probe preload shifts Date; monotonic clocks and timers are untouched, as with an
 * NTP step or a dead RTC). Timers must use monotonic time: no mass expiry (refusals, expired queue entries),
 * no resend (a device receiving a send twice), no link flapping, in any phase compared with the steady one.
 * The probe reaches the broker child too (through NODE_OPTIONS), so aedes' own wall-clock uses (sessions,
 * keepalive, will delay, the login throttle's windows) step with the daemon: each phase checks, from the
 * probe's per-process marker, that the broker child's Date carried the phase's offset, and that the proof's
 * MQTT client on the embedded broker was not disconnected and the broker process not restarted.
 */
export async function clock(args: ProofArgs): Promise<Report> {
  const phaseMs = (args.durationS ?? (args.short ? 8 : 20)) * 1000;
  const report = new Report("clock");
  const rnd = rng(args.seed);
  const rigDirFile = join("/tmp", `rakelgw-proof-clock-${process.pid}`);
  writeFileSync(rigDirFile, "0");
  const rig = await Rig.create({ env: { PROOF_CLOCK_FILE: rigDirFile } });
  const ledger = new Ledger();
  // Paced under the devices' own limits, so any refusal is the clock's doing: SMS one per 7 s (the modem
  // queue's 10 per minute), SDS one per 1.2 s (the simulated terminal answers CME 42 beyond 60 per minute).
  const mix: [Workload, number][] = [[uplinkPublish, 1]];
  try {
    await rig.start();
    const phases: [string, number][] = [
      ["steady", 0],
      ["+1 h", 3_600_000],
      ["back to true time (−1 h)", 0],
      ["−1 h", -3_600_000],
      ["back to true time (+1 h)", 0],
    ];
    const load = new Load(rig, ledger, mix, rnd);
    load.start(2, 200);
    const sds = new Load(rig, ledger, [[sdsVerb, 1]], rnd);
    sds.start(1, 0, 1200);
    const sms = new Load(rig, ledger, [[smsVerb, 1]], rnd);
    sms.start(1, 0, 7000);
    const rows: { phase: string; offset: number; items: Item[]; flaps: number; closes: number; clocks: ProcessClock[] }[] = [];
    const brokerPids = new Set<number>();
    for (const [phase, offset] of phases) {
      writeFileSync(rigDirFile, String(offset));
      const t0 = performance.now();
      const from = ledger.items.length;
      await sleep(phaseMs);
      const flaps = rig.linkEvents.filter((e) => e.at >= t0 && e.state !== "ready" && e.link !== "ip").length;
      const closes = rig.clientCloses.filter((at) => at >= t0).length;
      const children = rig.childPids();
      for (const p of children) brokerPids.add(p);
      const clocks = readClocks(rigDirFile).filter((c) => c.pid === rig.daemon?.pid || children.includes(c.pid));
      rows.push({ phase, offset, items: ledger.items.slice(from), flaps, closes, clocks });
    }
    load.stop();
    sms.stop();
    sds.stop();
    await sds.settled();
    await load.settled();
    await sms.settled();
    await drain(rig, ledger, 30_000);
    const figures = ledger.figures(rig, [], [uplinkPublish, sdsVerb, smsVerb]);
    for (const r of rows) {
      const refused = r.items.filter((i) => i.outcome !== "accepted").length;
      report.add(`${r.phase}: items submitted / refused or unanswered / link drops`, `${r.items.length} / ${refused} / ${r.flaps}`, "0 refused, 0 drops", refused === 0 && r.flaps === 0);
      // The regression check for the broker child: without the probe in the child its marker is missing
      // (or, were it loaded without the offset, its seenMs stays 0).
      const shifted = (role: ProcessClock["role"]): string => {
        const c = r.clocks.filter((k) => k.role === role);
        return c.length === 0 ? "no marker" : c.map((k) => `${k.seenMs} ms (pid ${k.pid})`).join(", ");
      };
      const ok = (role: ProcessClock["role"]): boolean => {
        const c = r.clocks.filter((k) => k.role === role);
        // seenMs is two Date.now() calls apart (shifted and real), so a clock tick between them shows as 1 ms.
        return c.length > 0 && c.every((k) => k.offset === r.offset && Math.abs(k.seenMs - r.offset) <= 50);
      };
      report.add(`${r.phase}: Date offset seen by daemon / broker child`, `${shifted("daemon")} / ${shifted("child")}`, `${r.offset} ms in both`, ok("daemon") && ok("child"));
      report.add(`${r.phase}: disconnects of the proof's client on the embedded broker`, r.closes, "0", r.closes === 0);
    }
    for (const [name, f] of figures) {
      report.add(`${name}: accepted but never received`, f.lost, "0", f.lost === 0);
      report.add(`${name}: received twice (resends)`, f.duplicates, "0", f.duplicates === 0);
    }
    report.add("daemon restarts", rig.starts - 1, "0", rig.starts === 1);
    const brokerExits = (rig.daemonLog.match(/broker process exited unexpectedly/g) ?? []).length;
    report.add("broker child: pids seen / unexpected exits", `${[...brokerPids].join(", ") || "none"} / ${brokerExits}`, "1 pid, 0 exits", brokerPids.size === 1 && brokerExits === 0);
    const expiredLog = (rig.daemonLog.match(/EXPIRED|expired/g) ?? []).length;
    report.add("log lines mentioning expiry", expiredLog, "0", expiredLog === 0);
    report.note("the wall clock (Date, Date.now) is shifted in the daemon and in its broker child by proof/harness/daemon-probe.mjs (the child loads it through NODE_OPTIONS); monotonic clocks and timers are not shifted");
  } finally {
    await rig.close(!report.passed);
    for (const c of readClocks(rigDirFile)) rmSync(`${rigDirFile}.pid-${c.pid}`, { force: true });
    rmSync(rigDirFile, { force: true });
  }
  return report;
}

/** One process's clock marker written by the probe (proof/harness/daemon-probe.mjs). */
interface ProcessClock {
  pid: number;
  ppid: number;
  role: "daemon" | "child";
  offset: number;
  seenMs: number;
}

function readClocks(clockFile: string): ProcessClock[] {
  const prefix = `${basename(clockFile)}.pid-`;
  return readdirSync(dirname(clockFile))
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dirname(clockFile), f), "utf8")) as ProcessClock];
      } catch {
        return []; // being rewritten
      }
    });
}
