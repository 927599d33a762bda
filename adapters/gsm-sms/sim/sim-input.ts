import { SerialWorkQueue } from "../../shared-kits/simulator/work-queue.js";
import type { Logger } from "../../../src/shared/logger.js";
import { LineTokenizer, type Token } from "../../at/line-tokenizer.js";
import { parseCommandLine } from "../../shared-kits/simulator/command-line.js";
import { cms, finalText, firstReply, type SimReply } from "../../shared-kits/simulator/behaviour-chain.js";
import type { SimHandler, SimModemContext, SimModemCommand } from "./sim-behaviour.js";
import type { SimWire } from "./sim-wire.js";

/**
 * Host bytes → commands → answers, one at a time, as a modem's command interpreter does:
 *   bytes ─► LineTokenizer (the host's own) ─► `AT+CMGS=<n>` ─► "> " ─► PDU up to Ctrl-Z (ESC cancels)
 *                                            ─► queue ─► faults ─► handler chain ─► answer
 * Fault knobs applied here: silent (drop), echo, slow (answer delay), garbage.
 */
type Work = { kind: "line"; line: string } | { kind: "pdu"; line: string; data: string } | { kind: "cancelled" } | { kind: "pdu-timeout" };

const CTRL_Z = "\x1a";

/** What the input side needs from the simulator. */
export interface SimInputHost {
  ctx: SimModemContext;
  wire: SimWire;
  handlers: () => readonly SimHandler[];
  /** Changes on every restart and detach: work begun before is dropped. */
  generation: () => number;
  onCommand: (line: string) => void;
  log: Logger;
}

/** The simulated modem's command interpreter. */
export class SimInput {
  private tokenizer = new LineTokenizer();
  private pending: { line: string; data: string; timer: ReturnType<typeof setTimeout> } | undefined;
  private readonly queue = new SerialWorkQueue<Work>(
    (w) => this.process(w),
    (err) => this.host.log.error({ err }, "sim modem: command processing failed"),
  );

  constructor(private readonly host: SimInputHost) {}

  reset(): void {
    this.tokenizer = new LineTokenizer();
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
    this.queue.clear();
  }

  push(chunk: Buffer): void {
    if (this.host.ctx.state.power !== "on") return;
    for (const t of this.tokenizer.push(chunk)) this.onToken(t);
  }

  private onToken(t: Token): void {
    if (t.type !== "line") return;
    const p = this.pending;
    if (p) {
      if (t.end === "ctrl-z" || t.end === "esc") {
        clearTimeout(p.timer);
        this.pending = undefined;
        // 27.005 §3.5.1: Ctrl-Z sends the PDU, ESC cancels it.
        this.enqueue(t.end === "esc" ? { kind: "cancelled" } : { kind: "pdu", line: p.line, data: p.data + t.text });
      } else p.data += t.text;
      return;
    }
    if (t.end === "esc" && t.text === "") return;
    this.enqueue({ kind: "line", line: t.text });
  }

  private enqueue(w: Work): void {
    this.queue.push(w);
  }

  private async process(w: Work): Promise<void> {
    const { ctx, wire } = this.host;
    const f = ctx.faults;
    if (ctx.state.power !== "on") return;
    if (f.dropNextAnswers > 0 && w.kind !== "pdu-timeout") {
      f.dropNextAnswers--;
      return;
    }
    const gen = this.host.generation();
    const echo = ctx.state.v.echo || f.echo;
    if (w.kind === "line") {
      this.host.onCommand(w.line);
      if (echo) wire.raw(`${w.line}\r`);
      if (this.startsSubmit(w.line)) return;
    } else if (w.kind === "pdu" && echo) wire.raw(w.data + CTRL_Z);
    if (f.answerDelayMs > 0) await sleep(f.answerDelayMs);
    if (gen !== this.host.generation()) return;
    const reply = this.answer(w);
    if (f.garbageBeforeAnswer > 0) {
      f.garbageBeforeAnswer--;
      wire.raw("\x00\xff#~*GARB");
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if (gen !== this.host.generation() || ctx.state.power !== "on") return;
    wire.lines([...(reply.info ?? []), finalText(reply.final)]);
    reply.then?.();
  }

  /** `AT+CMGS=<n>` that may go on: prompt now, answer after the PDU (or an error at once). */
  private startsSubmit(line: string): boolean {
    const parsed = parseCommandLine(line);
    if (!parsed.ok || parsed.cmd.name !== "+CMGS" || parsed.cmd.form !== "set") return false;
    const { ctx, wire } = this.host;
    if (ctx.state.sim !== "ready" || ctx.state.v.cmgf !== 0) return false; // answered at once by the handler
    wire.raw("\r\n> ");
    const timer = setTimeout(() => {
      this.pending = undefined;
      this.enqueue({ kind: "pdu-timeout" });
    }, ctx.config.userDataTimeoutMs);
    this.pending = { line, data: "", timer };
    return true;
  }

  private answer(w: Work): SimReply {
    switch (w.kind) {
      case "cancelled":
        return { final: "OK" };
      case "pdu-timeout":
        return cms(500);
      case "line":
      case "pdu":
        break;
    }
    const parsed = parseCommandLine(w.line);
    if (!parsed.ok) return { final: "ERROR" };
    const cmd: SimModemCommand = w.kind === "pdu" ? { ...parsed.cmd, data: w.data } : parsed.cmd;
    return firstReply(this.host.handlers(), (h) => h(cmd, this.host.ctx));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
