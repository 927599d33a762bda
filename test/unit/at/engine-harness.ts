/**
 * A fake device for AT engine tests: the engine's `write` records what went to the wire, and the test
 * pushes the device's answer bytes with `push()` (engine.receive). Time is faked with sinon.
 */
import sinon from "sinon";
import type { AtCommand, UrcDefinition } from "../../../adapters/at/at-command.js";
import { AtEngine, type AtEngineOptions } from "../../../adapters/at/at-engine.js";
import { lineValue, splitFields } from "../../../adapters/at/at-command.js";
import { fail, ok } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";

/** Only timers and Date: microtasks and nextTick stay real so promises settle as in production. */
export function installClock(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"] });
}

export interface Outcome<T> {
  settled: boolean;
  value?: T;
  error?: unknown;
}

/** Observes a promise without letting its rejection go unhandled. */
export function track<T>(p: Promise<T>): Outcome<T> {
  const o: Outcome<T> = { settled: false };
  p.then(
    (value) => {
      o.settled = true;
      o.value = value;
    },
    (error: unknown) => {
      o.settled = true;
      o.error = error;
    },
  );
  return o;
}

export const ctsdsr: UrcDefinition<{ header: string; data: string }> = {
  name: "CTSDSR",
  prefix: "+CTSDSR:",
  trailingLines: 1,
  trailingPattern: /^[0-9A-F]+$/i,
  parse: (lines) => ok({ header: lines[0] ?? "", data: lines[1] ?? "" }),
};
export const ctgsUrc: UrcDefinition<string> = { name: "CTGS", prefix: "+CTGS", trailingLines: 0, parse: (lines) => ok(lines[0] ?? "") };
export const cmgsReport: UrcDefinition<string[]> = {
  name: "CMGS-report",
  prefix: "+CMGS:",
  match: (line) => splitFields(lineValue(line)).length >= 2,
  trailingLines: 0,
  parse: (lines) => ok(splitFields(lineValue(lines[0] ?? ""))),
};
export const refusedUrc: UrcDefinition = { name: "REFUSED", prefix: "+REFUSED", trailingLines: 0, parse: () => fail("bad field") };
export const throwingUrc: UrcDefinition = {
  name: "THROWS",
  prefix: "+THROWS",
  trailingLines: 0,
  parse: () => {
    throw new Error("parser bug");
  },
};

export const TEST_URCS: readonly UrcDefinition[] = [ctsdsr, ctgsUrc, cmgsReport, refusedUrc, throwingUrc];

/** A command whose parsed answer is the list of lines it was given. */
export function cmd(line: string, over: Partial<AtCommand<void, readonly string[]>> = {}): AtCommand<void, readonly string[]> {
  return { name: line, build: () => line, timeoutMs: 1000, idempotent: false, parse: (lines) => lines, ...over };
}

export function makeEngine(over: Partial<AtEngineOptions> = {}) {
  const writes: string[] = [];
  const write = sinon.spy((data: string): Promise<void> => {
    writes.push(data);
    return Promise.resolve();
  });
  const log = silentLogger();
  // A fixed 150 ms settle pause keeps the timing tables of these tests readable; the engine's own
  // default (the command's timeout, at most 2 s) has its own test.
  const engine = new AtEngine({ name: "test", log, urcs: TEST_URCS, write, settleMs: 150, ...over });
  const push = (text: string): void => engine.receive(Buffer.from(text, "latin1"));
  return { engine, writes, write, push, log };
}
