/**
 * Engine overhead: commands per second through the AT engine vs. a bare write/wait-for-OK loop over the
 * same pseudo-terminal pair, with an in-process responder on the other end (target: engine ≥ 80 % of bare).
 * And the idle latency from `sendSds()` to the first byte of `AT+CMGS` on the wire (target p99 ≤ 5 ms).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { AtEngine } from "../adapters/at/at-engine.js";
import { probeCommand } from "../adapters/at/basic-commands.js";
import { LineTokenizer } from "../adapters/at/line-tokenizer.js";
import { RakelPeiAdapter } from "../adapters/rakel-pei/rakel-pei-adapter.js";
import { loadProfile } from "../adapters/rakel-pei/terminal-profile.js";
import { serialPortFactory } from "../adapters/serial-link/serialport-link.js";
import { silentLogger } from "../src/shared/logger.js";
import { ptyPair } from "../test/helpers/pty-pair.js";

const N = 1500;

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: 115200, autoOpen: false });
    p.open((err) => (err ? reject(err) : resolve(p)));
  });
}

/** A minimal device: answers every command line with OK; `onLine` sees each line with its arrival time. */
function responder(port: SerialPort, onLine?: (line: string, t: number) => void): void {
  const tok = new LineTokenizer();
  port.on("data", (chunk: Buffer) => {
    const t = performance.now();
    for (const token of tok.push(chunk)) {
      if (token.type !== "line") continue;
      onLine?.(token.text, t);
      if (/^AT\+CMGS=\d/.test(token.text)) continue; // answered after the user data line
      if (token.end === "ctrl-z") port.write("\r\n+CMGS: 0\r\n\r\nOK\r\n");
      else port.write("\r\nOK\r\n");
    }
  });
}

async function bareLoop(host: SerialPort): Promise<number> {
  let buf = "";
  let waiter: (() => void) | undefined;
  host.on("data", (c: Buffer) => {
    buf += c.toString("latin1");
    if (buf.includes("OK\r\n")) {
      buf = "";
      waiter?.();
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    await new Promise<void>((r) => {
      waiter = r;
      host.write("AT\r");
    });
  }
  const dt = performance.now() - t0;
  host.removeAllListeners("data");
  return (N / dt) * 1000;
}

async function engineLoop(host: SerialPort): Promise<number> {
  const engine = new AtEngine({
    name: "bench",
    log: silentLogger(),
    urcs: [],
    write: (d) => new Promise((res, rej) => host.write(Buffer.from(d, "latin1"), (e) => (e ? rej(e) : res()))),
  });
  host.on("data", (c: Buffer) => engine.receive(c));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await engine.execute(probeCommand, undefined, { retries: 0 });
  const dt = performance.now() - t0;
  host.removeAllListeners("data");
  engine.close();
  return (N / dt) * 1000;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sendLatency(): Promise<{ p50: number; p99: number; max: number; rttP50: number; rttP99: number }> {
  const pair = await ptyPair();
  // The terminal side runs in its own process, as a real terminal does; arrival times of AT+CMGS come back
  // as wall-clock times comparable with ours (performance.timeOrigin + now).
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "pty-responder.ts"), pair.b], { stdio: ["ignore", "pipe", "inherit"] });
  const arrivals: number[] = [];
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  let buf = "";
  child.stdout.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line === "ready") ready();
      else arrivals.push(Number(line));
    }
  });
  await isReady;
  // Reference: one bare AT/OK round trip through the same pty to the same responder. Every SDS needs one
  // before its AT+CMGS (AT+CTSDS is re-selected each time, docs/pei.md §3.1), so this is the floor of the figure.
  const rawHost = await open(pair.a);
  const rtt: number[] = [];
  let onOk: () => void = () => undefined;
  let acc = "";
  rawHost.on("data", (c: Buffer) => {
    acc += c.toString("latin1");
    if (acc.includes("OK\r\n")) {
      acc = "";
      onOk();
    }
  });
  for (let i = 0; i < 520; i++) {
    const t0 = performance.now();
    await new Promise<void>((r) => {
      onOk = r;
      rawHost.write("AT\r");
    });
    if (i >= 20) rtt.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise<void>((r) => rawHost.close(() => r()));
  rtt.sort((a, b) => a - b);
  const profile = loadProfile("etsi-generic");
  const radio = new RakelPeiAdapter({ name: "bench", log: silentLogger(), profile, linkFactory: serialPortFactory({ path: pair.a, baudRate: 115200 }), heartbeatMs: 0 });
  await radio.start();
  await radio.waitReady(10_000);
  const samples: number[] = [];
  for (let i = 0; i < 520; i++) {
    const before = arrivals.length;
    const t0 = performance.timeOrigin + performance.now();
    await radio.sendSds({ kind: "issi", ssi: "2001234" }, { type: "text", text: `Larm ${i}` });
    while (arrivals.length === before) await new Promise((r) => setImmediate(r));
    if (i >= 20) samples.push(arrivals[before]! - t0); // the first 20 warm the JIT up
    await new Promise((r) => setTimeout(r, 2));
  }
  await radio.stop();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await pair.close();
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p99: pct(samples, 99), max: samples.at(-1)!, rttP50: pct(rtt, 50), rttP99: pct(rtt, 99) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Record<string, number>> {
  const pair = await ptyPair();
  const [host, device] = await Promise.all([open(pair.a), open(pair.b)]);
  responder(device);
  // Alternate the two loops over several rounds (after a warm-up of each) so JIT warm-up and machine
  // load hit both alike; report the median round of each.
  await bareLoop(host);
  await engineLoop(host);
  const bares: number[] = [];
  const engines: number[] = [];
  for (let round = 0; round < 5; round++) {
    bares.push(await bareLoop(host));
    engines.push(await engineLoop(host));
  }
  const bare = median(bares);
  const engine = median(engines);
  await Promise.all([new Promise<void>((r) => host.close(() => r())), new Promise<void>((r) => device.close(() => r()))]);
  await pair.close();
  const lat = await sendLatency();
  const out = {
    "engine.bare_cmds_per_s": Math.round(bare),
    "engine.engine_cmds_per_s": Math.round(engine),
    "engine.ratio_percent": Math.round((engine / bare) * 1000) / 10,
    "engine.sendSds_to_CMGS_p50_ms": Math.round(lat.p50 * 1000) / 1000,
    "engine.sendSds_to_CMGS_p99_ms": Math.round(lat.p99 * 1000) / 1000,
    "engine.sendSds_to_CMGS_max_ms": Math.round(lat.max * 1000) / 1000,
    "engine.bare_AT_roundtrip_p50_ms": Math.round(lat.rttP50 * 1000) / 1000,
    "engine.bare_AT_roundtrip_p99_ms": Math.round(lat.rttP99 * 1000) / 1000,
  };
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(36)} ${v}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
