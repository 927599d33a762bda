import { describe, expect, it } from "vitest";
import { LineTokenizer, MAX_LINE, type Token, type TokenizerState, initialTokenizerState, tokenize } from "../../../adapters/at/line-tokenizer.js";

const bytes = (s: string): Buffer => Buffer.from(s, "latin1");

/** Feeds the chunks one after the other through the pure function and collects every token. */
function run(chunks: readonly string[], maxLine?: number): { tokens: Token[]; state: TokenizerState; stripped: number } {
  let state = initialTokenizerState;
  const tokens: Token[] = [];
  let stripped = 0;
  for (const c of chunks) {
    const r = tokenize(state, bytes(c), maxLine);
    tokens.push(...r.tokens);
    state = r.state;
    stripped += r.strippedControls;
  }
  return { tokens, state, stripped };
}

const line = (text: string, end: "cr" | "lf" | "ctrl-z" | "esc" = "cr"): Token => ({ type: "line", text, end });

describe("tokenize: line endings", () => {
  const cases: { title: string; input: string; tokens: Token[] }[] = [
    { title: "CRLF framing as sent by terminals gives one line per response", input: "\r\n+CTGS: 1,9001\r\n\r\nOK\r\n", tokens: [line("+CTGS: 1,9001"), line("OK")] },
    { title: "a CR-only stream (V.250 S4 unset) still ends every line", input: "+CTGS: 1,9001\rOK\r", tokens: [line("+CTGS: 1,9001"), line("OK")] },
    { title: "an LF-only stream ends every line and reports the LF end", input: "+CTGS: 1,9001\nOK\n", tokens: [line("+CTGS: 1,9001", "lf"), line("OK", "lf")] },
    { title: "LF CR (reversed pair) gives the lines once and no empty lines", input: "A\n\rB\n\rOK\n\r", tokens: [line("A", "lf"), line("B", "lf"), line("OK", "lf")] },
    { title: "blank lines of every kind are dropped", input: "\r\n\r\n\r\r\n\n\n", tokens: [] },
    { title: "leading and trailing blanks are trimmed from a line", input: "  OK  \r\n", tokens: [line("OK")] },
    { title: "Ctrl-Z ends user data with its own end marker", input: "8204AB\x1a", tokens: [line("8204AB", "ctrl-z")] },
    { title: "a lone Ctrl-Z is reported even though the line is empty", input: "\x1a", tokens: [line("", "ctrl-z")] },
    { title: "ESC ends (cancels) user data with its own end marker", input: "0011\x1b", tokens: [line("0011", "esc")] },
    { title: "a lone ESC is reported even though the line is empty", input: "\x1b", tokens: [line("", "esc")] },
    { title: "command, CR LF, hex and Ctrl-Z in one write give the command and the data (PEI AT+CMGS)", input: "AT+CMGS=1234567,16\r\n8204\x1a", tokens: [line("AT+CMGS=1234567,16"), line("8204", "ctrl-z")] },
    { title: "bytes above 0x7F are kept one character per byte (ISO 8859-1)", input: "caf\xe9 \xff\r\n", tokens: [line("café ÿ")] },
  ];
  it.each(cases)("$title", ({ input, tokens }) => {
    expect(run([input]).tokens).toEqual(tokens);
  });

  it("an LF right after a CR in the next chunk is still part of the same line end", () => {
    expect(run(["OK\r", "\nNEXT\r", "\n"]).tokens).toEqual([line("OK"), line("NEXT")]);
  });

  it("a CR that ends one chunk leaves afterCr set in the returned state", () => {
    expect(run(["OK\r"]).state.afterCr).toBe(true);
    expect(run(["OK\r\n"]).state.afterCr).toBe(false);
  });
});

