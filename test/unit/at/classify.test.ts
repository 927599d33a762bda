import { describe, expect, it } from "vitest";
import { type FinalResult, type LineMatcher, type UrcDefinition, lineValue, splitFields } from "../../../adapters/at/at-command.js";
import { type Classification, type ClassifyContext, classifyLine, parseFinal, urcRegistry } from "../../../adapters/at/classify.js";
import { ok } from "../../../src/shared/errors.js";

const ctsdsr: UrcDefinition = {
  name: "CTSDSR",
  prefix: "+CTSDSR:",
  trailingLines: 1,
  trailingPattern: /^[0-9A-F]+$/i,
  parse: (lines) => ok(lines),
};
const ctsdsrLoose: UrcDefinition = { name: "CTSDSR-loose", prefix: "+CTSDSR", trailingLines: 1, parse: (lines) => ok(lines) };
const ctgs: UrcDefinition = { name: "CTGS", prefix: "+CTGS", trailingLines: 0, parse: (lines) => ok(lines) };
/** docs/pei.md §1.4 rule 3: any +CMGS with a status field is the unsolicited transmission report. */
const cmgsReport: UrcDefinition = {
  name: "CMGS-report",
  prefix: "+CMGS:",
  match: (line) => splitFields(lineValue(line)).length >= 2,
  trailingLines: 0,
  parse: (lines) => ok(lines),
};
const ctxg: UrcDefinition = { name: "CTXG", prefix: "+ctxg", trailingLines: 0, parse: (lines) => ok(lines) };

const urcs = urcRegistry([ctsdsr, ctgs, cmgsReport, ctxg]);

const active = (commandLine: string, expect: readonly LineMatcher[] = [], bodyLine?: string): ClassifyContext["active"] => ({ commandLine, expect, bodyLine });

interface Case {
  title: string;
  line: string;
  ctx: Omit<ClassifyContext, "urcs"> & { urcs?: ClassifyContext["urcs"] };
  want: Classification;
}

const final = (result: FinalResult): Classification => ({ kind: "final", result });

