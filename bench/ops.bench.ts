/**
 * Field-operations figures of the daemon as systemd runs it (the built CLI, `rakelgw run`, simulated
 * terminal and modem): start → READY=1 on a fake $NOTIFY_SOCKET, RSS and CPU while idle (main process and
 * broker child apart), and the status page's first paint and first live data in Debian's chromium.
 * Start-up is measured with 10 000 archived alerts in the state directory (issue 12's target: READY=1
 * ≤ 2 s, main RSS ≤ 120 MB); RSS is measured idle and again after 1 000 alerts sent through `alert/send`.
 * Run: `npm run build && npm run bench -- ops`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import mqtt from "mqtt";
import { hashPassword } from "../adapters/mqtt/auth/password-hash.js";
import { AlertStore } from "../src/dispatch/alert-store.js";
import { encodeCrcLine } from "../src/shared/crc-line.js";
import { createRootLogger } from "../src/shared/logger.js";
import { alertDoc } from "./dispatch.bench.js";
import { openBrowser } from "../test/helpers/browser.js";

const ROOT = resolve(import.meta.dirname, "..");
const CLI = resolve(ROOT, "dist/src/main.js");
const TICK = 100; // USER_HZ on Linux
const ARCHIVED = 10_000;
const SENT = 1_000;
const PER_FILE = 2000;

/**
 * Leaves `ARCHIVED` finished alerts in `<stateDir>/dispatch/archive` as the alert store writes them (CRC lines,
 * `PER_FILE` per file), then opens the store once to check that it indexes them all.
 */
async function seedArchive(stateDir: string): Promise<void> {
  const dir = join(stateDir, "dispatch");
  mkdirSync(join(dir, "archive"), { recursive: true });
  for (let f = 0; f < ARCHIVED / PER_FILE; f++) {
    const lines = Array.from({ length: PER_FILE }, (_, i) => encodeCrcLine(alertDoc(`old-${f * PER_FILE + i}`, 5, "completed")));
    writeFileSync(join(dir, "archive", `alerts-${String(f + 1).padStart(6, "0")}.jsonl`), Buffer.concat(lines));
  }
  const store = await AlertStore.open({ dir, log: createRootLogger({ level: "warn" }), alertsPerFile: PER_FILE, keepFiles: 25 });
  const n = store.archivedCount;
  await store.close();
  if (n !== ARCHIVED) throw new Error(`the alert store indexes ${n} archived alerts, expected ${ARCHIVED}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends `SENT` alerts through `alert/send` on the embedded broker and waits for every response. */
async function sendAlerts(port: number): Promise<number> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username: "op", password: "op", clientId: `ops-bench-${process.pid}`, reconnectPeriod: 0 });
  try {
    let ok = 0;
    let got = 0;
    let wake = (): void => undefined;
    c.on("message", (_t, p) => {
      const body = JSON.parse(p.toString()) as { status?: string };
      if (body.status === "ok") ok++;
      got++;
      wake();
    });
    // At most 16 requests in flight (the API answers more than `maxConcurrentRequests` with "busy").
    const until = (n: number): Promise<void> =>
      new Promise((r) => {
        wake = () => {
          if (got >= n) r();
        };
        wake();
      });
    await c.subscribeAsync("rakelgw/bench/bridge/response/alert/send", { qos: 1 });
    for (let i = 0; i < SENT; i++) {
      await until(i - 16);
      await c.publishAsync("rakelgw/bench/bridge/request/alert/send", JSON.stringify({ transaction: `b-${i}`, kind: "activation", text: `Bench ${i}`, recipients: [`issi:${2001000 + (i % 50)}`] }), { qos: 1 });
    }
    await until(SENT);
    return ok;
  } finally {
    await c.endAsync();
  }
}

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
  const port = await freePort();
  const site = {
    site: "bench",
    stateDir: join(dir, "state"),
    mqtt: {
      baseTopic: "rakelgw/bench",
      broker: { listeners: [{ kind: "tcp", host: "127.0.0.1", port }], users: [{ username: "op", hash: await hashPassword("op") }], acl: "user op\ntopic read rakelgw/bench/#\ntopic write rakelgw/bench/bridge/request/alert/send\n", stateDir: join(dir, "broker"), logLevel: "warn" },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal" }],
    modems: [{ id: "modem-1", port: "sim:modem" }],
    http: { listen: "127.0.0.1:0" },
    dispatch: { roster: "roster.json", archive: { alertsPerFile: PER_FILE, keepFiles: 25 } },
  };
  writeFileSync(join(dir, "site.json"), JSON.stringify(site));
  writeFileSync(join(dir, "roster.json"), JSON.stringify({ people: [{ id: "anna", name: "Anna Andersson", channels: [{ sds: "2001001" }] }], roles: [] }));
  await seedArchive(site.stateDir);
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
        out["ops.idle.rss.main MB (10 000 archived)"] = rssMb(pid);
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
            // A locator, not waitForFunction: the page's CSP (no 'unsafe-eval') refuses string predicates.
            await page.locator("#conn", { hasText: /^Live$/ }).waitFor();
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
        // RSS after 1 000 alerts through alert/send on the embedded broker.
        const accepted = await sendAlerts(port);
        await new Promise((r) => setTimeout(r, 5000));
        out["ops.alerts.sent accepted of 1000"] = accepted;
        out["ops.after-1000-alerts.rss.main MB"] = rssMb(pid);
        out["ops.after-1000-alerts.rss.broker MB"] = children(pid).filter((c) => readFileSync(`/proc/${c}/cmdline`, "utf8").includes("broker")).reduce((s, b) => s + rssMb(b), 0);
        await d.stop();
      }
    }
    starts.sort((a, b) => a - b);
    out["ops.start-to-READY ms (median of 3, 10 000 archived)"] = Math.round(starts[1]!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [k, v] of Object.entries(out)) console.log(`   ${k.padEnd(48)} ${v}`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
