import { describe, expect, it } from "vitest";
import type { FinalResult } from "../../../adapters/at/at-command.js";
import {
  CTRL_Z,
  ESC,
  type FailureReason,
  type TxEffect,
  type TxInput,
  type TxSpec,
  type TxState,
  type TxStateName,
  initialTxState,
  transition,
} from "../../../adapters/at/transaction-machine.js";

/** PEI style: command, CR LF, hex and Ctrl-Z go out in one write (docs/pei.md §1.5). */
const PEI: TxSpec = { commandLine: "AT+CMGS=1234567,16", body: "8204", awaitPrompt: false, timeoutMs: 1000, terminator: "\r", bodySeparator: "\r\n" };
/** GSM modem style: the body waits for the "> " prompt (27.005 §3.5.1). */
const MODEM: TxSpec = { commandLine: "AT+CMGS=12", body: "0011", awaitPrompt: true, timeoutMs: 2000, terminator: "\r", bodySeparator: "\r\n" };

const OK: FinalResult = { type: "ok" };
const ERR: FinalResult = { type: "error" };
const CME: FinalResult = { type: "cme", code: 42, text: "42" };
const CMS: FinalResult = { type: "cms", code: 500, text: "500" };

const INPUTS = {
  start: { type: "start" },
  written: { type: "written" },
  prompt: { type: "prompt" },
  line: { type: "line", line: "+CMGS: 7" },
  finalOk: { type: "final", result: OK },
  finalError: { type: "final", result: ERR },
  finalCme: { type: "final", result: CME },
  timeout: { type: "timeout" },
  abort: { type: "abort" },
  linkClosed: { type: "linkClosed" },
} satisfies Record<string, TxInput>;
type InputName = keyof typeof INPUTS;

const LINES = ["+CTGS: 1"];
const stateOf = (name: TxStateName): TxState =>
  name === "queued" ? { name, lines: [] } : name === "failed" ? { name, lines: LINES, failure: { reason: "timeout" } } : { name, lines: LINES };

/** What a transition must produce. `stay` means: the very same state object and no effects. */
type Want =
  | { stay: true }
  | { name: TxStateName; lines?: readonly string[]; effects: TxEffect[]; failure?: { reason: FailureReason; final?: FinalResult } };

const STAY: Want = { stay: true };
const to = (name: TxStateName, effects: TxEffect[] = []): Want => ({ name, effects });
const appended = (name: TxStateName): Want => ({ name, lines: [...LINES, "+CMGS: 7"], effects: [] });
const failed = (reason: FailureReason, final?: FinalResult, before: TxEffect[] = []): Want => ({
  name: "failed",
  failure: final ? { reason, final } : { reason },
  effects: [...before, { type: "clearTimer" }, final ? { type: "reject", reason, final } : { type: "reject", reason }],
});
const DONE: Want = { name: "done", effects: [{ type: "clearTimer" }, { type: "resolve", lines: LINES }] };

type Row = Record<InputName, { pei: Want; modem: Want }>;
const both = (w: Want): { pei: Want; modem: Want } => ({ pei: w, modem: w });

const ACTIVE_FAILS = {
  finalError: both(failed("error", ERR)),
  finalCme: both(failed("cme", CME)),
  abort: both(failed("aborted")),
  linkClosed: both(failed("link-lost")),
};
/** Abort or timeout while a modem may be waiting for its PDU: ESC releases it (27.005 §3.5.1). */
const ESCAPES = [{ type: "write", data: ESC }] as TxEffect[];
const BODY_PENDING_FAILS = {
  ...ACTIVE_FAILS,
  abort: { pei: failed("aborted"), modem: failed("aborted", undefined, ESCAPES) },
};

const ALL_STAY: Row = {
  start: both(STAY),
  written: both(STAY),
  prompt: both(STAY),
  line: both(STAY),
  finalOk: both(STAY),
  finalError: both(STAY),
  finalCme: both(STAY),
  timeout: both(STAY),
  abort: both(STAY),
  linkClosed: both(STAY),
};

