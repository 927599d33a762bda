/**
 * Bytes → tokens, pure. Shared by the host side (device answers) and the simulators (host commands).
 *
 *   "\r\nOK\r\n"          → line "OK"            (CR, LF or CRLF end a line; empty lines dropped)
 *   "\r\n> "              → prompt               (3GPP TS 27.005 §3.5.1: the modem waits for the PDU)
 *   "8202…4A\x1a"         → line "8202…4A" end "ctrl-z"  (PEI/27.005 user data ends with Ctrl-Z)
 *   "…\x1b"               → line "…" end "esc"   (27.005: ESC cancels the message)
 *   4 KiB without an end  → overflow, then everything is dropped up to the next line end
 *
 * Other control bytes (NUL, XON/XOFF, bell) are removed, as ftl/tetra-pei `com.go` does, and counted.
 * Bytes are read as ISO 8859-1 so every byte maps to one character and nothing is lost to UTF-8 decoding.
 */
export type LineEnd = "cr" | "lf" | "ctrl-z" | "esc";

export type Token =
  | { type: "line"; text: string; end: LineEnd }
  | { type: "prompt" }
  | { type: "overflow"; dropped: number };

export interface TokenizerState {
  /** Partial line waiting for its end. */
  readonly partial: string;
  /** True while discarding an over-long line up to its end. */
  readonly discarding: boolean;
  readonly discarded: number;
  /** The previous byte was CR: a following LF belongs to the same line end. */
  readonly afterCr: boolean;
}

export const initialTokenizerState: TokenizerState = { partial: "", discarding: false, discarded: 0, afterCr: false };

/** Maximum line length (docs/reliability.md #12: a 10,000-byte line must not grow memory). */
export const MAX_LINE = 4096;

const CR = 0x0d;
const LF = 0x0a;
const SUB = 0x1a;
const ESC = 0x1b;

export interface TokenizeResult {
  tokens: Token[];
  state: TokenizerState;
  /** Control bytes removed from lines. */
  strippedControls: number;
}

export function tokenize(state: TokenizerState, chunk: Uint8Array, maxLine = MAX_LINE): TokenizeResult {
  const tokens: Token[] = [];
  let { partial, discarding, discarded, afterCr } = state;
  let strippedControls = 0;

  const endLine = (end: LineEnd): void => {
    if (discarding) {
      tokens.push({ type: "overflow", dropped: discarded });
      discarding = false;
      discarded = 0;
    } else {
      const text = partial.trim();
      if (text !== "" || end === "ctrl-z" || end === "esc") tokens.push({ type: "line", text, end });
    }
    partial = "";
  };

  for (const byte of chunk) {
    const wasAfterCr = afterCr;
    afterCr = false;
    if (byte === CR) {
      endLine("cr");
      afterCr = true;
      continue;
    }
    if (byte === LF) {
      if (!wasAfterCr) endLine("lf");
      continue;
    }
    if (byte === SUB) {
      endLine("ctrl-z");
      continue;
    }
    if (byte === ESC) {
      endLine("esc");
      continue;
    }
    if (byte < 0x20 || byte === 0x7f) {
      strippedControls++;
      continue;
    }
    if (discarding) {
      discarded++;
      continue;
    }
    partial += String.fromCharCode(byte);
    if (partial.length > maxLine) {
      discarding = true;
      discarded = partial.length;
      partial = "";
      continue;
    }
    // A prompt is "> " at the start of a line, with no line end after it (27.005 §3.5.1).
    if (partial === "> ") {
      tokens.push({ type: "prompt" });
      partial = "";
    }
  }
  return { tokens, state: { partial, discarding, discarded, afterCr }, strippedControls };
}

/** Stateful wrapper for shells (engine, simulators). */
export class LineTokenizer {
  private state: TokenizerState = initialTokenizerState;
  strippedControls = 0;

  constructor(private readonly maxLine = MAX_LINE) {}

  push(chunk: Uint8Array): Token[] {
    const r = tokenize(this.state, chunk, this.maxLine);
    this.state = r.state;
    this.strippedControls += r.strippedControls;
    return r.tokens;
  }

  /** The partial line, if any (logged as a fragment after an idle period). */
  get pending(): string {
    return this.state.partial;
  }

  /** Drops the partial line and returns it (idle flush or link reset). */
  flush(): string {
    const p = this.state.partial;
    this.state = initialTokenizerState;
    return p;
  }
}
