import { writeFileSync } from "node:fs";
import { join } from "node:path";
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
    const rows: { phase: string; items: Item[]; flaps: number }[] = [];
    for (const [phase, offset] of phases) {
      writeFileSync(rigDirFile, String(offset));
      const t0 = performance.now();
      const from = ledger.items.length;
      await sleep(phaseMs);
      const flaps = rig.linkEvents.filter((e) => e.at >= t0 && e.state !== "ready" && e.link !== "ip").length;
      rows.push({ phase, items: ledger.items.slice(from), flaps });
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
    }
    for (const [name, f] of figures) {
      report.add(`${name}: accepted but never received`, f.lost, "0", f.lost === 0);
      report.add(`${name}: received twice (resends)`, f.duplicates, "0", f.duplicates === 0);
    }
    report.add("daemon restarts", rig.starts - 1, "0", rig.starts === 1);
    const expiredLog = (rig.daemonLog.match(/EXPIRED|expired/g) ?? []).length;
    report.add("log lines mentioning expiry", expiredLog, "0", expiredLog === 0);
    report.note("the wall clock is shifted inside the daemon (Date, Date.now) by proof/harness/daemon-probe.mjs; libfaketime (apt: faketime) would also shift the broker child's clock");
  } finally {
    await rig.close(!report.passed);
  }
  return report;
}
