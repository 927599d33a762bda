import type { Command } from "commander";
import { PinStateStore, type PinSource } from "../../../adapters/gsm-sms/pin-guard.js";
import { SIM_MODEM_PRESETS, simModemPreset } from "../../../adapters/gsm-sms/sim/presets.js";
import { SimModem } from "../../../adapters/gsm-sms/sim/sim-modem.js";
import { runOnPty } from "../../../adapters/shared-kits/simulator/pty-runner.js";
import { join } from "node:path";
import type { ModemState } from "../../ports/sms-modem.js";
import type { Logger } from "../../shared/logger.js";
import { untilInterrupted } from "../interrupt.js";
import { ProblemExit, intOption, printJson, usage } from "../output.js";
import { withModem, type ModemSession, type ModemSessionOptions } from "../modem-session.js";
import { defaultStateDir } from "../../shared/state-dir.js";

/** Options every modem command shares. */
export interface ModemCliOptions {
  port?: string;
  baud?: string;
  profile?: string;
  pinFile?: string;
  pinEnv?: string;
  stateDir?: string;
  connectTimeout?: string;
  json?: boolean;
}

/** The PIN source of the CLI options: --pin-file, else --pin-env, else `RAKELGW_SIM_PIN`. */
export function pinSourceOf(o: ModemCliOptions): PinSource | undefined {
  if (o.pinFile && o.pinEnv) throw usage("give at most one of --pin-file and --pin-env");
  if (o.pinFile) return { file: o.pinFile };
  return { env: o.pinEnv ?? "RAKELGW_SIM_PIN" };
}

/** Runs `fn` with an initialised modem, per the shared options. */
export function openModem<T>(o: ModemCliOptions, log: Logger, fn: (s: ModemSession) => Promise<T>): Promise<T> {
  if (!o.port) throw usage("--port is required (a device path such as /dev/ttyUSB2, tcp://host:port, or sim:modem)");
  const opts: ModemSessionOptions = { port: o.port, log, stateDir: o.stateDir ?? defaultStateDir(), warn: (m) => process.stderr.write(`warning: ${m}\n`) };
  const baud = intOption(o.baud, "--baud", 1200, 921600);
  if (baud !== undefined) opts.baud = baud;
  if (o.profile) opts.profile = o.profile;
  const pin = pinSourceOf(o);
  if (pin) opts.pin = pin;
  opts.connectTimeoutMs = (intOption(o.connectTimeout, "--connect-timeout", 1, 600) ?? 15) * 1000;
  return withModem(opts, (session) => untilInterrupted(fn(session)));
}

/** The `modem info` JSON document. */
export function modemInfoJson(s: ModemState, port: string, profile: string, health: { state: string; since: Date; detail: string }): Record<string, unknown> {
  return {
    port,
    profile,
    manufacturer: s.identity.manufacturer ?? null,
    model: s.identity.model ?? null,
    firmware: s.identity.firmware ?? null,
    imei: s.identity.imei ?? null,
    sim: { status: s.sim.status, iccid: s.sim.iccid ?? null, pinAttemptsLeft: s.sim.pinAttemptsLeft ?? null, detail: s.sim.detail ?? null },
    registration: { creg: s.registration.cs ?? null, cereg: s.registration.eps ?? null },
    operator: s.operator ?? null,
    signal: s.signal ?? null,
    service: s.service,
    health: { state: health.state, since: health.since.toISOString(), detail: health.detail },
  };
}

