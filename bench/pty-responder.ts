/**
 * A minimal terminal for bench/engine.bench.ts, run as its own process so its work does not share the
 * gateway's event loop (a real terminal is another device): answers each command line with OK, AT+CMGS
 * user data with `+CMGS: 0` and OK, and reports on stdout the wall-clock time (performance.timeOrigin +
 * now, comparable across processes) at which each AT+CMGS line arrived.
 */
import { SerialPort } from "serialport";
import { LineTokenizer } from "../adapters/at/line-tokenizer.js";

const path = process.argv[2];
if (!path) throw new Error("usage: pty-responder.ts PATH");
const port = new SerialPort({ path, baudRate: 115200 });
const tok = new LineTokenizer();
port.on("data", (chunk: Buffer) => {
  const t = performance.timeOrigin + performance.now();
  for (const token of tok.push(chunk)) {
    if (token.type !== "line") continue;
    if (/^AT\+CMGS=\d/.test(token.text)) {
      process.stdout.write(`${t}\n`);
      continue; // answered after the user data line
    }
    port.write(token.end === "ctrl-z" ? "\r\n+CMGS: 0\r\n\r\nOK\r\n" : "\r\nOK\r\n");
  }
});
port.on("open", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => port.close(() => process.exit(0)));
