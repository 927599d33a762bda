/**
 * Fault knobs of the simulated terminal: each reproduces something a real PEI link
 * does to a host. All are off by default. Counters (`dropNextAnswers`, `busyNext`, …) count down as
 * commands arrive; booleans stay on until cleared with `setFaults`.
 */

/** Line ending of the terminal's output: V.250 frames responses with S3 S4 (CR LF); some links lose one. */
export type SimLineEnding = "crlf" | "cr" | "lf";

/** The fault knobs; see `DEFAULT_FAULTS` for the (harmless) defaults. */
export interface SimFaults {
  /** Echo command lines even after `ATE0` (a terminal that restarted behind the host's back). */
  echo: boolean;
  lineEnding: SimLineEnding;
  /** Every output byte in its own write, with a macrotask in between (slow UART, USB adapters). */
  byteByByte: boolean;
  /**
   * Unsolicited lines raised while this is on are held and written inside the next response: after its
   * first information line (or before a bare final result), as docs/pei.md §1.4 says real terminals do. Held
   * lines are written anyway after {@link SimFaults.urcHoldMs} if no response comes.
   */
  urcInsideResponse: boolean;
  /** Longest time a held unsolicited line waits for a response to land in. */
  urcHoldMs: number;
  /** Delay before each answer (after the echo). */
  answerDelayMs: number;
  /** The next n commands are ignored: no echo, no answer, no effect. */
  dropNextAnswers: number;
  /**
   * The next n `AT+CMGS=` command lines are lost on the wire while their user data gets through: the
   * terminal sees hex + Ctrl-Z without a command and answers `+CME ERROR: 36`, proof that nothing was sent.
   */
  dropNextCmgsLine: number;
  /** The next n commands answer `+CME ERROR: 42` (MT busy with signalling, docs/pei.md §1.3) with no effect. */
  busyNext: number;
  /** The next n answers are preceded by junk bytes ending in a partial line (line noise, boot text). */
  garbageBeforeAnswer: number;
  /** Junk written by `garbageBeforeAnswer`. */
  garbage: string;
  /** The first n commands after power-up answer `+CME ERROR: 35` (docs/pei.md §1.2, ftl-pei `ClearSyntaxErrors`). */
  syntaxErrorsAtStart: number;
  /** Send a `> ` prompt after `AT+CMGS=` (a Rust simulator does; real clients do not wait for it, docs/pei.md §1.5). */
  prompt: boolean;
  /** The next n SDS transmissions fail over the air: `+CMGS: 0,5,ref` instead of `0,4` (docs/pei.md §3.2). */
  airFailNext: number;
}

/** Every knob off: a well-behaved terminal. */
export const DEFAULT_FAULTS: Readonly<SimFaults> = {
  echo: false,
  lineEnding: "crlf",
  byteByByte: false,
  urcInsideResponse: false,
  urcHoldMs: 2000,
  answerDelayMs: 0,
  dropNextAnswers: 0,
  dropNextCmgsLine: 0,
  busyNext: 0,
  garbageBeforeAnswer: 0,
  garbage: "\x00\xff#~*\x7fGARB",
  syntaxErrorsAtStart: 0,
  prompt: false,
  airFailNext: 0,
};

/** Line terminator bytes for a line ending. */
export function eolOf(ending: SimLineEnding): string {
  switch (ending) {
    case "crlf":
      return "\r\n";
    case "cr":
      return "\r";
    case "lf":
      return "\n";
  }
}
