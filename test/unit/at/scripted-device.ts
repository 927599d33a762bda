/**
 * A tiny scripted AT device on a MemoryPort: it reads the host's command lines with the same tokenizer and
 * answers `OK` to anything starting with AT (or the scripted answer). Knobs: `silent` (hung terminal),
 * `echo` (a rebooted terminal echoes until `ATE0`), `echoSticky` (ATE0 ignored), `reviveOnReconnect` (a hung terminal that answers
 * again once the port is reopened).
 */
import type { ByteLink } from "../../../adapters/serial-link/byte-link.js";
import type { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { LineTokenizer } from "../../../adapters/at/line-tokenizer.js";

export class ScriptedDevice {
  silent = false;
  echo = false;
  reviveOnReconnect = false;
  /** Firmware that ignores ATE0 and echoes for ever. */
  echoSticky = false;
  connections = 0;
  /** Lone ESC characters received (the host cancelling a message body a predecessor may have begun). */
  escapes = 0;
  readonly commands: string[] = [];
  private end: ByteLink | undefined;

  constructor(
    port: MemoryPort,
    private readonly answers: Record<string, string> = {},
  ) {
    port.onConnection((end) => {
      this.connections++;
      if (this.reviveOnReconnect && this.connections > 1) this.silent = false;
      this.end = end;
      const tokenizer = new LineTokenizer();
      end.onData((chunk) => {
        for (const t of tokenizer.push(chunk)) {
          // A lone ESC at the command line cancels nothing and is not a command: no answer (V.250).
          if (t.type === "line" && t.end === "esc" && t.text === "") this.escapes++;
          else if (t.type === "line") this.onCommand(t.text);
        }
      });
    });
  }

  /** Sends unsolicited bytes to the host. */
  send(text: string): void {
    void this.end?.write(text).catch(() => undefined);
  }

  private onCommand(line: string): void {
    this.commands.push(line);
    if (this.silent) return;
    let out = this.echo ? `${line}\r` : "";
    if (line.toUpperCase() === "ATE0" && !this.echoSticky) this.echo = false;
    out += `\r\n${this.answers[line.toUpperCase()] ?? (/^AT/i.test(line) ? "OK" : "ERROR")}\r\n`;
    this.send(out);
  }
}
