import type { Clock, TimerHandle } from "../../src/shared/clock.js";
import type { Logger } from "../../src/shared/logger.js";
import type { UrcDefinition } from "./at-command.js";

/**
 * Turns unsolicited result codes into parsed events. A code with trailing data lines (`+CTSDSR:` then the
 * hex line, `+CMT:` then the PDU) is "owed" its lines: the classifier hands them here first, and when they
 * do not come in time (or something else comes) the code is dropped as truncated, never half-delivered.
 */
export interface UrcSink {
  urc(ev: { name: string; lines: readonly string[]; value: unknown }): void;
  urcError(ev: { name: string; lines: readonly string[]; reason: string }): void;
}

export class UrcAssembler {
  private owedValue: { def: UrcDefinition; lines: string[]; timer: TimerHandle } | undefined;

  constructor(
    private readonly opts: { log: Logger; clock: Clock; sink: UrcSink; /** Wait for a data line (≤ 2 s). */ owedLineTimeoutMs: number },
  ) {}

  /** The code whose data lines are awaited, if any. */
  get owed(): UrcDefinition | undefined {
    return this.owedValue?.def;
  }

  /** A new unsolicited code line. */
  start(def: UrcDefinition, line: string): void {
    if (def.trailingLines === 0) return this.deliver(def, [line]);
    const timer = this.opts.clock.setTimeout(() => this.drop("data line did not arrive"), this.opts.owedLineTimeoutMs);
    this.owedValue = { def, lines: [line], timer };
  }

  /** A data line of the owed code. */
  trailing(line: string): void {
    const owed = this.owedValue;
    if (!owed) return;
    owed.lines.push(line);
    if (owed.lines.length > owed.def.trailingLines) {
      this.opts.clock.clearTimeout(owed.timer);
      this.owedValue = undefined;
      this.deliver(owed.def, owed.lines);
    }
  }

  /** Drops the owed code, if any (link lost, wrong data line, timeout). */
  drop(reason: string): void {
    const owed = this.owedValue;
    if (!owed) return;
    this.opts.clock.clearTimeout(owed.timer);
    this.owedValue = undefined;
    this.opts.log.warn({ urc: owed.def.name, reason }, "unsolicited code truncated; dropped");
    this.opts.sink.urcError({ name: owed.def.name, lines: owed.lines, reason: `truncated: ${reason}` });
  }

  private deliver(def: UrcDefinition, lines: readonly string[]): void {
    let parsed;
    try {
      parsed = def.parse(lines);
    } catch (err) {
      parsed = { ok: false as const, reason: `parser threw: ${(err as Error).message}` };
    }
    if (!parsed.ok) {
        this.opts.log.warn({ urc: def.name, reason: parsed.reason }, "unsolicited code not understood; dropped");
      this.opts.sink.urcError({ name: def.name, lines, reason: parsed.reason });
      return;
    }
    this.opts.sink.urc({ name: def.name, lines, value: parsed.value });
  }
}