function printHuman(s: ModemState, info: Record<string, unknown>): void {
  const reg = (r: ModemState["registration"]["cs"]): string => (r ? `${r.registered ? "registered" : "not registered"} (${r.text}, stat ${r.stat})` : "unknown");
  const health = info["health"] as { state: string; detail: string };
  const rows: [string, string][] = [
    ["Port", String(info["port"])],
    ["Profile", String(info["profile"])],
    ["Manufacturer", s.identity.manufacturer ?? "unknown"],
    ["Model", s.identity.model ?? "unknown"],
    ["Firmware", s.identity.firmware ?? "unknown"],
    ["IMEI", s.identity.imei ?? "unknown"],
    ["SIM", `${s.sim.status}${s.sim.pinAttemptsLeft !== undefined ? ` (${s.sim.pinAttemptsLeft} PIN attempts left)` : ""}${s.sim.detail ? `: ${s.sim.detail}` : ""}`],
    ["ICCID", s.sim.iccid ?? "unknown"],
    ["Registration CS", reg(s.registration.cs)],
    ["Registration EPS", reg(s.registration.eps)],
    ["Operator", s.operator ? `${s.operator.name}${s.operator.act !== undefined ? ` (AcT ${s.operator.act})` : ""}` : "none"],
    ["Signal", s.signal ? (s.signal.dbm === null ? `unknown (rssi ${s.signal.rssi})` : `${s.signal.dbm} dBm (rssi ${s.signal.rssi})`) : "unknown"],
    ["Can send SMS", s.service === "ready" ? "yes" : `no (${s.service})`],
    ["Health", `${health.state}: ${health.detail}`],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(17)} ${v}\n`);
}

async function modemInfo(o: ModemCliOptions, log: Logger): Promise<void> {
  await openModem(o, log, ({ modem, profileId }) => {
    const info = modemInfoJson(modem.state, o.port!, profileId, modem.health);
    if (o.json) printJson(info);
    else printHuman(modem.state, info);
    // A modem that answers but cannot send is a finding (exit 1), not a failure to run.
    if (modem.state.service !== "ready") throw new ProblemExit(`modem cannot send: ${modem.state.service}`);
    return Promise.resolve();
  });
}

function pinStore(stateDir: string | undefined): PinStateStore {
  return new PinStateStore(join(stateDir ?? defaultStateDir(), "sim-pin-state.json"));
}

/** `modem pin-blocks`: the SIMs the gateway refuses to send a PIN to, and why. */
function pinBlocks(o: { stateDir?: string; json?: boolean }): void {
  const store = pinStore(o.stateDir);
  const all = store.list();
  if (o.json) return printJson({ path: store.path, blocks: all });
  if (Object.keys(all).length === 0) return void process.stdout.write(`no PIN blocks in ${store.path}\n`);
  for (const [k, r] of Object.entries(all)) process.stdout.write(`${k}  ${r.status}  ${r.at}  ${r.detail}\n`);
}

/** `modem pin-clear`: an operator checked the PIN; the next start sends it once again. */
function pinClear(o: { iccid?: string; all?: boolean; stateDir?: string; json?: boolean }): void {
  if (!o.iccid === !o.all) throw usage("give exactly one of --iccid and --all");
  const store = pinStore(o.stateDir);
  const keys = o.all ? Object.keys(store.list()) : [o.iccid!];
  const cleared = keys.filter((k) => store.clear(k));
  if (o.json) printJson({ path: store.path, cleared });
  else process.stdout.write(cleared.length > 0 ? `cleared ${cleared.join(", ")}; the next start sends the PIN once\n` : `no PIN block for ${keys.join(", ") || "any SIM"}\n`);
  if (cleared.length === 0 && o.iccid) throw new ProblemExit("no such PIN block");
}

async function simulateModem(o: { link: string; preset?: string; pin?: string }, log: Logger): Promise<void> {
  const name = o.preset ?? "modem";
  const preset = simModemPreset(name);
  if (!preset) throw usage(`unknown --preset "${name}" (known: ${Object.keys(SIM_MODEM_PRESETS).join(", ")})`);
  if (o.pin !== undefined) {
    if (!/^\d{4,8}$/.test(o.pin)) throw usage("--pin must be 4-8 digits");
    preset.config = { ...preset.config, pin: o.pin };
  }
  const sim = new SimModem({ ...preset, log });
  const session = await runOnPty(o.link, sim, { log });
  process.stderr.write(
    `simulated modem "${name}" (ICCID ${sim.config.iccid}) on ${o.link}${session.ptsPath ? ` -> ${session.ptsPath}` : ""}\n` +
      `try: rakelgw modem info --port ${o.link}\n     rakelgw sms send --port ${o.link} --to +46701234567 --text "Hej" --report\nCtrl-C to stop\n`,
  );
  sim.on("sms-sent", (s) => process.stdout.write(JSON.stringify({ event: "sms-sent", to: s.to, reference: s.reference, statusReport: s.statusReport, concat: s.concat, text: s.text }) + "\n"));
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await session.stop();
  sim.stop();
}

/** The options of every command that opens a modem. */
export function modemOptions(c: Command): Command {
  return c
    .requiredOption("--port <port>", "serial device, tcp://host:port or sim:<name> (sim:modem, sim:modem-pin, …)")
    .option("--baud <rate>", "baud rate (default from the modem profile)")
    .option("--profile <id>", "modem profile in firmware-config/modems", "generic-27005")
    .option("--pin-file <file>", "file holding the SIM PIN (mode 600)")
    .option("--pin-env <name>", "environment variable holding the SIM PIN (default RAKELGW_SIM_PIN)")
    .option("--state-dir <dir>", "where PIN facts are kept (default $RAKELGW_STATE_DIR or ~/.local/state/rakelgw)")
    .option("--connect-timeout <s>", "seconds to wait for the modem", "15")
    .option("--json", "JSON output");
}

/** Registers `modem info`, `modem pin-blocks`, `modem pin-clear` and `simulate modem` (call after the `simulate` group exists). */
export function registerModemCommands(program: Command, log: () => Logger): void {
  const modem = program.command("modem").description("GSM/LTE modem (3GPP TS 27.005/27.007)");
  modemOptions(modem.command("info").description("identity, SIM, registration (CREG and CEREG), operator, signal")).action((o: ModemCliOptions) => modemInfo(o, log()));
  modem
    .command("pin-blocks")
    .description("list the SIMs the gateway will not send a PIN to (rejected or unconfirmed PIN)")
    .option("--state-dir <dir>", "state directory (default $RAKELGW_STATE_DIR or ~/.local/state/rakelgw)")
    .option("--json", "JSON output")
    .action((o: { stateDir?: string; json?: boolean }) => pinBlocks(o));
  modem
    .command("pin-clear")
    .description("clear a PIN block after fixing the PIN (the gateway never retries a rejected PIN by itself)")
    .option("--iccid <iccid>", "the SIM whose block to clear (as shown by modem info / pin-blocks)")
    .option("--all", "clear every block")
    .option("--state-dir <dir>", "state directory (default $RAKELGW_STATE_DIR or ~/.local/state/rakelgw)")
    .option("--json", "JSON output")
    .action((o: { iccid?: string; all?: boolean; stateDir?: string; json?: boolean }) => pinClear(o));
  const simulate = program.commands.find((c) => c.name() === "simulate") ?? program.command("simulate").description("run a simulated device on a pseudo-terminal");
  simulate
    .command("modem")
    .description("simulated GSM/LTE modem; its tty is linked at --link PATH")
    .requiredOption("--link <path>", "where to create the pseudo-terminal symlink, e.g. /tmp/modem-sim")
    .option("--preset <name>", `simulated modem: ${Object.keys(SIM_MODEM_PRESETS).join(", ")}`, "modem")
    .option("--pin <pin>", "the simulated SIM asks for this PIN")
    .action((o: { link: string; preset?: string; pin?: string }) => simulateModem(o, log()));
}
