import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ProofArgs } from "../run.js";
import { drain } from "../harness/load.js";
import { scratchDir } from "../harness/mounts.js";
import { sleep } from "../harness/processes.js";
import { Report } from "../harness/report.js";
import { Rig } from "../harness/rig.js";
import { Ledger, uplinkPublish } from "../harness/workloads.js";

/**
 * State files (docs/reliability.md R8, docs/reliability.md #34, #36): every state file of the daemon made empty,
 * NUL-filled, truncated and of a wrong version while it is stopped; then started the way systemd would
 * (up to 3 attempts): it must come up with terminal and modem ready — never a crash loop — and say what it
 * did with the file. Then a full disk: uplink publishes are not acknowledged while nothing can be written,
 * the daemon stays up, and everything acknowledged is delivered once space is back.
 */
const FILES = ["broker/broker-state.json", "uplink/uplink-queue.jsonl", "sim-pin-state.json", "inbox-modem-1.jsonl"] as const;
const DAMAGE: Record<string, (valid: Buffer) => Buffer> = {
  empty: () => Buffer.alloc(0),
  "NUL-filled": (v) => Buffer.alloc(Math.max(4096, v.length)),
  truncated: (v) => v.subarray(0, Math.max(1, Math.floor(v.length / 2))),
  "wrong version": () => Buffer.from(JSON.stringify({ version: 99, written: "by a newer rakelgw" }) + "\n"),
};

export async function stateFiles(args: ProofArgs): Promise<Report> {
  const report = new Report("state-files");
  const fs = scratchDir(8 * 1024);
  const rig = await Rig.create({ stateDir: join(fs.path, "state") });
  const ledger = new Ledger();
  let crashLoops = 0;
  try {
    await rig.start();
    // Some traffic first, so the files hold something to damage.
    for (let i = 0; i < 10; i++) await ledger.submit(rig, uplinkPublish);
    await rig.request("sds/send", { to: "issi:2009999", text: "Före skadan" });
    rig.modem.sim.deliverSms("+46709999999", "Inkommande före skadan");
    await sleep(1500);
    let n = 0;
    for (const file of FILES) {
      // CI (--short) takes two damages per file, alternating, so every damage is still met.
      for (const [name, damage] of Object.entries(DAMAGE).filter(() => !args.short || n++ % 2 === 0)) {
        await rig.terminate();
        const path = join(rig.stateDir, file);
        const valid = existsSync(path) ? readFileSync(path) : Buffer.from('{"valid":true}\n');
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, damage(valid));
        let attempts = 0;
        let up = false;
        while (!up && attempts < 3) {
          attempts++;
          up = await rig.startAnswering(20_000).then(
            () => true,
            async () => {
              await rig.kill();
              return false;
            },
          );
        }
        if (!up) crashLoops++;
        const section = rig.daemonLog.split("=== start ").slice(-attempts).join("\n");
        const said = /"level":(50|40)[^\n]*?"msg":"([^"]*)"/.exec(section.split("\n").find((l) => l.includes(file.split("/").at(-1)!) && /"level":(40|50)/.test(l)) ?? "")?.[2];
        const aside = readdirSync(dirname(path)).some((f) => f.startsWith(`${file.split("/").at(-1)!}.corrupt`));
        // Up means answering; the links then say what the file cost (the PIN facts: modem degraded, by design).
        const links = up ? await rig.waitReady(10_000).then(() => "links ready", () => `terminal ${rig.linkState("terminal-1") ?? "?"}, modem ${rig.linkState("modem-1") ?? "?"}`) : "";
        report.add(`${file} ${name}`, up ? `up after ${attempts} start(s), ${links}${aside ? ", copy kept" : ""}${said ? `; log: ${said.slice(0, 60)}` : ""}` : "CRASH LOOP", "up, ≤ 2 starts", up && attempts <= 2);
        if (up) {
          // Still working: an uplink publish is acknowledged and delivered.
          await ledger.submit(rig, uplinkPublish);
        }
      }
    }
    await fullDisk(rig, ledger, report, fs.mounted);
    await drain(rig, ledger, 30_000);
    const f = ledger.figures(rig, rig.exits.map((e) => e.at), [uplinkPublish]).get("uplink")!;
    report.add("uplink messages acknowledged / lost", `${f.accepted} / ${f.lost}`, "0 lost", f.lost === 0);
    if (f.lost > 0) report.note(`lost: ${f.lostKeys.join(", ")} of ${ledger.items.map((i) => i.key).join(",")}`);
    report.add("start attempts that never came up (crash loops)", crashLoops, "0", crashLoops === 0);
  } finally {
    await rig.close(!report.passed);
    fs.remove();
  }
  return report;
}

/** Fills the state file system, publishes, frees it again. */
async function fullDisk(rig: Rig, ledger: Ledger, report: Report, mounted: boolean): Promise<void> {
  if (!mounted) {
    report.add("full disk", "not run: the runner is not root (no tmpfs)", "run", false);
    return;
  }
  await rig.regional!.kill();
  const filler = join(rig.stateDir, "filler");
  try {
    writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
  } catch {
    /* ENOSPC: full, as wanted */
  }
  const exitsBefore = rig.exits.length;
  const during = [];
  for (let i = 0; i < 10; i++) during.push(await ledger.submit(rig, uplinkPublish));
  const acked = during.filter((i) => i.outcome === "accepted").length;
  // A publish the broker could not journal closes that connection without PUBACK (by design), and the proof's
  // client resends it on every reconnect (MQTT 3.1.1 §4.4), so health is asked over a fresh connection.
  const health = await rig.freshRequest("health", {}, 5000).catch(() => undefined);
  rmSync(filler, { force: true });
  await rig.regional!.resume();
  await sleep(2000);
  const after = await ledger.submit(rig, uplinkPublish);
  report.add("full disk: uplink publishes acknowledged while full (each needs an fsync)", `${acked} of 10`, "", undefined);
  report.add("full disk: daemon kept running and answered health", rig.exits.length === exitsBefore && health?.["status"] === "ok" ? "yes" : "no", "yes", rig.exits.length === exitsBefore && health?.["status"] === "ok");
  report.add("full disk: publish acknowledged once space is back", after.outcome === "accepted" ? "yes" : "no", "yes", after.outcome === "accepted");
}