describe("tokenize: chunking never changes the result", () => {
  const stream = "\r\n+CTSDSR: 12,1234567,0,2345678,0,16\r\n8204\r\n\r\nOK\r\n\r\n> 0011\x1aX\x1b";
  const whole = run([stream]).tokens;

  it("the reference stream gives the expected tokens in one chunk", () => {
    expect(whole).toEqual([
      line("+CTSDSR: 12,1234567,0,2345678,0,16"),
      line("8204"),
      line("OK"),
      { type: "prompt" },
      line("0011", "ctrl-z"),
      line("X", "esc"),
    ]);
  });

  it.each(Array.from({ length: stream.length - 1 }, (_, i) => i + 1))("a split after byte %i gives the same tokens as one chunk", (at) => {
    expect(run([stream.slice(0, at), stream.slice(at)]).tokens).toEqual(whole);
  });

  it("every three-way split gives the same tokens as one chunk", () => {
    for (let a = 1; a < stream.length - 1; a++) {
      for (let b = a + 1; b < stream.length; b++) {
        expect(run([stream.slice(0, a), stream.slice(a, b), stream.slice(b)]).tokens, `split at ${a},${b}`).toEqual(whole);
      }
    }
  });

  it("byte-by-byte input gives the same tokens as one chunk", () => {
    expect(run([...stream]).tokens).toEqual(whole);
  });
});

describe("tokenize: the > prompt", () => {
  const cases: { title: string; chunks: string[]; tokens: Token[] }[] = [
    { title: "CR LF > space is a prompt (27.005 §3.5.1)", chunks: ["\r\n> "], tokens: [{ type: "prompt" }] },
    { title: "a prompt split between > and the space is still one prompt", chunks: ["\r\n>", " "], tokens: [{ type: "prompt" }] },
    { title: "a prompt as the very first bytes is recognised", chunks: ["> "], tokens: [{ type: "prompt" }] },
    { title: "a prompt after a response line is recognised", chunks: ["\r\nOK\r\n> "], tokens: [line("OK"), { type: "prompt" }] },
    { title: "> space inside a line is not a prompt", chunks: ["+CMGS: > 1\r\n"], tokens: [line("+CMGS: > 1")] },
    { title: "text ending in > space without a line end is not a prompt", chunks: ["abc> "], tokens: [] },
    { title: "> without a space is an ordinary line", chunks: [">1\r\n"], tokens: [line(">1")] },
    { title: "> followed by CR is an ordinary line", chunks: [">\r\n"], tokens: [line(">")] },
    { title: "a prompt followed by a line end adds no empty line", chunks: ["\r\n> \r\n"], tokens: [{ type: "prompt" }] },
  ];
  it.each(cases)("$title", ({ chunks, tokens }) => {
    expect(run(chunks).tokens).toEqual(tokens);
  });

  it("the partial line is empty after a prompt, so the next line is clean", () => {
    const r = run(["\r\n> ", "+CMGS: 5\r\n"]);
    expect(r.tokens).toEqual([{ type: "prompt" }, line("+CMGS: 5")]);
    expect(r.state.partial).toBe("");
  });

  it("text ending in > space stays in the partial line until its end arrives", () => {
    const r = run(["abc> "]);
    expect(r.state.partial).toBe("abc> ");
    expect(tokenize(r.state, bytes("\r\n")).tokens).toEqual([line("abc>")]);
  });
});

describe("tokenize: control bytes", () => {
  const cases: { title: string; input: string; text: string; stripped: number }[] = [
    { title: "NUL bytes are removed and counted", input: "O\x00K\x00\r\n", text: "OK", stripped: 2 },
    { title: "XON, XOFF and bell are removed and counted", input: "\x11O\x13K\x07\r\n", text: "OK", stripped: 3 },
    { title: "DEL is removed and counted", input: "O\x7fK\r\n", text: "OK", stripped: 1 },
    { title: "TAB and backspace are removed like other C0 controls", input: "A\tB\x08C\r\n", text: "ABC", stripped: 2 },
  ];
  it.each(cases)("$title", ({ input, text, stripped }) => {
    const r = run([input]);
    expect(r.tokens).toEqual([line(text)]);
    expect(r.stripped).toBe(stripped);
  });

  it("a line made only of control bytes is dropped as empty", () => {
    expect(run(["\x00\x01\x02\r\n"]).tokens).toEqual([]);
  });
});