describe("classifyLine", () => {
  const cases: Case[] = [
    // (a) lines owed to an open URC come first
    { title: "a hex line owed to +CTSDSR is its trailing line", line: "8204ABCD", ctx: { owedTo: ctsdsr }, want: { kind: "trailing" } },
    { title: "lower-case hex owed to +CTSDSR is accepted as trailing", line: "8204abcd", ctx: { owedTo: ctsdsr }, want: { kind: "trailing" } },
    { title: "OK where a hex line is owed is a trailing mismatch, not yet a final result", line: "OK", ctx: { owedTo: ctsdsr, active: active("AT+CTGS?") }, want: { kind: "trailing-mismatch" } },
    { title: "a non-hex line where hex is owed is a trailing mismatch (truncated URC)", line: "+CTGS: 1,9001", ctx: { owedTo: ctsdsr }, want: { kind: "trailing-mismatch" } },
    { title: "a hex line owed to a URC wins even over the echo of the active command", line: "ABCD", ctx: { owedTo: ctsdsr, active: active("ABCD") }, want: { kind: "trailing" } },
    { title: "without a trailing pattern any line is owed, even OK", line: "OK", ctx: { owedTo: ctsdsrLoose, active: active("AT") }, want: { kind: "trailing" } },
    // (b) echo
    { title: "the echo of the command line is an echo", line: "AT+CTGS?", ctx: { active: active("AT+CTGS?", ["+CTGS"]) }, want: { kind: "echo" } },
    { title: "the echo is recognised case-insensitively", line: "at+ctgs?", ctx: { active: active("AT+CTGS?") }, want: { kind: "echo" } },
    { title: "the echo of the user data is an echo", line: "8204", ctx: { active: active("AT+CMGS=1234567,16", [], "8204") }, want: { kind: "echo" } },
    { title: "the echo of the command is not recognised when idle", line: "AT+CTGS?", ctx: {}, want: { kind: "unknown" } },
    // (c) expected prefix versus URC with the same header
    { title: "+CTGS while AT+CTGS? is active is its response", line: "+CTGS: 1,9001", ctx: { active: active("AT+CTGS?", ["+CTGS"]) }, want: { kind: "response" } },
    { title: "+CTGS while idle is an unsolicited code", line: "+CTGS: 1,9001", ctx: {}, want: { kind: "urc", def: ctgs } },
    { title: "+CTGS while another command is active is an unsolicited code", line: "+CTGS: 1,9001", ctx: { active: active("AT+CTOM?", ["+CTOM"]) }, want: { kind: "urc", def: ctgs } },
    { title: "an expect header with a colon matches too", line: "+CTGS: 1,9001", ctx: { active: active("AT+CTGS?", ["+CTGS:"]) }, want: { kind: "response" } },
    { title: "an expect header matches a lower-case line without a space", line: "+ctgs:1,9001", ctx: { active: active("AT+CTGS?", ["+CTGS"]) }, want: { kind: "response" } },
    { title: "a function matcher in expect decides by the whole line", line: "1,9001", ctx: { active: active("AT+CTGS?", [(l: string) => /^\d+,\d+$/.test(l)]) }, want: { kind: "response" } },
    { title: "+CMGS with only the instance while AT+CMGS is active is the response", line: "+CMGS: 5", ctx: { active: active("AT+CMGS=1234567,16", ["+CMGS"]) }, want: { kind: "response" } },
    { title: "+CMGS with a status field while AT+CMGS is active is the unsolicited report (docs/pei.md §1.4 rule 3)", line: "+CMGS: 0,4,12", ctx: { active: active("AT+CMGS=1234567,16", ["+CMGS"]) }, want: { kind: "urc", def: cmgsReport } },
    { title: "+CMGS with a status field while idle is the unsolicited report", line: "+CMGS: 0,4,12", ctx: {}, want: { kind: "urc", def: cmgsReport } },
    { title: "+CMGS without a status field while idle matches no URC and is unknown", line: "+CMGS: 5", ctx: {}, want: { kind: "unknown" } },
    { title: "+CMGS without a status field while another command is active is intermediate", line: "+CMGS: 5", ctx: { active: active("AT+CTGS?", ["+CTGS"]) }, want: { kind: "intermediate" } },
    // (d) finals
    { title: "OK is a final result", line: "OK", ctx: { active: active("AT") }, want: final({ type: "ok" }) },
    { title: "lower-case ok is a final result", line: "ok", ctx: { active: active("AT") }, want: final({ type: "ok" }) },
    { title: "ERROR is a final result", line: "ERROR", ctx: { active: active("AT") }, want: final({ type: "error" }) },
    { title: "+CME ERROR: 42 is a final with code 42", line: "+CME ERROR: 42", ctx: { active: active("AT+CTSDS=12,0") }, want: final({ type: "cme", code: 42, text: "42" }) },
    { title: "+CMS ERROR: 500 is a final with code 500", line: "+CMS ERROR: 500", ctx: { active: active("AT+CMGS=20") }, want: final({ type: "cms", code: 500, text: "500" }) },
    { title: "+CME ERROR with text is a final with code -1 and the text", line: "+CME ERROR: SIM not inserted", ctx: { active: active("AT") }, want: final({ type: "cme", code: -1, text: "SIM not inserted" }) },
    { title: "+cme error:35 without a space and in lower case is a final with code 35", line: "+cme error:35", ctx: { active: active("AT") }, want: final({ type: "cme", code: 35, text: "35" }) },
    { title: "NO CARRIER is a final result", line: "NO CARRIER", ctx: { active: active("ATD112;") }, want: final({ type: "no-carrier" }) },
    { title: "BUSY is a final result", line: "BUSY", ctx: { active: active("ATD112;") }, want: final({ type: "busy" }) },
    { title: "NO ANSWER is a final result", line: "NO ANSWER", ctx: { active: active("ATD112;") }, want: final({ type: "no-answer" }) },
    { title: "NO DIALTONE is a final result", line: "NO DIALTONE", ctx: { active: active("ATD112;") }, want: final({ type: "no-dialtone" }) },
    { title: "a final result wins over a URC when a command is active", line: "OK", ctx: { active: active("AT"), urcs: urcRegistry([{ ...ctgs, prefix: "OK" }]) }, want: final({ type: "ok" }) },
    { title: "OK while idle is unknown (a late answer)", line: "OK", ctx: {}, want: { kind: "unknown" } },
    { title: "+CME ERROR while idle is unknown", line: "+CME ERROR: 35", ctx: {}, want: { kind: "unknown" } },
    // (e) URC registry
    { title: "+CTSDSR with no space after the colon is the URC (Azart)", line: "+CTSDSR:12,1234567,0,2345678,0,16", ctx: {}, want: { kind: "urc", def: ctsdsr } },
    { title: "+ctsdsr in lower case is the URC", line: "+ctsdsr: 12,1234567,0,2345678,0,16", ctx: { active: active("AT+CTGS?", ["+CTGS"]) }, want: { kind: "urc", def: ctsdsr } },
    { title: "a registry prefix in lower case matches an upper-case line", line: "+CTXG: 1,2", ctx: {}, want: { kind: "urc", def: ctxg } },
    { title: "a URC between a response line and OK is still a URC", line: "+CTSDSR: 12,1234567,0,2345678,0,16", ctx: { active: active("AT+CTGS?", ["+CTGS"]) }, want: { kind: "urc", def: ctsdsr } },
    // (f) the rest
    { title: "an unlisted line while a command is active is intermediate", line: "TETRA MS v1.2", ctx: { active: active("AT+GMR") }, want: { kind: "intermediate" } },
    { title: "an unlisted line while idle is unknown", line: "garbage", ctx: {}, want: { kind: "unknown" } },
    { title: "a word that starts like a final result is not one", line: "OKAY", ctx: { active: active("AT") }, want: { kind: "intermediate" } },
  ];

  it.each(cases)("$title", ({ line, ctx, want }) => {
    expect(classifyLine(line, { urcs, ...ctx })).toEqual(want);
  });
});

