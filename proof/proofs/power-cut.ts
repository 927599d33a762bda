import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProofArgs } from "../run.js";
import { drain, Load } from "../harness/load.js";
import { scratchDir } from "../harness/mounts.js";
import { sleep } from "../harness/processes.js";
import { rng } from "../harness/random.js";
import { Report } from "../harness/report.js";
import { Rig } from "../harness/rig.js";
import { alertWorkloads, Ledger, uplinkPublish } from "../harness/workloads.js";
import { ledgerRows } from "./common.js";

/**
 * Power cut (docs/reliability.md R2, docs/reliability.md #35): the uplink journal is being written (the regional broker is
 * down, so it only grows) when the daemon is killed at a random moment; then the write path "stops
 * mid-record": the file is cut at a random byte after the last acknowledged record (what an fsync
 * guarantees survives) and, in most trials, ends in half a record or a run of NULs, as a power cut leaves
 * it. The daemon must open the journal, detect and drop the torn record, and deliver every acknowledged
 * message once the regional broker is back. The alert journal gets the same cut in each trial, while an
 * alert to 1–200 recipients is being dispatched: it must open, drop its torn tail, and every recipient of
 * every alert answered `ok` must be reached. The state directory is a tmpfs when the runner is root.
 */
export async function powerCut(args: ProofArgs): Promise<Report> {
  const trials = args.trials ?? (args.short ? 10 : 50);
  const report = new Report("power-cut");
  const rnd = rng(args.seed);
  const fs = scratchDir(64 * 1024);
  // The uplink queue's cap (10 000 messages by default) drops the oldest messages by design once the
  // regional broker has been away long enough (README, uplink). With the broker down for the whole proof an
  // idle machine submits more than that, and the cap's documented drops then looked like lost messages:
  // this proof is about torn records, so the cap is set beyond what its trials can submit (the tmpfs still
  // refuses, without a PUBACK, whatever does not fit).
  const rig = await Rig.create({
    stateDir: join(fs.path, "state"),
    sdsPerMinute: 6000,
    tweak: (c) => {
      const uplink = (c["mqtt"] as { uplink?: Record<string, unknown> }).uplink;
      if (uplink) Object.assign(uplink, { queueMaxMessages: 10_000_000, queueMaxBytes: 1024 * 1024 * 1024 });
    },
  });
  const ledger = new Ledger();
  const journal = join(rig.stateDir, "uplink", "uplink-queue.jsonl");
  let torn = 0;
  let detected = 0;
  let startFailures = 0;
  let ackedNotInJournal = 0;
  const alertJournal = join(rig.stateDir, "dispatch", "alerts.journal");
  const alerts = alertWorkloads();
  let alertTorn = 0;
  let alertDetected = 0;
  let alertsNotInJournal = 0;
  try {
    await rig.start();
    await rig.regional!.kill();
    for (let t = 0; t < trials; t++) {
      const load = new Load(rig, ledger, [[uplinkPublish, 1]], rnd);
      load.start(8);
      const alertStart = ledger.submit(rig, alerts.alertSend);
      await sleep(100 + rnd() * 1400);
      load.stop();
      await rig.kill("SIGKILL");
      rig.abandonRequests();
      await alertStart;
      // What must survive: every record acknowledged so far (PUBACK after fsync).
      const text = readFileSync(journal);
      const latin = text.toString("latin1");
      let mustKeep = 0;
      for (const i of ledger.items) {
        if (i.outcome !== "accepted" || i.workload !== uplinkPublish) continue;
        const at = latin.indexOf(Buffer.from(i.key).toString("base64"));
        if (at < 0) {
          ackedNotInJournal++;
          continue;
        }
        mustKeep = Math.max(mustKeep, latin.indexOf("\n", at) + 1);
      }
      if (cutJournal(journal, text, mustKeep, rnd)) torn++;
      // The alert journal: every alert answered `ok` has its first record on disk (fsync before `ok`), or has
      // already moved to the archive. Later records (its progress) may be cut too, which is harsher than a
      // power cut (they were fsynced): the restart then sends to those recipients again, inside R3's window.
      const alertText = existsSync(alertJournal) ? readFileSync(alertJournal) : Buffer.alloc(0);
      const alertLatin = alertText.toString("latin1");
      const archived = archiveText(rig.stateDir);
      let alertKeep = 0;
      for (const i of ledger.items) {
        if (i.outcome !== "accepted" || i.workload !== alerts.alertSend) continue;
        const at = alertLatin.indexOf(`Proof ${i.key}"`);
        if (at < 0) {
          if (!archived.includes(`Proof ${i.key}"`)) alertsNotInJournal++;
          continue;
        }
        alertKeep = Math.max(alertKeep, alertLatin.indexOf("\n", at) + 1);
      }
      if (alertText.length > 0 && cutJournal(alertJournal, alertText, alertKeep, rnd)) alertTorn++;
      try {
        await rig.start(30_000);
      } catch {
        startFailures++;
        await rig.kill();
        await rig.start(30_000);
      }
      const section = rig.daemonLog.split("=== start ").at(-1) ?? "";
      if (section.includes('"event":"journal-bad-record"')) detected++;
      if (section.includes('"event":"journal-torn-tail"')) alertDetected++;
    }
    await rig.regional!.resume();
    await drain(rig, ledger, 120_000);
    report.add("cuts (SIGKILL + journal cut after the last acked record)", `${trials} (state dir on ${fs.mounted ? "tmpfs" : "a plain directory: not root"})`);
    report.add("cuts that ended mid-record (half record or NULs)", torn);
    report.add("torn last records detected and dropped on start", `${detected} of ${torn}`, "all", detected === torn);
    report.add("starts that failed after a cut", startFailures, "0", startFailures === 0);
    report.add("acknowledged messages not in the journal at the cut", ackedNotInJournal, "0", ackedNotInJournal === 0);
    report.add("alert journal: cuts that ended mid-record", alertTorn);
    report.add("alert journal: torn last records detected and dropped on start", `${alertDetected} of ${alertTorn}`, "all", alertDetected === alertTorn);
    report.add("alerts answered ok but in neither journal nor archive at the cut", alertsNotInJournal, "0", alertsNotInJournal === 0);
    ledgerRows(report, ledger.figures(rig, rig.exits.map((e) => e.at), [uplinkPublish, alerts.alertSend]));
  } finally {
    await rig.close(!report.passed);
    fs.remove();
  }
  return report;
}