const TABLE: Record<TxStateName, Row> = {
  queued: {
    start: {
      pei: { name: "writing", lines: [], effects: [{ type: "armTimer", ms: 1000 }, { type: "write", data: "AT+CMGS=1234567,16\r\n8204\x1a" }] },
      modem: { name: "writing", lines: [], effects: [{ type: "armTimer", ms: 2000 }, { type: "write", data: "AT+CMGS=12\r" }] },
    },
    written: both(STAY),
    prompt: both(STAY),
    line: both(STAY),
    finalOk: both(STAY),
    finalError: both(STAY),
    finalCme: both(STAY),
    timeout: both(STAY),
    abort: both({ name: "failed", lines: [], failure: { reason: "aborted" }, effects: [{ type: "clearTimer" }, { type: "reject", reason: "aborted" }] }),
    linkClosed: both(STAY),
  },
  writing: {
    start: both(STAY),
    written: { pei: to("awaitingFinal"), modem: to("awaitingPrompt") },
    prompt: { pei: STAY, modem: to("writingBody", [{ type: "write", data: "0011\x1a" }]) },
    line: both(appended("writing")),
    // A prompt command's OK before its body went out cannot be its answer, whatever the write callback timing.
    finalOk: { pei: DONE, modem: STAY },
    timeout: { pei: failed("timeout"), modem: failed("timeout", undefined, ESCAPES) },
    ...BODY_PENDING_FAILS,
  },
  awaitingPrompt: {
    start: both(STAY),
    written: both(STAY),
    prompt: { pei: STAY, modem: to("writingBody", [{ type: "write", data: "0011\x1a" }]) },
    line: both(appended("awaitingPrompt")),
    finalOk: both(STAY),
    timeout: both(failed("no-prompt", undefined, [{ type: "write", data: ESC }])),
    ...BODY_PENDING_FAILS,
  },
  writingBody: {
    start: both(STAY),
    written: both(to("awaitingFinal")),
    prompt: both(STAY),
    line: both(appended("writingBody")),
    finalOk: both(STAY),
    timeout: { pei: failed("timeout"), modem: failed("timeout", undefined, ESCAPES) },
    ...BODY_PENDING_FAILS,
  },
  awaitingFinal: {
    start: both(STAY),
    written: both(STAY),
    prompt: both(STAY),
    line: both(appended("awaitingFinal")),
    finalOk: both(DONE),
    timeout: both(failed("timeout")),
    ...ACTIVE_FAILS,
  },
  done: ALL_STAY,
  failed: ALL_STAY,
};

const rows = (Object.keys(TABLE) as TxStateName[]).flatMap((state) =>
  (Object.keys(INPUTS) as InputName[]).flatMap((input) =>
    (["pei", "modem"] as const).map((mode) => ({ state, input, mode, want: TABLE[state][input][mode] })),
  ),
);

describe("transition: every (state, input) pair", () => {
  it("the table covers 7 states × 10 inputs × 2 specs", () => {
    expect(rows).toHaveLength(140);
  });

  it.each(rows)("$state + $input ($mode) gives the tabled state and effects", ({ state, input, mode, want }) => {
    const spec = mode === "pei" ? PEI : MODEM;
    const before = stateOf(state);
    const snapshot = structuredClone(before);
    const t = transition(spec, before, INPUTS[input]);
    expect(before).toEqual(snapshot);
    if ("stay" in want) {
      expect(t.state).toBe(before);
      expect(t.effects).toEqual([]);
      return;
    }
    expect(t.state.name).toBe(want.name);
    expect(t.state.lines).toEqual(want.lines ?? before.lines);
    expect(t.state.failure).toEqual(want.failure);
    expect(t.effects).toEqual(want.effects);
  });
});

describe("transition: other final results", () => {
  const cases: { title: string; result: FinalResult; reason: FailureReason }[] = [
    { title: "+CMS ERROR fails with reason cms", result: CMS, reason: "cms" },
    { title: "NO CARRIER fails with reason call-result", result: { type: "no-carrier" }, reason: "call-result" },
    { title: "BUSY fails with reason call-result", result: { type: "busy" }, reason: "call-result" },
    { title: "NO ANSWER fails with reason call-result", result: { type: "no-answer" }, reason: "call-result" },
    { title: "NO DIALTONE fails with reason call-result", result: { type: "no-dialtone" }, reason: "call-result" },
  ];
  it.each(cases)("$title and carries the final result", ({ result, reason }) => {
    const t = transition(PEI, stateOf("awaitingFinal"), { type: "final", result });
    expect(t.state).toEqual({ name: "failed", lines: LINES, failure: { reason, final: result } });
    expect(t.effects).toEqual([{ type: "clearTimer" }, { type: "reject", reason, final: result }]);
  });
});