describe("parseFinal", () => {
  const cases: { line: string; want: FinalResult | undefined }[] = [
    { line: "OK", want: { type: "ok" } },
    { line: " OK ", want: { type: "ok" } },
    { line: "Error", want: { type: "error" } },
    { line: "+CME ERROR: 3", want: { type: "cme", code: 3, text: "3" } },
    { line: "+CME ERROR: 042", want: { type: "cme", code: 42, text: "042" } },
    { line: "+CME ERROR:", want: { type: "cme", code: -1, text: "" } },
    { line: "+CME ERROR: 4 2", want: { type: "cme", code: -1, text: "4 2" } },
    { line: "+CMS ERROR: 500", want: { type: "cms", code: 500, text: "500" } },
    { line: "+CMS ERROR: unknown error", want: { type: "cms", code: -1, text: "unknown error" } },
    { line: "no carrier", want: { type: "no-carrier" } },
    { line: "CONNECT", want: undefined },
    { line: "+CMGS: 5", want: undefined },
    { line: "ERROR: 5", want: undefined },
    { line: "", want: undefined },
  ];
  it.each(cases)("$line parses as $want", ({ line, want }) => {
    expect(parseFinal(line)).toEqual(want);
  });
});

describe("urcRegistry", () => {
  it("keys definitions by the upper-case header without colon and keeps their order", () => {
    const a: UrcDefinition = { ...cmgsReport, name: "a" };
    const b: UrcDefinition = { ...cmgsReport, name: "b", prefix: "+cmgs" };
    const map = urcRegistry([a, b, ctgs]);
    expect([...map.keys()].sort()).toEqual(["+CMGS", "+CTGS"]);
    expect(map.get("+CMGS")?.map((d) => d.name)).toEqual(["a", "b"]);
  });

  it("the first definition whose match accepts the line wins", () => {
    const narrow: UrcDefinition = { ...ctgs, name: "narrow", match: (l) => l.endsWith(",9001") };
    const wide: UrcDefinition = { ...ctgs, name: "wide" };
    const reg = urcRegistry([narrow, wide]);
    expect(classifyLine("+CTGS: 1,9001", { urcs: reg })).toEqual({ kind: "urc", def: narrow });
    expect(classifyLine("+CTGS: 1,9002", { urcs: reg })).toEqual({ kind: "urc", def: wide });
  });
});
