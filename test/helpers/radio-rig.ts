/**
 * A simulated Rakel terminal on a memory port with the real PEI adapter on top, with short timings, for the
 * integration tests in test/integration/rakel-pei/.
 *
 *   RakelPeiAdapter ──MemoryPort.factory──► memory link ══► SimTerminal
 *        events ─► rig.received / rig.progress / rig.health        └─► rig.commands (sim "command" events)
 *                                                                       rig.wire (every byte the host wrote)
 *                                                                       rig.fromDevice (every byte back)
 *
 * `close()` stops everything and then fails the test if the host ever sent `ATZ` (it reboots some Sepura
 * terminals, docs/pei.md §1.2) or the simulator raised a warning: that check runs for every test using the rig.
 */
import type { LinkHealth } from "../../adapters/at/link-health.js";
import { RakelPeiAdapter, type RakelPeiAdapterOptions } from "../../adapters/rakel-pei/rakel-pei-adapter.js";
import { SimTerminal, type SimTerminalConfig } from "../../adapters/rakel-pei/sim/index.js";
import { loadProfile, type TerminalProfile } from "../../adapters/rakel-pei/terminal-profile.js";
import type { ByteLinkFactory } from "../../adapters/serial-link/byte-link.js";
import { MemoryPort } from "../../adapters/serial-link/memory-link.js";
import type { ReceivedSds, SdsProgress, SdsStage } from "../../src/ports/radio-terminal.js";
import { silentLogger, type Logger } from "../../src/shared/logger.js";

/** Test timings (ms) of {@link fastProfile}. */
export const FAST = {
  commandTimeoutMs: 500,
  sendTimeoutMs: 1000,
  heartbeatMs: 250,
} as const;

/** The etsi-generic profile with test timings; `over` may change anything else. */
export function fastProfile(over: (p: TerminalProfile) => void = () => undefined): TerminalProfile {
  const p = structuredClone(loadProfile("etsi-generic"));
  p.pei.commandTimeoutMs = FAST.commandTimeoutMs;
  p.pei.sendTimeoutMs = FAST.sendTimeoutMs;
  p.pei.heartbeatMs = FAST.heartbeatMs;
  over(p);
  return p;
}

/** Small simulator delays so reports and air results come back within tens of milliseconds. */
export const FAST_SIM: Partial<SimTerminalConfig> = {
  airDelayMs: 10,
  reportDelayMs: 20,
  registrationDelayMs: 50,
  userDataTimeoutMs: 1000,
};

export interface RadioRigOptions {
  sim?: Partial<SimTerminalConfig>;
  profile?: TerminalProfile;
  adapter?: Partial<Omit<RakelPeiAdapterOptions, "profile" | "linkFactory">>;
  /** Default true: start the adapter and wait until it is ready. */
  start?: boolean;
  log?: Logger;
}

export interface RadioRig {
  sim: SimTerminal;
  port: MemoryPort;
  radio: RakelPeiAdapter;
  profile: TerminalProfile;
  /** Every command line the simulator processed, in order (AT+CMGS shows as its command line). */
  commands: string[];
  /** Every byte the host wrote to the terminal, per connection, as Latin-1. */
  wire: string[];
  /** Every byte the terminal wrote to the host, per connection, as Latin-1. */
  fromDevice: string[];
  received: ReceivedSds[];
  progress: SdsProgress[];
  health: LinkHealth[];
  simWarnings: string[];
  /** How often the adapter tried to open the port (successful or not). */
  readonly openAttempts: number;
  /** Progress events of one send, in order. */
  stagesOf(id: string): SdsStage[];
  /** Waits until send `id` reached `stage` (or failed, which rejects unless `stage` is "failed"). */
  waitStage(id: string, stage: SdsStage, ms?: number): Promise<SdsProgress>;
  /** Waits for the first received SDS (after index `from`) matching `pred`. */
  waitSds(pred: (s: ReceivedSds) => boolean, ms?: number, from?: number): Promise<ReceivedSds>;
  /** Waits until the adapter's health is `state` (now or later). */
  waitHealth(state: LinkHealth["state"], ms?: number): Promise<void>;
  /** Commands seen since index `from` matching `re`. */
  count(re: RegExp, from?: number): number;
  close(): Promise<void>;
}

