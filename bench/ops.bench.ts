/**
 * Field-operations figures of the daemon as systemd runs it (the built CLI, `rakelgw run`, simulated
 * terminal and modem): start → READY=1 on a fake $NOTIFY_SOCKET, RSS and CPU while idle (main process and
 * broker child apart), and the status page's first paint and first live data in Debian's chromium.
 * The alert archive (issue 10) is not in this build: start-up is measured without archived alerts.
 * Run: `npm run build && npx tsx bench/ops.bench.ts`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { hashPassword } from "../adapters/mqtt/auth/password-hash.js";
import { openBrowser } from "../test/helpers/browser.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = resolve(ROOT, "dist/src/main.js");
const TICK = 100; // USER_HZ on Linux

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Math.round(Number(m?.[1] ?? 0) / 102.4) / 10;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Daemon {
  proc: ChildProcess;
  readyMs: number;
  url: string;
  stop(): Promise<void>;
}

async function startDaemon(dir: string): Promise<Daemon> {
  const sock = join(dir, `notify-${Date.now()}.sock`);
  const receiver = spawn("perl", [resolve(ROOT, "test/fixtures/notify-receiver.pl"), sock], { stdio: ["ignore", "pipe", "inherit"] });
  let got = "";
  receiver.stdout.on("data", (d: Buffer) => (got += d.toString()));
  while (!got.includes("LISTENING")) await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  const proc = spawn(process.execPath, [CLI, "run", "--config", join(dir, "site.json"), "--allow-sim"], { env: { ...process.env, NOTIFY_SOCKET: sock, RAKELGW_LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "inherit"] });
  while (!got.includes("READY=1")) {
    if (proc.exitCode !== null) throw new Error("daemon exited before READY=1");
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - t0;
  const url = /page (http:\/\/[^ |\n]+)/.exec(got)?.[1] ?? "";
  return {
    proc,
    readyMs,
    url,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      receiver.kill("SIGKILL");
    },
  };
}

export async function run(): Promise<Record<string, number>> {
  if (!existsSync(CLI)) throw new Error("build first: npm run build");
  const dir = mkdtempSync(join(tmpdir(), "rakelgw-ops-bench-"));
  const site = {
    site: "bench",
    stateDir: join(dir, "state"),
    mqtt: {
      baseTopic: "rakelgw/bench",
      broker: { listeners: [{ kind: "tcp", host: "127.0.0.1", port: 0 }], users: [{ username: "op", hash: await hashPassword("op") }], stateDir: join(dir, "broker"), logLevel: "warn" },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal" }],
    modems: [{ id: "modem-1", port: "sim:modem" }],
    http: { listen: "127.0.0.1:0" },
  };
  writeFileSync(join(dir, "site.json"), JSON.stringify(site));
  const out: Record<string, number> = {};
  try {
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await startDaemon(dir);
      starts.push(d.readyMs);
      if (i < 2) await d.stop();
      else {
        // Idle: let start-up settle, then 20 s of nothing.
        await new Promise((r) => setTimeout(r, 5000));
        const pid = d.proc.pid!;
        const broker = children(pid).filter((c) => readFileSync(`/proc/${c}/cmdline`, "utf8").includes("broker"));
        const c0 = cpuTicks(pid);
        const b0 = broker.map(cpuTicks);
        const w0 = performance.now();
        await new Promise((r) => setTimeout(r, 20_000));
        const secs = (performance.now() - w0) / 1000;
        out["ops.idle.cpu.main %"] = Math.round(((cpuTicks(pid) - c0) / TICK / secs) * 1000) / 10;
        out["ops.idle.cpu.broker %"] = Math.round((broker.reduce((s, b, k) => s + cpuTicks(b) - b0[k]!, 0) / TICK / secs) * 1000) / 10;
        out["ops.idle.rss.main MB"] = rssMb(pid);
        out["ops.idle.rss.broker MB"] = broker.reduce((s, b) => s + rssMb(b), 0);
        // First paint of the status page in chromium (logged in already), and the first live data.
        const browser = await openBrowser();
        try {
          const page = await browser.context.newPage();
          await page.goto(`${d.url}login`);
          await page.fill("#username", "op");
          await page.fill("#password", "op");
          await page.click("button[type=submit]");
          await page.waitForURL(d.url);
          const paints: number[] = [];
          const live: number[] = [];
          for (let k = 0; k < 5; k++) {
            const t = performance.now();
            await page.goto(d.url);
            await page.waitForFunction("document.getElementById('conn')?.textContent === 'Live'");
            live.push(performance.now() - t);
            paints.push(Number(await page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1")));
          }
          paints.sort((a, b) => a - b);
          live.sort((a, b) => a - b);
          out["ops.page.first-paint ms (median of 5)"] = Math.round(paints[2]!);
          out["ops.page.first-live-data ms (median of 5)"] = Math.round(live[2]!);
        } finally {
          await browser.close();
        }
        await d.stop();
      }
    }
    starts.sort((a, b) => a - b);
    out["ops.start-to-READY ms (median of 3, no alert archive)"] = Math.round(starts[1]!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [k, v] of Object.entries(out)) console.log(`   ${k.padEnd(48)} ${v}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