describe("transition: command shapes", () => {
  const plain: TxSpec = { commandLine: "AT+CTGS?", awaitPrompt: false, timeoutMs: 3000, terminator: "\r", bodySeparator: "\r\n" };

  it("a command without body is written with the terminator only", () => {
    expect(transition(plain, initialTxState, { type: "start" }).effects).toEqual([
      { type: "armTimer", ms: 3000 },
      { type: "write", data: "AT+CTGS?\r" },
    ]);
  });

  it("a CR LF terminator is honoured for a command without body", () => {
    const t = transition({ ...plain, terminator: "\r\n" }, initialTxState, { type: "start" });
    expect(t.effects[1]).toEqual({ type: "write", data: "AT+CTGS?\r\n" });
  });

  it("PEI user data is written as command, separator, hex, Ctrl-Z and nothing else (reliability goal S2)", () => {
    const t = transition(PEI, initialTxState, { type: "start" });
    const write = t.effects.find((e) => e.type === "write");
    expect(write).toEqual({ type: "write", data: "AT+CMGS=1234567,16\r\n8204" + CTRL_Z });
    // eslint-disable-next-line no-control-regex -- the S2 grammar ends in Ctrl-Z
    expect(write?.type === "write" && /^AT\+CMGS=\d+,\d+\r\n[0-9A-F]+\x1a$/.test(write.data)).toBe(true);
  });

  it("a CR-only user-data separator replaces CR LF between command and data", () => {
    const t = transition({ ...PEI, bodySeparator: "\r" }, initialTxState, { type: "start" });
    expect(t.effects[1]).toEqual({ type: "write", data: "AT+CMGS=1234567,16\r8204\x1a" });
  });

  it("an awaitPrompt command without body does not wait for a prompt", () => {
    const spec: TxSpec = { ...plain, awaitPrompt: true };
    const writing = transition(spec, initialTxState, { type: "start" }).state;
    expect(transition(spec, writing, { type: "written" }).state.name).toBe("awaitingFinal");
    expect(transition(spec, writing, { type: "prompt" }).effects).toEqual([]);
  });

  it("the whole modem flow runs queued → writing → awaitingPrompt → writingBody → awaitingFinal → done", () => {
    const inputs: TxInput[] = [{ type: "start" }, { type: "written" }, { type: "prompt" }, { type: "written" }, { type: "line", line: "+CMGS: 5" }, { type: "final", result: OK }];
    let s = initialTxState;
    const names: TxStateName[] = [];
    const writes: string[] = [];
    let resolved: readonly string[] | undefined;
    for (const i of inputs) {
      const t = transition(MODEM, s, i);
      s = t.state;
      names.push(s.name);
      for (const e of t.effects) {
        if (e.type === "write") writes.push(e.data);
        if (e.type === "resolve") resolved = e.lines;
      }
    }
    expect(names).toEqual(["writing", "awaitingPrompt", "writingBody", "awaitingFinal", "awaitingFinal", "done"]);
    expect(writes).toEqual(["AT+CMGS=12\r", "0011\x1a"]);
    expect(resolved).toEqual(["+CMGS: 5"]);
  });

  it("a prompt that overtakes the write callback sends the body exactly once", () => {
    let s = transition(MODEM, initialTxState, { type: "start" }).state;
    const first = transition(MODEM, s, { type: "prompt" });
    s = first.state;
    expect(first.effects).toEqual([{ type: "write", data: "0011\x1a" }]);
    const second = transition(MODEM, s, { type: "prompt" });
    expect(second.effects).toEqual([]);
  });

  it("the PEI flow never waits for a prompt", () => {
    let s = transition(PEI, initialTxState, { type: "start" }).state;
    s = transition(PEI, s, { type: "written" }).state;
    expect(s.name).toBe("awaitingFinal");
    const t = transition(PEI, s, { type: "final", result: OK });
    expect(t.state.name).toBe("done");
  });

  it("response lines accumulate in order and are resolved without the final", () => {
    let s: TxState = { name: "awaitingFinal", lines: [] };
    for (const line of ["a", "b", "c"]) s = transition(PEI, s, { type: "line", line }).state;
    expect(transition(PEI, s, { type: "final", result: OK }).effects).toEqual([{ type: "clearTimer" }, { type: "resolve", lines: ["a", "b", "c"] }]);
  });
});
