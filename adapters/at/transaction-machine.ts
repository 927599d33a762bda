import type { FinalResult } from "./at-command.js";

/**
 * The life of one AT command as a pure state machine (after zwave-js SerialAPICommandMachine): a
 * transition returns the next state and the effects for the engine shell to carry out. Every
 * (state, input) pair is covered by test/unit/at/transaction-machine.test.ts.
 *
 *   queued ─start─► writing ─written─► awaitingFinal ─final OK─► done
 *                      │                    └─final ERROR/CME/CMS, timeout─► failed
 *                      └─written (awaitPrompt)─► awaitingPrompt ─prompt─► writingBody ─written─► awaitingFinal
 */
export type TxStateName = "queued" | "writing" | "awaitingPrompt" | "writingBody" | "awaitingFinal" | "done" | "failed";

export type FailureReason = "timeout" | "error" | "cme" | "cms" | "aborted" | "link-lost" | "no-prompt" | "call-result";

export interface TxSpec {
  commandLine: string;
  body?: string | undefined;
  awaitPrompt: boolean;
  timeoutMs: number;
  /** Appended to the command line (V.250 S3, CR by default). */
  terminator: string;
  /** Between the command line and user data when no prompt is awaited (PEI: CR LF, as svx and ftl-pei send). */
  bodySeparator: string;
}

export interface TxState {
  name: TxStateName;
  lines: readonly string[];
  failure?: { reason: FailureReason; final?: FinalResult };
}

export type TxInput =
  | { type: "start" }
  | { type: "written" }
  | { type: "prompt" }
  | { type: "line"; line: string }
  | { type: "final"; result: FinalResult }
  | { type: "timeout" }
  | { type: "abort" }
  | { type: "linkClosed" };

export type TxEffect =
  | { type: "write"; data: string }
  | { type: "armTimer"; ms: number }
  | { type: "clearTimer" }
  | { type: "resolve"; lines: readonly string[] }
  | { type: "reject"; reason: FailureReason; final?: FinalResult };

export interface Transition {
  state: TxState;
  effects: TxEffect[];
}

export const CTRL_Z = "\x1a";
export const ESC = "\x1b";

export const initialTxState: TxState = { name: "queued", lines: [] };

const ACTIVE: readonly TxStateName[] = ["writing", "awaitingPrompt", "writingBody", "awaitingFinal"];

function fail(state: TxState, reason: FailureReason, final?: FinalResult, extra: TxEffect[] = []): Transition {
  const failure = final ? { reason, final } : { reason };
  return {
    state: { name: "failed", lines: state.lines, failure },
    effects: [...extra, { type: "clearTimer" }, final ? { type: "reject", reason, final } : { type: "reject", reason }],
  };
}

function finalReason(result: FinalResult): FailureReason | undefined {
  switch (result.type) {
    case "ok":
      return undefined;
    case "error":
      return "error";
    case "cme":
      return "cme";
    case "cms":
      return "cms";
    case "no-carrier":
    case "busy":
    case "no-answer":
    case "no-dialtone":
      return "call-result";
  }
}

export function transition(spec: TxSpec, state: TxState, input: TxInput): Transition {
  const stay: Transition = { state, effects: [] };
  if (state.name === "done" || state.name === "failed") return stay;

  if (input.type === "abort") {
    // A modem waiting for (or reading) the PDU would take the next command's bytes as message text.
    const waitingForBody = spec.awaitPrompt && spec.body !== undefined && (state.name === "awaitingPrompt" || state.name === "writingBody" || state.name === "writing");
    return fail(state, "aborted", undefined, waitingForBody ? [{ type: "write", data: ESC }] : []);
  }
  if (state.name === "queued") {
    if (input.type !== "start") return stay;
    const withBody = spec.body !== undefined && !spec.awaitPrompt;
    // With user data in the same write the separator takes the terminator's place: docs/pei.md §1.5 and goal S2
    // require exactly `AT+CMGS=<id>,<len>\r\n<hex>\x1a`; terminator + separator gave an extra CR ("\r\r\n").
    const data = spec.commandLine + (withBody ? spec.bodySeparator + spec.body + CTRL_Z : spec.terminator);
    return {
      state: { name: "writing", lines: [] },
      effects: [{ type: "armTimer", ms: spec.timeoutMs }, { type: "write", data }],
    };
  }
  if (!ACTIVE.includes(state.name)) return stay;

  switch (input.type) {
    case "start":
      return stay;
    case "linkClosed":
      return fail(state, "link-lost");
    case "timeout": {
      // A modem left waiting for (or reading) a PDU is released with ESC (27.005 §3.5.1) so the next
      // command is heard as a command.
      if (state.name === "awaitingPrompt") return fail(state, "no-prompt", undefined, [{ type: "write", data: ESC }]);
      const bodyPending = spec.awaitPrompt && spec.body !== undefined && (state.name === "writing" || state.name === "writingBody");
      return fail(state, "timeout", undefined, bodyPending ? [{ type: "write", data: ESC }] : []);
    }
    case "line":
      return { state: { ...state, lines: [...state.lines, input.line] }, effects: [] };
    case "written":
      if (state.name === "writing") {
        const next: TxStateName = spec.awaitPrompt && spec.body !== undefined ? "awaitingPrompt" : "awaitingFinal";
        return { state: { ...state, name: next }, effects: [] };
      }
      if (state.name === "writingBody") return { state: { ...state, name: "awaitingFinal" }, effects: [] };
      return stay;
    case "prompt":
      // The prompt may overtake the write callback of the command line on a fast device.
      if ((state.name === "awaitingPrompt" || state.name === "writing") && spec.awaitPrompt && spec.body !== undefined) {
        return { state: { ...state, name: "writingBody" }, effects: [{ type: "write", data: spec.body + CTRL_Z }] };
      }
      return stay;
    case "final": {
      const reason = finalReason(input.result);
      if (reason) return fail(state, reason, input.result);
      // OK before the prompt was answered cannot be right for a command with a body; wait for the real end.
      // "writing" counts too for a prompt command: the OK may overtake the write callback (as the prompt can),
      // and the body has not gone out yet either way.
      if (state.name === "awaitingPrompt" || state.name === "writingBody") return stay;
      if (state.name === "writing" && spec.awaitPrompt && spec.body !== undefined) return stay;
      return {
        state: { name: "done", lines: state.lines },
        effects: [{ type: "clearTimer" }, { type: "resolve", lines: state.lines }],
      };
    }
  }
}
