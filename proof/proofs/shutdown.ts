import { spawn } from "node:child_process";
import { join } from "node:path";
import type { ProofArgs } from "../run.js";
import { drain, Load } from "../harness/load.js";
import { sleep } from "../harness/processes.js";
import { rng } from "../harness/random.js";
import { percentile, Report, round } from "../harness/report.js";
import { ROOT, Rig } from "../harness/rig.js";
import { Ledger, sdsVerb, smsVerb, uplinkPublish, type Workload } from "../harness/workloads.js";
import { ledgerRows } from "./common.js";

/**
 * Shutdown and watchdog (docs/reliability.md R7, docs/reliability.md #39, #40): SIGTERM in the middle of a burst, `--trials`
 * times: exit 0 within TimeoutStopSec (15 s) and nothing accepted lost. Then the event loop is blocked for
 * 30 s (the probe's busy loop) with the daemon started as systemd starts a Type=notify service with
 * WatchdogSec=2 (NOTIFY_SOCKET, WATCHDOG_USEC): the proof plays systemd — it must see WATCHDOG=1 pings, see
 * them stop while the loop is blocked, and then kill and restart the daemon.
 */
export async function shutdown(args: ProofArgs): Promise<Report> {
  const trials = args.trials ?? (args.short ? 4 : 20);
  const report = new Report("shutdown");
  const rnd = rng(args.seed);
  const rig = await Rig.create({ env: { PROOF_BLOCK_MS: "30000" } });
  const ledger = new Ledger();
  const mix: [Workload, number][] = [
    [sdsVerb, 3],
    [smsVerb, 1],
    [uplinkPublish, 3],
  ];
  const stopMs: number[] = [];
  const codes: (number | null)[] = [];
  try {
    await rig.start();
    for (let t = 0; t < trials; t++) {
      const load = new Load(rig, ledger, mix, rnd);
      load.start(8);
      await sleep(300 + rnd() * 1500);
      load.stop();
      const t0 = performance.now();
      const exit = await rig.terminate(20_000);
      stopMs.push(exit.at - t0);
      codes.push(exit.code);
      rig.abandonRequests();
      await rig.start();
      await load.settled();
    }
    await drain(rig, ledger, 60_000);
    report.add("SIGTERM during a burst", `${trials} trials`);
    report.atMost("SIGTERM → exit, max", Math.max(...stopMs) / 1000, 15, " s");
    report.add("SIGTERM → exit, p50", `${round(percentile(stopMs, 50) / 1000, 2)} s`);
    const bad = codes.filter((c) => c !== 0).length;
    report.add("exits with a code other than 0", bad, "0", bad === 0);
    ledgerRows(report, ledger.figures(rig, rig.exits.map((e) => e.at), mix.map(([w]) => w)));
    await watchdog(rig, report);
  } finally {
    await rig.close(!report.passed);
  }
  return report;
}

/** The proof as systemd: a notify socket (a Perl receiver), WATCHDOG_USEC=2 s, and a blocked event loop. */
async function watchdog(rig: Rig, report: Report): Promise<void> {
  await rig.terminate();
  const sock = join(rig.dir, "notify.sock");
  // The receiver must close the barrier pipe that `systemd-notify` passes (socat keeps it open, so every
  // message then waited out systemd-notify's barrier timeout and no ping arrived in time).
  const listener = spawn("perl", [join(ROOT, "test/fixtures/notify-receiver.pl"), sock], { stdio: ["ignore", "pipe", "ignore"] });
  const pings: number[] = [];
  let ready = false;
  let listening = false;
  listener.stdout.on("data", (d: Buffer) => {
    const s = d.toString();
    if (s.includes("LISTENING")) listening = true;
    for (const _ of s.matchAll(/WATCHDOG=1/g)) pings.push(performance.now());
    if (s.includes("READY=1")) ready = true;
  });
  for (let i = 0; i < 100 && !listening; i++) await sleep(50);
  try {
    rig.spawnDaemon({ NOTIFY_SOCKET: sock, WATCHDOG_USEC: "2000000" });
    await rig.waitReady(30_000);
    await sleep(3000);
    const before = pings.length;
    const blockedAt = performance.now();
    process.kill(rig.daemon!.pid!, "SIGUSR2");
    // systemd: no ping for WatchdogSec → SIGABRT, then restart.
    let detectedAt = NaN;
    while (performance.now() - blockedAt < 10_000) {
      const last = pings.at(-1) ?? 0;
      if (pings.length > 0 && performance.now() - Math.max(last, blockedAt) > 2000) {
        detectedAt = performance.now();
        break;
      }
      await sleep(50);
    }
    report.add("READY=1 sent to the notify socket", ready ? "yes" : "no", "yes", ready);
    report.add("WATCHDOG=1 pings before the block (3 s)", before, "≥ 1", before >= 1);
    report.atMost("blocked event loop → pings stopped, detected after", (detectedAt - blockedAt) / 1000, 3, " s");
    await rig.kill("SIGKILL");
    const t0 = performance.now();
    rig.spawnDaemon();
    await rig.waitReady(30_000);
    report.add("restart after the kill → ready", `${round((performance.now() - t0) / 1000)} s`);
  } finally {
    listener.kill("SIGKILL");
  }
}
