/**
 * Parses one host command line into name, form and arguments (V.250 extended syntax, EN 300 392-5
 * clause 4): `AT+CTGS=1,9001` set, `AT+CTGS?` read, `AT+CTGS=?` test, `AT+GMI` / `ATI` action.
 * Names are matched case-insensitively (docs/pei.md §1.2); argument text keeps its case.
 */
import { splitFields } from "../../at/at-command.js";

/** The four forms of an extended command, plus a basic command (`ATE0`, `ATI`, `ATZ`). */
export type CommandForm = "exec" | "set" | "read" | "test";

/** One parsed command line. */
export interface ParsedCommand {
  /** The line as received, trimmed. */
  raw: string;
  /** Upper-case name: `+CTGS`, `E`, `I`, `Z`, or `""` for a bare `AT`. */
  name: string;
  form: CommandForm;
  /** Text after `=` (set form), as written. */
  argText: string;
  /** Comma-separated arguments with surrounding quotes and spaces removed. */
  args: string[];
}

/** Result: a command, or a line that is not an AT command at all. */
export type CommandParse = { ok: true; cmd: ParsedCommand } | { ok: false; raw: string };

/** Splits arguments on commas outside quotes, unquoting each; no arguments for an empty text. */
export function splitArgs(text: string): string[] {
  return text.trim() === "" ? [] : splitFields(text);
}

/** Parses a command line; lines not starting with `AT` (any case) are not commands. */
export function parseCommandLine(line: string): CommandParse {
  const raw = line.trim();
  if (!/^AT/i.test(raw)) return { ok: false, raw };
  const body = raw.slice(2);
  if (body === "") return { ok: true, cmd: { raw, name: "", form: "exec", argText: "", args: [] } };
  if (body.startsWith("+")) {
    const m = /^(\+[A-Za-z]+)(=\?|\?|=)?(.*)$/s.exec(body);
    if (!m) return { ok: false, raw };
    const name = m[1]!.toUpperCase();
    const op = m[2];
    const rest = m[3] ?? "";
    // `AT+GMI?` is not V.250, but the brief's terminals accept it: a trailing `?` reads.
    const form: CommandForm = op === "=?" ? "test" : op === "?" ? "read" : op === "=" ? "set" : "exec";
    if ((form === "read" || form === "test" || form === "exec") && rest.trim() !== "") return { ok: false, raw };
    return { ok: true, cmd: { raw, name, form, argText: rest, args: form === "set" ? splitArgs(rest) : [] } };
  }
  // Basic command: one letter and an optional number (`E0`, `V1`, `I`, `Z`, `H`); `D<digits>` dials.
  const m = /^([A-Za-z&])(.*)$/s.exec(body);
  if (!m) return { ok: false, raw };
  const name = m[1]!.toUpperCase();
  return { ok: true, cmd: { raw, name, form: "exec", argText: m[2] ?? "", args: m[2] ? [m[2]] : [] } };
}
