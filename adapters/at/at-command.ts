import type { ParseResult } from "../../src/shared/errors.js";

/** Matches a response line: a string is a header such as `+CMGS` (compared case-insensitively, colon optional). */
export type LineMatcher = string | ((line: string) => boolean);

/**
 * A command is data: how to build it, what it expects, how to read the answer. The engine appends the
 * terminator; it never sees caller text that has not passed through `safe-args.ts`.
 */
export interface AtCommand<A, T> {
  /** Name for logs and metrics, e.g. `CMGS`. */
  readonly name: string;
  /** Command line without terminator, e.g. `AT+CTGS=1,9001`. Only printable ASCII is accepted. */
  build(args: A): string;
  /** Data after the command line (PEI user data, 27.005 PDU): uppercase hex only; Ctrl-Z is appended. */
  body?(args: A): string;
  /** Wait for the `> ` prompt before the body (GSM modems). PEI terminals take command and body in one write. */
  readonly awaitPrompt?: boolean;
  /** Information-response headers this command owns, so they are not taken for unsolicited codes. */
  readonly expect?: readonly LineMatcher[];
  /** Whole-transaction timeout. */
  readonly timeoutMs: number;
  /** Safe to send twice (reads, settings). Only idempotent commands are retried by the engine. */
  readonly idempotent: boolean;
  /** Reads the information lines (without the final result). Throws GatewayError AT_BAD_RESPONSE. */
  parse(lines: readonly string[]): T;
}

/** An unsolicited result code: its header and how many data lines follow it (`+CTSDSR:` carries one). */
export interface UrcDefinition<T = unknown> {
  readonly name: string;
  /** Header such as `+CTSDSR`; matched case-insensitively, with or without a space after the colon. */
  readonly prefix: string;
  /** Narrows the match, e.g. `+CMGS:` with a status field is unsolicited, without one it is solicited. */
  match?(line: string): boolean;
  /** Lines that follow the header line and belong to it. */
  readonly trailingLines: number;
  /** When a trailing line does not match, the URC was truncated (terminal reboot, unplug) and is dropped. */
  readonly trailingPattern?: RegExp;
  parse(lines: readonly string[]): ParseResult<T>;
}

export type FinalResult =
  | { type: "ok" }
  | { type: "error" }
  | { type: "cme"; code: number; text: string }
  | { type: "cms"; code: number; text: string }
  | { type: "no-carrier" | "busy" | "no-answer" | "no-dialtone" };

/** Header of a line: the text before the first colon, upper-cased (`+ctsdsr:12,…` → `+CTSDSR`). */
export function lineHeader(line: string): string {
  const i = line.indexOf(":");
  return (i < 0 ? line : line.slice(0, i)).trim().toUpperCase();
}

/** The text after the first colon, trimmed: `+CTGS: 1,9001` → `1,9001`. */
export function lineValue(line: string): string {
  const i = line.indexOf(":");
  return i < 0 ? "" : line.slice(i + 1).trim();
}

export function matches(m: LineMatcher, line: string): boolean {
  if (typeof m === "function") return m(line);
  return lineHeader(line) === m.replace(/:$/, "").toUpperCase();
}

/** Splits a comma-separated value list, keeping quoted strings whole and unquoted. */
export function splitFields(value: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}
