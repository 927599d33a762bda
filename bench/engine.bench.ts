/**
 * Engine overhead: commands per second through the AT engine vs. a bare write/wait-for-OK loop over the
 * same pseudo-terminal pair, with an in-process responder on the other end (target: engine ≥ 80 % of bare).
 * And the idle latency from `sendSds()` to the first byte of `AT+CMGS` on the wire (target p99 ≤ 5 ms).
 */
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

async function sendLatency(): Promise<{ p50: number; p99: number; max: number }> {
  const pair = await ptyPair();
  const device = await open(pair.b);
  let cmgsAt = 0;
  responder(device, (line, t) => {
    if (line.startsWith("AT+CMGS=") && cmgsAt === 0) cmgsAt = t;
  });
  const profile = loadProfile("etsi-generic");
  const radio = new RakelPeiAdapter({ name: "bench", log: silentLogger(), profile, linkFactory: serialPortFactory({ path: pair.a, baudRate: 115200 }), heartbeatMs: 0 });
  await radio.start();
  await radio.waitReady(10_000);
  const samples: number[] = [];
  for (let i = 0; i < 500; i++) {
    cmgsAt = 0;
    const t0 = performance.now();
    await radio.sendSds({ kind: "issi", ssi: "2001234" }, { type: "text", text: `Larm ${i}` });
    samples.push(cmgsAt - t0);
    await new Promise((r) => setTimeout(r, 2));
  }
  await radio.stop();
  await new Promise<void>((r) => device.close(() => r()));
  await pair.close();
  samples.sort((a, b) => a - b);
  return { p50: pct(samples, 50), p99: pct(samples, 99), max: samples.at(-1)! };
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
  };
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(36)} ${v}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
