import type { ProofArgs } from "../run.js";
import { simTerminal } from "../harness/devices.js";
import { drain, Load } from "../harness/load.js";
import { sleep, until } from "../harness/processes.js";
import { rng } from "../harness/random.js";
import { percentile, Report, round } from "../harness/report.js";
import { Rig } from "../harness/rig.js";
import { Ledger, sdsVerb, smsVerb, type Workload } from "../harness/workloads.js";
import { ledgerRows } from "./common.js";

/**
 * Device loss (docs/reliability.md R6, docs/reliability.md #19): the pty of the terminal or the modem is removed in the
 * middle of a send and re-created at the same path, `--cycles` times each (default 50): link down within
 * 5 s, ready again within 5 s of the path reappearing, nothing accepted lost, no SDS sent twice. Then a
 * terminal reboot (registrations lost) and a terminal that answers with another ISSI.
 */
const ISSI_PEER = "2009999";

export async function deviceLoss(args: ProofArgs): Promise<Report> {
  const cycles = args.cycles ?? (args.short ? 6 : 50);
  const report = new Report("device-loss");
  const rnd = rng(args.seed);
  const rig = await Rig.create({ uplink: false });
  const ledger = new Ledger();
  const mix: [Workload, number][] = [
    [sdsVerb, 3],
    [smsVerb, 1],
  ];
  const down: Record<string, number[]> = { "terminal-1": [], "modem-1": [] };
  const back: Record<string, number[]> = { "terminal-1": [], "modem-1": [] };
  let timeouts = 0;
  try {
    await rig.start();
    const load = new Load(rig, ledger, mix, rnd);
    load.start(4, 100);
    for (let c = 0; c < cycles * 2; c++) {
      const [id, dev] = c % 2 === 0 ? (["terminal-1", rig.terminal] as const) : (["modem-1", rig.modem] as const);
      // In the middle of a send: a send of this device's kind is started, the pty goes 0–150 ms later.
      void ledger.submit(rig, id === "terminal-1" ? sdsVerb : smsVerb);
      await sleep(rnd() * 150);
      const t0 = performance.now();
      await dev.unplug();
      try {
        down[id]!.push((await rig.linkEvent(id, (s) => s !== "ready", t0, 15_000)) - t0);
      } catch {
        timeouts++;
        report.note(`cycle ${c}: ${id} not reported down within 15 s of the unplug; events: ${JSON.stringify(rig.linkEvents.filter((e) => e.link === id).slice(-3))}`);
      }
      await sleep(300 + rnd() * 1500);
      await dev.plug();
      const t1 = performance.now();
      try {
        back[id]!.push((await rig.linkEvent(id, (s) => s === "ready", t1, 15_000)) - t1);
      } catch {
        timeouts++;
        report.note(`cycle ${c}: ${id} not ready within 15 s of the path reappearing; events: ${JSON.stringify(rig.linkEvents.filter((e) => e.link === id).slice(-3))}`);
      }
      await sleep(rnd() * 500);
    }
    load.stop();
    await load.settled();
    await drain(rig, ledger, 30_000);
    report.add("unplug/replug cycles (terminal + modem)", `${cycles} + ${cycles}`);
    for (const id of ["terminal-1", "modem-1"]) {
      report.atMost(`${id}: unplug → link down, max`, Math.max(...down[id]!) / 1000, 5, " s");
      report.add(`${id}: unplug → link down, p50`, `${round(percentile(down[id]!, 50) / 1000, 2)} s`);
      report.atMost(`${id}: path back → link ready, max`, Math.max(...back[id]!) / 1000, 5, " s");
      report.add(`${id}: path back → link ready, p50`, `${round(percentile(back[id]!, 50) / 1000, 2)} s`);
    }
    report.add("state changes not seen within 15 s", timeouts, "0", timeouts === 0);
    // A send cut by the unplug may have reached the terminal before its answer was lost: it is sent once
    // more (same SDS-TL message reference), the at-least-once window of R3 with k = unplugs in its flight.
    const sds = ledger.figures(rig, rig.terminal.unplugs, [sdsVerb]).get("sds/send")!;
    const sms = ledger.figures(rig, rig.modem.unplugs, [smsVerb]).get("sms/send")!;
    ledgerRows(report, new Map([["sds/send", sds], ["sms/send", sms]]));
    report.add("SDS sent twice: outside the window (all, each after an unplug mid-send)", `${sds.duplicatesOutsideWindow} (${sds.duplicates})`, "0", sds.duplicatesOutsideWindow === 0);
    await rebootCase(rig, report);
    await otherIssiCase(rig, report);
  } finally {
    await rig.close(!report.passed);
    if (!report.passed) report.note(`rig kept: ${rig.dir}`);
  }
  return report;
}

