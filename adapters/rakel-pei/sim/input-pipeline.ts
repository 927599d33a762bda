/**
 * Host bytes → commands → answers, one command at a time, as a terminal's command interpreter does.
 *
 *   bytes ─► LineTokenizer (the host's own tokenizer) ─► AT+CMGS assembly ─► queue ─► faults ─► behaviour chain
 *                                                      (command line + hex up to Ctrl-Z, docs/pei.md §1.5)
 *
 * Fault knobs applied here: drop, echo, answer delay, start-up syntax errors, busy, garbage, prompt.
 */
import { SerialWorkQueue } from "../../shared-kits/simulator/work-queue.js";
import { LineTokenizer, type Token } from "../../at/line-tokenizer.js";
import { finalText, firstReply, type SimReply } from "../../shared-kits/simulator/behaviour-chain.js";
import type { SimBehaviour, SimCommand } from "./behaviour.js";
import { parseCommandLine } from "../../shared-kits/simulator/command-line.js";
import type { SimTerminalEvents } from "./sim-events.js";
import type { TerminalCore } from "./terminal-core.js";
import type { TypedEmitter } from "../../../src/shared/typed-emitter.js";

/** One unit of work for the command interpreter. */
type Work =
  | { kind: "line"; line: string; end: string }
  | { kind: "cmgs"; line: string; data: string; lineEchoed: boolean }
  | { kind: "cmgs-cancelled"; line: string }
  | { kind: "orphan-data"; data: string }
  | { kind: "data-timeout"; line: string };

const CTRL_Z = "\x1a";

/** The command interpreter of one terminal: tokenizes host bytes and answers each command in turn. */
export class InputPipeline {
  private tokenizer = new LineTokenizer();
  private pendingCmgs: { line: string; data: string; lineEchoed: boolean; timer: ReturnType<typeof setTimeout> } | undefined;
  private readonly queue = new SerialWorkQueue<Work>(
    (w) => this.process(w),
    (err) => this.core.log.error({ err }, "sim: command processing failed"),
  );

  constructor(
    private readonly core: TerminalCore,
    private readonly behaviours: () => readonly SimBehaviour[],
    private readonly events: TypedEmitter<SimTerminalEvents>,
  ) {}

  /** Forget partial input and queued commands (new connection, power off). */
  reset(): void {
    this.tokenizer = new LineTokenizer();
    if (this.pendingCmgs) clearTimeout(this.pendingCmgs.timer);
    this.pendingCmgs = undefined;
    this.queue.clear();
  }

  push(chunk: Buffer): void {
    // A terminal that is off hears nothing; bytes sent meanwhile are lost.
    if (this.core.state.power !== "on") return;
    for (const token of this.tokenizer.push(chunk)) this.onToken(token);
  }

  private onToken(token: Token): void {
    if (token.type !== "line") return; // a "> " from the host or an overflow is not a command
    const pending = this.pendingCmgs;
    if (pending) {
      if (token.end === "ctrl-z" || token.end === "esc") {
        clearTimeout(pending.timer);
        this.pendingCmgs = undefined;
        const data = pending.data + token.text;
        // ESC cancels the message (27.005 §3.5.1, which the PEI user-data framing follows).
        this.enqueue(token.end === "esc" ? { kind: "cmgs-cancelled", line: pending.line } : { kind: "cmgs", line: pending.line, data, lineEchoed: pending.lineEchoed });
      } else {
        pending.data += token.text;
      }
      return;
    }
    if (token.end === "ctrl-z") return this.enqueue({ kind: "orphan-data", data: token.text });
    if (token.end === "esc") return;
    const parsed = parseCommandLine(token.text);
    if (parsed.ok && parsed.cmd.name === "+CMGS" && parsed.cmd.form === "set") {
      if (this.core.faults.dropNextCmgsLine > 0) {
        this.core.faults.dropNextCmgsLine--;
        this.core.log.debug({ line: token.text }, "sim: AT+CMGS line lost (fault)");
        return;
      }
      return this.startCmgs(token.text);
    }
    this.enqueue({ kind: "line", line: token.text, end: token.end === "lf" ? "\n" : "\r" });
  }

