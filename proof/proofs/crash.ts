import type { ProofArgs } from "../run.js";
import { drain, Load } from "../harness/load.js";
import { sleep } from "../harness/processes.js";
import { pickWeighted, rng } from "../harness/random.js";
import { percentile, Report } from "../harness/report.js";
import { Rig } from "../harness/rig.js";
import { alertWorkloads, Ledger, sdsVerb, smsVerb, uplinkPublish, type Workload } from "../harness/workloads.js";
import { ledgerRows } from "./common.js";

/**
 * Crash safety (docs/reliability.md R1, R3, R7): SIGKILL of the daemon's process group at a uniformly random
 * moment 0–2 s into a burst, restart, repeat; at the end every accepted item is diffed against what the
 * simulated terminal and modem received and what reached the regional broker. The bursts mix single sends,
 * bridged publishes and alerts (alert/send to 1–200 recipients, SDS and SMS activations): every recipient
 * of every accepted alert must have been reached, every copy of one alert carrying its one code.
 */
export async function crash(args: ProofArgs): Promise<Report> {
  const trials = args.trials ?? (args.short ? 12 : 300);
  const report = new Report("crash");
  const rnd = rng(args.seed);
  const rig = await Rig.create({ sdsPerMinute: 6000 });
  const ledger = new Ledger();
  const alerts = alertWorkloads();
  // SMS stay under the modem queue's 10 per minute over a run of trials (alerts add a few SMS recipients).
  const mix: [Workload, number][] = [
    [sdsVerb, 4],
    [smsVerb, 0.6],
    [uplinkPublish, 5],
  ];
  // One alert start per trial, at a random moment of the burst: an alert to 200 recipients is a burst of
  // its own (alert/send answers before its sends, so a worker loop of alerts would queue tens of thousands
  // of SDS, far beyond any terminal), and several kills fall inside its sending.
  const alertMix: [Workload, number][] = [
    [alerts.alertSend, 2],
    [alerts.sdsActivation, 2],
    [alerts.smsActivation, 1],
  ];
  const kills: number[] = [];
  const ready: number[] = [];
  try {
    ready.push(await rig.start());
    for (let t = 0; t < trials; t++) {
      const load = new Load(rig, ledger, mix, rnd);
      load.start(2 + Math.floor(rnd() * 14));
      const burstMs = rnd() * 2000;
      const alertStart = sleep(rnd() * burstMs).then(() => ledger.submit(rig, pickWeighted(rnd, alertMix)));
      await sleep(burstMs);
      load.stop();
      kills.push(performance.now());
      await rig.kill("SIGKILL");
      rig.abandonRequests();
      ready.push(await rig.start());
      await load.settled();
      await alertStart;
      if ((t + 1) % 25 === 0) process.stdout.write(`  ${t + 1}/${trials} trials, ${ledger.items.length} items\n`);
    }
    await drain(rig, ledger, 180_000);
    report.add("trials (SIGKILL of daemon + broker child)", trials);
    ledgerRows(report, ledger.figures(rig, kills, [...mix, ...alertMix].map(([w]) => w)));
    report.atMost("restart → terminal and modem ready, p50", percentile(ready.slice(1), 50) / 1000, 6, " s");
    // R7's 6 s is for the target box; the worst case on a shared CI machine is reported, not judged.
    if (args.short) report.add("restart → terminal and modem ready, max", `${Math.round(Math.max(...ready.slice(1)) / 100) / 10} s`);
    else report.atMost("restart → terminal and modem ready, max", Math.max(...ready.slice(1)) / 1000, 6, " s");
  } finally {
    await rig.close(!report.passed);
    if (!report.passed) report.note(`rig kept for inspection: ${rig.dir}`);
  }
  return report;
}
