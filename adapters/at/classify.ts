import { type FinalResult, type LineMatcher, type UrcDefinition, lineHeader, lineValue, matches } from "./at-command.js";

/**
 * Decides what one received line is, pure. Order matters:
 *   (a) a data line owed to an open unsolicited code (`+CTSDSR:` header → hex line)
 *   (b) the echo of the command we sent (a rebooted terminal echoes again)
 *   (c) an information line the active command declared in `expect` (a solicited `+CTGS:`)
 *   (d) a final result code
 *   (e) an unsolicited result code from the registry
 *   (f) an intermediate line of the active command, or `unknown` when idle
 */
export type Classification =
  | { kind: "trailing" }
  | { kind: "trailing-mismatch" }
  | { kind: "echo" }
  | { kind: "response" }
  | { kind: "final"; result: FinalResult }
  | { kind: "urc"; def: UrcDefinition }
  | { kind: "intermediate" }
  | { kind: "unknown" };

export interface ClassifyContext {
  /** An unsolicited code is waiting for more data lines. */
  owedTo?: UrcDefinition | undefined;
  /** The active command, if any. */
  active?:
    | {
        commandLine: string;
        bodyLine?: string | undefined;
        expect: readonly LineMatcher[];
      }
    | undefined;
  urcs: ReadonlyMap<string, readonly UrcDefinition[]>;
}

const SIMPLE_FINALS: Record<string, FinalResult> = {
  OK: { type: "ok" },
  ERROR: { type: "error" },
  "NO CARRIER": { type: "no-carrier" },
  BUSY: { type: "busy" },
  "NO ANSWER": { type: "no-answer" },
  "NO DIALTONE": { type: "no-dialtone" },
};

/** Parses final result codes (V.250 §5.7, 27.007 §9.2 `+CME ERROR`, 27.005 §3.2.5 `+CMS ERROR`). */
export function parseFinal(line: string): FinalResult | undefined {
  const upper = line.trim().toUpperCase();
  const simple = SIMPLE_FINALS[upper];
  if (simple) return simple;
  const header = lineHeader(line);
  if (header === "+CME ERROR" || header === "+CMS ERROR") {
    const text = lineValue(line);
    const code = /^\d+$/.test(text) ? Number(text) : -1;
    return header === "+CME ERROR" ? { type: "cme", code, text } : { type: "cms", code, text };
  }
  return undefined;
}

function findUrc(line: string, urcs: ClassifyContext["urcs"]): UrcDefinition | undefined {
  const defs = urcs.get(lineHeader(line));
  return defs?.find((d) => !d.match || d.match(line));
}

export function classifyLine(line: string, ctx: ClassifyContext): Classification {
  if (ctx.owedTo) {
    const pattern = ctx.owedTo.trailingPattern;
    return !pattern || pattern.test(line) ? { kind: "trailing" } : { kind: "trailing-mismatch" };
  }
  const active = ctx.active;
  if (active) {
    const norm = line.trim().toUpperCase();
    if (norm === active.commandLine.toUpperCase() || (active.bodyLine !== undefined && norm === active.bodyLine.toUpperCase())) {
      return { kind: "echo" };
    }
    if (active.expect.some((m) => matches(m, line))) {
      // A URC definition with its own `match` is narrower than a header in `expect`: docs/pei.md §1.4 rule 3 says
      // any `+CMGS:` with a status field is the unsolicited report, even while the next AT+CMGS waits for
      // its `+CMGS: <instance>`; taking it as the response misattributes the result (docs/reliability.md #18).
      const narrow = ctx.urcs.get(lineHeader(line))?.find((d) => d.match?.(line) === true);
      return narrow ? { kind: "urc", def: narrow } : { kind: "response" };
    }
  }
  const final = parseFinal(line);
  if (final) return active ? { kind: "final", result: final } : { kind: "unknown" };
  const urc = findUrc(line, ctx.urcs);
  if (urc) return { kind: "urc", def: urc };
  return active ? { kind: "intermediate" } : { kind: "unknown" };
}

/** Builds the lookup map the classifier uses, keyed by header. */
export function urcRegistry(defs: readonly UrcDefinition[]): Map<string, UrcDefinition[]> {
  const map = new Map<string, UrcDefinition[]>();
  for (const d of defs) {
    const key = d.prefix.replace(/:$/, "").toUpperCase();
    const list = map.get(key) ?? [];
    list.push(d);
    map.set(key, list);
  }
  return map;
}
