import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProofArgs } from "../run.js";
import { readLag, splitByProcess, type LagSample } from "../harness/lag.js";
import { drain, Load } from "../harness/load.js";
import { floor, heldMeans, slopeMiBPerHour, tail, type Point } from "../harness/memory.js";
import { LocalTraffic } from "../harness/noise.js";
import { sleep, until } from "../harness/processes.js";
import { rng, weightedCycle } from "../harness/random.js";
import { percentile, Report, round } from "../harness/report.js";
import { Rig } from "../harness/rig.js";
import { alertWorkloads, Ledger, outcomeOf, sdsVerb, sinkKeysOf, smsVerb, uplinkPublish, type WindowFault, type Workload } from "../harness/workloads.js";
import { ledgerRows } from "./common.js";

/**
 * Soak (docs/reliability.md R9, scaled): sends, alerts (alert/send, SDS and SMS activations), local MQTT traffic, reconnect storms, device losses and uplink
 * outages together for `--duration` seconds (CI: 120). Prints memory over time (daemon + broker child: PSS,
 * which the ceiling judges, and the sum of RSS, whose slope the leak goal judges), event-loop delay p99 of the
 * daemon, and lost items. The slope goal applies, as R9 words it, after the first 10 % of the run (warm-up: V8
 * growing its heaps, glibc arenas taking the broker's 16 MiB scrypt blocks); the last half's slope, the
 * anonymous part's and each process's RSS and V8 heap (post-GC floor) slopes are printed beside it, from the
 * probe's per-process lines (docs/reliability.md, "How the leak goal is judged").
 */
/** Alert deadline in the soak (dispatch.deadlineS); see below. */
const SOAK_ALERT_DEADLINE_S = 600;