  /** `AT+CMGS=…` waits for its user data; the prompt (if that fault is on) and the line's echo go out now. */
  private startCmgs(line: string): void {
    const { core } = this;
    const dropping = core.faults.dropNextAnswers > 0;
    const lineEchoed = !dropping && (core.state.echo || core.faults.echo);
    if (lineEchoed) core.output.raw(`${line}\r`);
    if (!dropping && core.faults.prompt) core.output.raw("\r\n> ");
    const timer = setTimeout(() => {
      this.pendingCmgs = undefined;
      // User data did not arrive in time: CME 37 (docs/pei.md §1.3).
      this.enqueue({ kind: "data-timeout", line });
    }, core.config.userDataTimeoutMs);
    this.pendingCmgs = { line, data: "", lineEchoed, timer };
  }

  private enqueue(work: Work): void {
    this.queue.push(work);
  }

  private async process(work: Work): Promise<void> {
    const { core } = this;
    if (core.state.power !== "on") return;
    const f = core.faults;
    const shown = work.kind === "orphan-data" ? work.data : work.line;
    if (f.dropNextAnswers > 0) {
      f.dropNextAnswers--;
      core.log.debug({ line: shown }, "sim: command dropped (fault)");
      return;
    }
    this.events.emit("command", shown);
    if (core.state.echo || f.echo) core.output.raw(this.echoOf(work));
    const gen = core.generation;
    if (f.answerDelayMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, f.answerDelayMs));
    if (gen !== core.generation || core.state.power !== "on") return;
    const reply = this.answer(work);
    if (f.garbageBeforeAnswer > 0) {
      f.garbageBeforeAnswer--;
      core.output.raw(f.garbage);
    }
    if (reply.delayMs) await new Promise<void>((resolve) => setTimeout(resolve, reply.delayMs));
    if (gen !== core.generation || core.state.power !== "on") return;
    core.output.response(reply.info ?? [], finalText(reply.final));
    reply.then?.();
  }

  /** V.250 echo: what the host typed, as it typed it (the CMGS line itself was echoed on arrival). */
  private echoOf(work: Work): string {
    switch (work.kind) {
      case "line":
        return work.line + work.end;
      case "cmgs":
        return (work.lineEchoed ? "" : `${work.line}\r`) + work.data + CTRL_Z;
      case "orphan-data":
        return work.data + CTRL_Z;
      case "cmgs-cancelled":
      case "data-timeout":
        return "";
    }
  }

  private answer(work: Work): SimReply {
    const { core } = this;
    if (core.state.syntaxErrorsLeft > 0) {
      // Start-up garbage in the radio's buffer spoils the first commands (docs/pei.md §1.2).
      core.state.syntaxErrorsLeft--;
      return { final: { cme: 35 } };
    }
    switch (work.kind) {
      case "orphan-data":
        return { final: { cme: 36 } }; // user data without a preceding AT+CMGS (docs/pei.md §1.3)
      case "data-timeout":
        return { final: { cme: 37 } };
      case "cmgs-cancelled":
        return { final: "OK" };
      case "line":
      case "cmgs":
        break;
    }
    const parsed = parseCommandLine(work.line);
    // A line that is not a command: "data received without a command" (docs/pei.md §1.3 code 35).
    if (!parsed.ok) return /^AT/i.test(work.line) ? { final: "ERROR" } : { final: { cme: 35 } };
    if (core.faults.busyNext > 0) {
      core.faults.busyNext--;
      return { final: { cme: 42 } };
    }
    const cmd: SimCommand = work.kind === "cmgs" ? { ...parsed.cmd, data: work.data } : parsed.cmd;
    return firstReply(this.behaviours(), (b) => b.onCommand(cmd, core));
  }
}