/** Polls `cond` every 5 ms until it holds, or throws after `ms`. */
export async function until(cond: () => boolean, ms = 3000, what: string | (() => string) = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Settles with `p`, or rejects after `ms` (a hang becomes a failure with a name). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Builds the rig; by default starts the adapter and waits until it is ready (3 s bound). */
export async function radioRig(o: RadioRigOptions = {}): Promise<RadioRig> {
  const port = new MemoryPort("radio");
  const sim = new SimTerminal({ config: { ...FAST_SIM, ...o.sim } });
  const offServe = sim.servePort(port);
  const wire: string[] = [];
  const fromDevice: string[] = [];
  const offWire = port.onConnection((deviceEnd) => {
    const i = wire.push("") - 1;
    fromDevice.push("");
    deviceEnd.onData((chunk) => (wire[i] += chunk.toString("latin1")));
    const write = deviceEnd.write.bind(deviceEnd);
    deviceEnd.write = (data) => {
      fromDevice[i] += typeof data === "string" ? data : Buffer.from(data).toString("latin1");
      return write(data);
    };
  });
  const profile = o.profile ?? fastProfile();
  let openAttempts = 0;
  const linkFactory: ByteLinkFactory = () => {
    openAttempts++;
    return port.factory();
  };
  const radio = new RakelPeiAdapter({ name: "radio-a", log: o.log ?? silentLogger(), profile, linkFactory, dedupWindowMs: 2000, ...o.adapter });
  const commands: string[] = [];
  const received: ReceivedSds[] = [];
  const progress: SdsProgress[] = [];
  const health: LinkHealth[] = [];
  const simWarnings: string[] = [];
  sim.on("command", (line) => commands.push(line));
  sim.on("warning", (m) => simWarnings.push(m));
  radio.on("sds", (s) => received.push(s));
  radio.on("progress", (p) => progress.push(p));
  radio.on("health", (h) => health.push({ ...h }));

  const rig: RadioRig = {
    sim,
    port,
    radio,
    profile,
    commands,
    wire,
    fromDevice,
    received,
    progress,
    health,
    simWarnings,
    get openAttempts() {
      return openAttempts;
    },
    stagesOf: (id) => progress.filter((p) => p.id === id).map((p) => p.stage),
    async waitStage(id, stage, ms = 3000) {
      const find = (): SdsProgress | undefined => progress.find((p) => p.id === id && (p.stage === stage || p.stage === "failed"));
      await until(() => find() !== undefined, ms, () => `stage ${stage} of ${id} (seen: ${rig.stagesOf(id).join(",")})`);
      const p = find()!;
      if (p.stage !== stage) throw new Error(`${id} failed instead of reaching ${stage}: ${p.detail ?? ""} (status ${String(p.deliveryStatus)})`);
      return p;
    },
    async waitSds(pred, ms = 3000, from = 0) {
      await until(() => received.slice(from).some(pred), ms, "a matching received SDS");
      return received.slice(from).find(pred)!;
    },
    waitHealth: (state, ms = 3000) => until(() => radio.health.state === state, ms, () => `health ${state} (now ${radio.health.state}: ${radio.health.detail})`),
    count: (re, from = 0) => commands.slice(from).filter((c) => re.test(c)).length,
    async close() {
      await radio.stop().catch(() => undefined);
      sim.stop();
      offServe();
      offWire();
      const atz = commands.filter((c) => /^ATZ/i.test(c));
      if (atz.length > 0 || simWarnings.length > 0) {
        throw new Error(`the host sent ATZ or upset the simulator: ${JSON.stringify([...atz, ...simWarnings])}`);
      }
    },
  };
  if (o.start ?? true) {
    await radio.start();
    await radio.waitReady(3000);
  }
  return rig;
}
