import type { Command } from "commander";
import type { TerminalState } from "../../ports/radio-terminal.js";
import { terminalStateJson } from "../../app/presenters.js";
import type { Logger } from "../../shared/logger.js";
import { display, printJson } from "../output.js";
import { withTerminal, type TerminalOptions } from "../terminal-session.js";

export function terminalInfoJson(s: TerminalState, port: string, profile: string): Record<string, unknown> {
  return { port, profile, ...terminalStateJson(s) };
}

function printHuman(info: Record<string, unknown>): void {
  const show = display;
  const reg = info["registration"] as TerminalState["registration"] | null;
  const sig = info["signal"] as TerminalState["signal"] | null;
  const mode = info["mode"] as TerminalState["mode"] | null;
  const rows: [string, string][] = [
    ["Port", show(info["port"])],
    ["Profile", show(info["profile"])],
    ["ITSI", show(info["itsi"])],
    ["ISSI", show(info["issi"])],
    ["Manufacturer", show(info["manufacturer"])],
    ["Model", show(info["model"])],
    ["Firmware", show(info["firmware"])],
    ["Registration", reg ? `${reg.registered ? "registered" : "not registered"} (stat ${reg.stat})` : "unknown"],
    ["Signal", sig ? (sig.dbm === null ? "unknown (99)" : `${sig.dbm} dBm (rssi ${sig.rssi})`) : "unknown"],
    ["Mode", mode ? `${mode.name.toUpperCase()} (${mode.code})` : "unknown"],
    ["Selected group", show(info["selectedGroup"])],
    ["Call active", info["callActive"] ? "yes" : "no"],
    ["Max SDS bits", show(info["maxSdsBits"])],
  ];
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(16)} ${v}\n`);
}

export function registerTerminalCommands(program: Command, log: () => Logger): void {
  const terminal = program.command("terminal").description("Rakel terminal on a PEI port");
  terminal
    .command("info")
    .description("identity, model, firmware, registration, signal, mode and selected talk group")
    .requiredOption("--port <port>", "serial device, tcp://host:port or sim:<name>")
    .option("--baud <rate>", "baud rate (default from the profile)")
    .option("--profile <id>", "terminal profile in firmware-config/terminals", "etsi-generic")
    .option("--connect-timeout <s>", "seconds to wait for the terminal", "10")
    .option("--json", "JSON output")
    .action(async (o: TerminalOptions & { json?: boolean }) => {
      await withTerminal({ ...o, interruptible: true }, log(), (t) => {
        const info = terminalInfoJson(t.state, o.port!, o.profile ?? "etsi-generic");
        if (o.json) printJson(info);
        else printHuman(info);
        return Promise.resolve();
      });
    });
}
