/**
 * The simulated terminal as its own process on a real pseudo-terminal, for benchmarks where the terminal's
 * timing must not share the gateway's event loop (a real terminal is another device: while the gateway
 * records an attempt, the terminal is already working on the next command). Prints `ready` once the pty
 * is linked at PATH, then one line per SDS the terminal put on the air: the wall-clock time
 * (performance.timeOrigin + now, comparable across processes).
 *
 * Usage: tsx bench/pty-terminal.ts PATH '<SimTerminalConfig JSON>'
 */
import { SimTerminal, runOnPty } from "../adapters/rakel-pei/sim/index.js";

const [path, configJson] = process.argv.slice(2);
if (!path) throw new Error("usage: pty-terminal.ts PATH [CONFIG_JSON]");
const sim = new SimTerminal({ config: JSON.parse(configJson ?? "{}") as Record<string, unknown> });
sim.on("sds-sent", () => process.stdout.write(`${performance.timeOrigin + performance.now()}\n`));
const session = await runOnPty(path, sim);
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void session.stop().finally(() => process.exit(0));
});