/**
 * Cuts a journal at a random byte at or after `mustKeep` and, in most cases, leaves a torn tail: half of a
 * real record (40 %) or a run of NULs (40 %), as a power cut mid-write leaves a file. True when the file
 * now ends mid-record.
 */
function cutJournal(path: string, text: Buffer, mustKeep: number, rnd: () => number): boolean {
  const latin = text.toString("latin1");
  const cut = mustKeep + Math.floor(rnd() * (text.length - mustKeep + 1));
  const mode = rnd();
  let tail = Buffer.alloc(0);
  if (mode < 0.4) {
    const line = Buffer.from(latin.slice(latin.indexOf("\n", Math.max(0, mustKeep - 1)) + 1).split("\n")[0] ?? "x", "latin1");
    tail = line.subarray(0, Math.max(1, Math.floor(line.length * rnd())));
  } else if (mode < 0.8) {
    tail = Buffer.alloc(1 + Math.floor(rnd() * 4096));
  }
  const out = Buffer.concat([text.subarray(0, cut), tail]);
  writeFileSync(path, out);
  return out.length > 0 && out[out.length - 1] !== 0x0a;
}

/** Every archived alert record of the state directory, as one text. */
function archiveText(stateDir: string): string {
  const dir = join(stateDir, "dispatch", "archive");
  if (!existsSync(dir)) return "";
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), "latin1"))
    .join("");
}