export async function soak(args: ProofArgs): Promise<Report> {
  const durationS = args.durationS ?? (args.short ? 120 : 3600);
  const report = new Report("soak");
  const rnd = rng(args.seed);
  const lagFile = join("/tmp", `rakelgw-proof-lag-${process.pid}.jsonl`);
  // Nobody answers in the soak, so an alert ends only at its deadline. With the default hour and one alert
  // every 5 s, a 60-minute run would be nothing but the fill-up of 720 alerts held at once (about 33 KiB each
  // in the daemon) and could not tell a leak from it. Ten minutes holds about 120 at once, reached early.
  const rig = await Rig.create({
    env: { PROOF_LAG_FILE: lagFile, PROOF_LAG_EVERY_MS: "1000" },
    sdsPerMinute: 6000,
    tweak: (c) => Object.assign(c["dispatch"] as Record<string, unknown>, { deadlineS: SOAK_ALERT_DEADLINE_S }),
  });
  const ledger = new Ledger();
  const alerts = alertWorkloads();
  const mix: [Workload, number][] = [
    [sdsVerb, 3],
    [smsVerb, 1],
    [uplinkPublish, 3],
  ];
  // Alerts on their own pace, one start every 5 s (alert/send answers before its sends, so it does not
  // pace itself as the single sends do): about 300 alerts an hour to 1–200 recipients each. They come in a
  // fixed interleaved order and their sizes follow a golden-ratio sequence (alertWorkloads): with random
  // draws the recipients held by open alerts wandered by a third over half an hour (run L: 10-minute means
  // of 1,550 to 2,594), the daemon's heap by 3 MiB with them, which the slope goal cannot tell from a leak.
  const alertMix: [Workload, number][] = [
    [alerts.alertSend, 2],
    [alerts.sdsActivation, 2],
    [alerts.smsActivation, 1],
  ];
  const rss: { t: number; kib: number; daemonKiB: number; pssKiB: number; anonKiB: number }[] = [];
  const events = { storms: 0, stormClients: 0, unplugs: 0, outages: 0, injected: 0 };
  /** When each incoming SDS was injected (ms, performance.now()), to place any that were not published. */
  const injectedAt: number[] = [];
  /** When each fault began (storms, unplugs, outages). */
  const faultAt: number[] = [];
  // Faults that open the at-least-once window (docs/reliability.md R3): an uplink outage may resend a QoS 1
  // publish whose PUBACK was lost with the connection (MQTT 3.1.1 §4.4), an unplug an SDS whose result was lost.
  const windowFaults: WindowFault[] = [];
  const traffic = new LocalTraffic(rig);
  try {
    await rig.start();
    const t0 = performance.now();
    const end = t0 + durationS * 1000;
    traffic.start(10, 100);
    const load = new Load(rig, ledger, mix, rnd);
    load.start(4, 400);
    const alertLoad = new Load(rig, ledger, weightedCycle(alertMix), rnd);
    alertLoad.start(1, 0, 5000);
    // Faults on their own schedules, scaled so a 2-minute run sees each at least twice.
    const every = (s: number): number => Math.min(s, durationS / 3) * 1000;
    let nextStorm = t0 + every(60);
    let nextUnplug = t0 + every(180) / 2;
    let nextOutage = t0 + every(600) / 1.5;
    let nextInject = t0 + 1000;
    let nextRss = t0;
    while (performance.now() < end) {
      const now = performance.now();
      if (now >= nextRss) {
        rss.push({ t: (now - t0) / 1000, kib: rig.rssKiB(), daemonKiB: rig.rssKiB(false), pssKiB: rig.pssKiB(), anonKiB: rig.rssAnonKiB() });
        nextRss = now + 5000;
      }
      // Not in the instant a cable is pulled (an unplug due in this same pass): bytes the simulated terminal
      // writes then die with its pty before anything can read them, as on a real cable, and no gateway could
      // publish them. Two of 1,742 were lost so in one 60-minute run, both injected in the unplug's own pass.
      if (now >= nextInject && now < nextUnplug && rig.terminal.plugged && rig.linkState("terminal-1") === "ready") {
        injectedAt.push(now);
        rig.terminal.sim.injectText("2009999", `Soak in ${events.injected++}`);
        nextInject = now + 2000;
      }
      if (now >= nextStorm) {
        nextStorm = now + every(60);
        events.storms++;
        faultAt.push(now);
        void traffic.storm(50).then((n) => (events.stormClients += n));
      }
      if (now >= nextUnplug) {
        nextUnplug = now + every(180);
        events.unplugs++;
        faultAt.push(now);
        windowFaults.push(performance.now());
        const dev = events.unplugs % 2 ? rig.terminal : rig.modem;
        await dev.unplug();
        await sleep(1000 + rnd() * 3000);
        await dev.plug();
      }
      if (now >= nextOutage && rig.regional) {
        nextOutage = now + every(600);
        events.outages++;
        faultAt.push(now);
        const from = performance.now();
        windowFaults.push(from);
        if (events.outages % 2) {
          rig.regional.freeze(true);
          await sleep(8000);
          rig.regional.freeze(false);
        } else {
          await rig.regional.kill();
          await sleep(8000);
          await rig.regional.resume();
        }
        // Publishes sent during the outage, into a frozen connection or one the broker was closing as it was
        // stopped, are resent once the uplink is back (no PUBACK came): the window spans the outage until then.
        // With the start moment above, a publish submitted before the outage and resent after it may repeat
        // twice per copy (as with the start and end moments before), one submitted during it once.
        await until(() => (rig.linkState("ip") === "ready" ? true : undefined), 30_000, "the uplink back").catch(() => undefined);
        windowFaults.push({ from, to: performance.now() });
      }
      await sleep(200);
    }
    load.stop();
    alertLoad.stop();
    traffic.stop();
    await load.settled();
    await alertLoad.settled();
    await drain(rig, ledger, 120_000);
    const procs = splitByProcess(readLag(lagFile), rig.daemon?.pid);
    const lag = procs.daemon;
    report.add("duration", `${durationS} s`);
    report.add("alert deadline (nobody answers: every alert ends by expiring)", `${SOAK_ALERT_DEADLINE_S} s`);
    report.add("faults: reconnect storms (clients) / device unplugs / uplink outages", `${events.storms} (${events.stormClients}) / ${events.unplugs} / ${events.outages}`);
    report.add("local QoS 0 traffic (10 clients)", `${traffic.sent} msgs, ${round(traffic.sent / durationS)} /s`);
    ledgerRows(report, ledger.figures(rig, windowFaults, [...mix, ...alertMix].map(([w]) => w)));
    const incoming = rig.sdsReceived.filter((s) => typeof s["text"] === "string" && s["text"].startsWith("Soak in ")).length;
    report.add("incoming SDS published on sds/received / injected while the link was ready", `${incoming} / ${events.injected}`, "all", incoming === events.injected);
    if (incoming !== events.injected) report.add("incoming SDS not published (index: s into the run, s to the nearest fault)", unpublished(rig, injectedAt, faultAt, t0));
    // R9's memory figure for two processes: PSS, which counts the pages they share (the Node executable)
    // once, as the service's cgroup (systemd MemoryMax) does. The sum of RSS counts them twice; printed too.
    // Every /proc sample, kept with the run's directory (PROOF_KEEP=1 or a missed goal) for a later look.
    writeFileSync(join(rig.dir, "memory.jsonl"), rss.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const sampled = rss.filter((r) => r.kib > 0 && r.pssKiB > 0);
    report.atMost("memory max, PSS (daemon + broker process, shared pages counted once)", Math.max(...sampled.map((r) => r.pssKiB)) / 1024, 256, " MiB");
    report.add("RSS max, sum of both processes (shared pages counted twice)", `${round(Math.max(...sampled.map((r) => r.kib)) / 1024)} MiB`);
    report.add("RSS max of the daemon process alone", `${round(Math.max(...rss.map((r) => r.daemonKiB)) / 1024)} MiB`);
    const pss: Point[] = sampled.map((r) => ({ t: r.t, kib: r.pssKiB }));
    const rssSum: Point[] = sampled.map((r) => ({ t: r.t, kib: r.kib }));
    // The slope goal is judged on the sum of RSS, after the first 10 % of the run, as R9 words it. PSS divides a
    // shared page among every process that maps it, other Node processes on the machine too: a CI run beside a
    // 60-minute soak lowered our PSS by 8 MiB until it ended, a PSS slope of 15.9 MiB/h over an RSS-sum slope
    // of -0.1. The sum of RSS counts the pages the two processes share twice, but that part does not move, so
    // its slope is the leak's. The window is R9's and not the last half (used up to run J): the sum wanders
    // ±3 MiB over minutes as heaps grow and shrink, and a least-squares slope's error from such wander falls
    // with the window's length to the power 1.5, so 130 minutes of a 2.4-hour run hold it to about 0.4 of
    // what 72 minutes do. Warm-up left in the window raises the slope; it cannot hide a leak.
    const after10 = <P extends { t: number }>(points: P[]): P[] => points.filter((p) => p.t >= durationS * 0.1);
    const alertWork = new Set(alertMix.map(([w]) => w));
    const held = ledger.items
      .filter((i) => alertWork.has(i.workload) && outcomeOf(rig, i) === "accepted")
      .map((i) => ({ from: (i.submittedAt - t0) / 1000, weight: sinkKeysOf(i).length }));
    const means = heldMeans(held, SOAK_ALERT_DEADLINE_S, durationS * 0.1, durationS);
    if (means.length > 0) report.add("recipients held by open alerts after the first 10 %: 10-minute means, lowest – highest", `${Math.round(Math.min(...means))} – ${Math.round(Math.max(...means))} (${means.map(Math.round).join(", ")})`);
    const anon: Point[] = sampled.map((r) => ({ t: r.t, kib: r.anonKiB }));
    const goalSlope = slopeMiBPerHour(after10(rssSum));
    report.add("PSS slope after the first 10 % (moves with other processes sharing the Node executable)", `${round(slopeMiBPerHour(after10(pss)))} MiB/h`);
    report.add("RSS-sum slope over the last half / anonymous RSS (heaps, malloc) after the first 10 % / over the last half", `${round(slopeMiBPerHour(tail(rssSum, 0.5)))} / ${round(slopeMiBPerHour(after10(anon)))} / ${round(slopeMiBPerHour(tail(anon, 0.5)))} MiB/h`);
    // Information beside the goal: memory here swings with the work held (alerts of 1–200 recipients, each held
    // 10 minutes); the slope of each 5-minute window's lowest sample is less sensitive to where in a swing the
    // run ends.
    if (durationS >= 1800) {
      report.add("RSS-sum slope after the first 10 %, of each 5-minute window's lowest sample", `${round(slopeMiBPerHour(floor(after10(rssSum), 300)))} MiB/h`);
      report.atMost("RSS-sum slope after the first 10 % (daemon + broker process)", goalSlope, 1, " MiB/h");
    } else report.add("RSS-sum slope after the first 10 % (goal < 1 MiB/h applies to runs ≥ 30 min)", `${round(goalSlope)} MiB/h`);
    const series = (lines: LagSample[], key: "rssKiB" | "heapUsedKiB" | "heapTotalKiB"): Point[] => lines.flatMap((l) => (l[key] === undefined ? [] : [{ t: l.t / 1000, kib: l[key] }]));
    const figure = (lines: LagSample[]): string => {
      const r = series(lines, "rssKiB");
      const h = floor(series(lines, "heapUsedKiB"), 60);
      if (r.length < 2) return "no samples";
      // A short run's last half can hold a single one-minute floor: no slope, said as such rather than NaN.
      const slope = (points: Point[], na: string): string => {
        const v = slopeMiBPerHour(tail(points, 0.5));
        return Number.isNaN(v) ? na : `${round(v)} MiB/h`;
      };
      // RSS can grow while live data does not: V8 reserving more heap (its total), or memory outside V8.
      return `RSS ${slope(r, "n/a")} / heap ${slope(h, "n/a (fewer than two 1-minute floors)")} / heap total ${slope(series(lines, "heapTotalKiB"), "n/a")} (RSS max ${round(Math.max(...r.map((p) => p.kib)) / 1024)} MiB)`;
    };
    report.add("last half, daemon: RSS / V8 heap used (per-minute floor) / V8 heap total slope", figure(procs.daemon));
    report.add("last half, broker child: RSS / V8 heap used (per-minute floor) / V8 heap total slope", figure(procs.child));
    const p99s = lag.map((l) => l.p99);
    report.atMost("event-loop delay p99 (whole run, daemon)", lag.at(-1)?.totalP99 ?? NaN, 50, " ms");
    report.add("event-loop delay: worst 1-s p99 / worst max", `${round(Math.max(...p99s))} / ${round(Math.max(...lag.map((l) => l.max)))} ms`);
    report.add("event-loop delay: median of 1-s p99s", `${round(percentile(p99s, 50))} ms`);
    report.add("daemon restarts during the run", rig.starts - 1, "0", rig.starts === 1);
    const step = Math.max(1, Math.floor(rss.length / 12));
    report.note(`PSS / RSS-sum over time (s: MiB): ${rss.filter((_, i) => i % step === 0 || i === rss.length - 1).map((r) => `${Math.round(r.t)}: ${round(r.pssKiB / 1024)} / ${round(r.kib / 1024)}`).join(", ")}`);
  } finally {
    traffic.stop();
    await rig.close(!report.passed);
  }
  return report;
}

/** Which injected SDS never showed on `sds/received`, with when they were injected and how near a fault. */
function unpublished(rig: Rig, injectedAt: readonly number[], faults: readonly number[], t0: number): string {
  const seen = new Set(rig.sdsReceived.map((s) => s["text"]).filter((t): t is string => typeof t === "string"));
  const out: string[] = [];
  injectedAt.forEach((at, i) => {
    if (seen.has(`Soak in ${i}`)) return;
    const near = Math.min(...faults.map((f) => Math.abs(f - at)));
    out.push(`#${i}: ${round((at - t0) / 1000)} s, ${Number.isFinite(near) ? `${round(near / 1000)} s` : "no fault"}`);
  });
  return out.slice(0, 10).join("; ") + (out.length > 10 ? ` (+${out.length - 10} more)` : "");
}