describe("tokenize: over-long lines (docs/reliability.md #12)", () => {
  it("a line of exactly maxLine characters is still a line", () => {
    expect(run(["12345678\r"], 8).tokens).toEqual([line("12345678")]);
  });

  it("one character over maxLine turns the line into an overflow with the full dropped count", () => {
    expect(run(["123456789\r"], 8).tokens).toEqual([{ type: "overflow", dropped: 9 }]);
  });

  it("a 10,000-byte line without terminator gives one overflow token and keeps memory bounded", () => {
    let state = initialTokenizerState;
    const tokens: Token[] = [];
    let maxPartial = 0;
    for (let i = 0; i < 10_000; i += 137) {
      const r = tokenize(state, bytes("A".repeat(Math.min(137, 10_000 - i))));
      tokens.push(...r.tokens);
      state = r.state;
      maxPartial = Math.max(maxPartial, state.partial.length);
    }
    expect(tokens).toEqual([]);
    expect(state.discarding).toBe(true);
    expect(maxPartial).toBeLessThanOrEqual(MAX_LINE);
    expect(state.partial).toBe("");
    const after = tokenize(state, bytes("\r\nOK\r\n"));
    expect(after.tokens).toEqual([{ type: "overflow", dropped: 10_000 }, line("OK")]);
    expect(after.state.discarding).toBe(false);
    expect(after.state.discarded).toBe(0);
  });

  it("a 10,000-byte line fed byte by byte never holds more than MAX_LINE characters", () => {
    let state = initialTokenizerState;
    for (let i = 0; i < 10_000; i++) {
      state = tokenize(state, bytes("7")).state;
      expect(state.partial.length).toBeLessThanOrEqual(MAX_LINE);
    }
    expect(tokenize(state, bytes("\rOK\r")).tokens).toEqual([{ type: "overflow", dropped: 10_000 }, line("OK")]);
  });

  it("no prompt is reported while an over-long line is being discarded", () => {
    expect(run(["123456789", "> ", "\r"], 8).tokens).toEqual([{ type: "overflow", dropped: 11 }]);
  });

  it("an over-long line ended by Ctrl-Z is an overflow, not user data", () => {
    expect(run(["123456789\x1a"], 8).tokens).toEqual([{ type: "overflow", dropped: 9 }]);
  });

  it("control bytes inside a discarded line are counted as stripped, not as dropped", () => {
    const r = run(["123456789\x00\x00AB\r"], 8);
    expect(r.tokens).toEqual([{ type: "overflow", dropped: 11 }]);
    expect(r.stripped).toBe(2);
  });
});

describe("tokenize: purity", () => {
  it("the input state object is never modified", () => {
    const state: TokenizerState = { partial: "AB", discarding: false, discarded: 0, afterCr: true };
    const copy = { ...state };
    tokenize(state, bytes("CD\r\nEF"));
    expect(state).toEqual(copy);
  });

  it("the same state and chunk always give the same result", () => {
    const state: TokenizerState = { partial: "+CT", discarding: false, discarded: 0, afterCr: false };
    expect(tokenize(state, bytes("GS: 1\r\n> "))).toEqual(tokenize(state, bytes("GS: 1\r\n> ")));
  });
});

describe("LineTokenizer", () => {
  it("keeps the partial line between pushes and exposes it as pending", () => {
    const t = new LineTokenizer();
    expect(t.push(bytes("+CTGS: 1,"))).toEqual([]);
    expect(t.pending).toBe("+CTGS: 1,");
    expect(t.push(bytes("9001\r\n"))).toEqual([line("+CTGS: 1,9001")]);
    expect(t.pending).toBe("");
  });

  it("adds up stripped control bytes over pushes", () => {
    const t = new LineTokenizer();
    t.push(bytes("\x00A"));
    t.push(bytes("\x07\x00\r"));
    expect(t.strippedControls).toBe(3);
  });

  it("flush returns the partial line and starts over, also after an overflow", () => {
    const t = new LineTokenizer(4);
    expect(t.push(bytes("abc"))).toEqual([]);
    expect(t.flush()).toBe("abc");
    t.push(bytes("abcdefgh"));
    t.flush();
    expect(t.push(bytes("OK\r\n"))).toEqual([line("OK")]);
  });

  it("honours its own maximum line length", () => {
    const t = new LineTokenizer(4);
    expect(t.push(bytes("abcde\r\nOK\r\n"))).toEqual([{ type: "overflow", dropped: 5 }, line("OK")]);
  });
});