/** The terminal reboots: its CTSP registrations are gone, so incoming SDS only work if the gateway re-registers. */
async function rebootCase(rig: Rig, report: Report): Promise<void> {
  const t0 = performance.now();
  const rebooted = rig.terminal.sim.reboot(2000);
  await rebooted;
  // Ready again after it noticed the reboot (a link state other than ready first), and registered to the
  // network again (an SDS cannot reach an unregistered terminal; the network would keep it).
  const noticedAt = await rig.linkEvent("terminal-1", (s) => s !== "ready", t0, 15_000).catch(() => NaN);
  const readyAt = await rig.linkEvent("terminal-1", (s) => s === "ready", Number.isNaN(noticedAt) ? t0 : noticedAt, 30_000).catch(() => NaN);
  await until(() => (rig.terminal.sim.state.regStat === 1 ? true : undefined), 15_000, "the terminal registered").catch(() => undefined);
  await sleep(300);
  const before = rig.sdsReceived.length;
  rig.terminal.sim.injectText(ISSI_PEER, "After reboot");
  const got = await until(() => (rig.sdsReceived.slice(before).some((s) => s["text"] === "After reboot") ? true : undefined), 10_000, "the SDS").catch(() => false);
  const r = await rig.request("sds/send", { to: `issi:${ISSI_PEER}`, text: "Sent after reboot" }, 20_000).catch((): Record<string, unknown> => ({}));
  report.add("terminal reboot noticed by the gateway", Number.isNaN(noticedAt) ? "no" : `after ${Math.round((noticedAt - t0) / 100) / 10} s`, "yes", !Number.isNaN(noticedAt));
  report.atMost("terminal reboot (2 s) → ready again", (readyAt - t0) / 1000, 10, " s");
  report.add("after the reboot: incoming SDS published / outgoing SDS accepted", `${got ? "yes" : "no"} / ${r["status"] === "ok" ? "yes" : "no"}`, "yes / yes", got && r["status"] === "ok");
}

/** Another radio on the port (a swapped terminal with another ISSI): link degraded, no SDS under its identity. */
async function otherIssiCase(rig: Rig, report: Report): Promise<void> {
  const t0 = performance.now();
  const right = await rig.terminal.swap(simTerminal("2007777"));
  const degradedAt = await rig.linkEvent("terminal-1", (s) => s === "degraded", t0, 15_000).catch(() => NaN);
  const wrong = rig.terminal.sim;
  const r = await rig.request("sds/send", { to: `issi:${ISSI_PEER}`, text: "Under a foreign ISSI" }, 20_000).catch((): Record<string, unknown> => ({}));
  await sleep(300);
  const sentByWrong = wrong.sent.filter((s) => s.text === "Under a foreign ISSI").length;
  report.atMost("terminal with another ISSI → link degraded", (degradedAt - t0) / 1000, 5, " s");
  report.add("SDS sent through the terminal with the wrong ISSI", `${sentByWrong} (answer: ${(r["error"] as { code?: string } | undefined)?.code ?? (typeof r["status"] === "string" ? r["status"] : "none")})`, "0, refused", sentByWrong === 0 && r["status"] === "error");
  const t1 = performance.now();
  await rig.terminal.swap(right);
  const readyAt = await rig.linkEvent("terminal-1", (s) => s === "ready", t1, 15_000).catch(() => NaN);
  report.atMost("right terminal back → link ready", (readyAt - t1) / 1000, 5, " s");
}

