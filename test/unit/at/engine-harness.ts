/**
 * A fake device for AT engine tests: the engine's `write` records what went to the wire, and the test
 * pushes the device's answer bytes with `push()` (engine.receive). Time is faked with sinon on a private
 * timer object handed to the code under test as its injected `Clock`: the process's own timers stay real.
 */
import sinon from "sinon";
import type { AtCommand, UrcDefinition } from "../../../adapters/at/at-command.js";
import { AtEngine, type AtEngineOptions } from "../../../adapters/at/at-engine.js";
import { lineValue, splitFields } from "../../../adapters/at/at-command.js";
import { retryPolicy } from "../../../adapters/at/retry-policy.js";
import type { Clock } from "../../../src/shared/clock.js";
import { fail, ok } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";

let current: { timers: sinon.SinonFakeTimers; clock: Clock } | undefined;

/**
 * A sinon fake clock on a private timer object (no global patching): only timers and Date are faked,
 * microtasks stay real so promises settle as in production. `injectedClock()` is the matching `Clock`.
 */
export function installClock(): sinon.SinonFakeTimers {
  const target = { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, Date, Promise, queueMicrotask, performance };
  // `global` is a fake-timers option sinon passes through but does not declare.
  const timers = sinon.useFakeTimers({ global: target, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate", "Date"] } as Parameters<typeof sinon.useFakeTimers>[0]);
  const clock: Clock = {
    now: () => timers.now,
    wallNow: () => new target.Date(),
    setTimeout: (fn, ms) => target.setTimeout(fn, ms),
    clearTimeout: (h) => target.clearTimeout(h as ReturnType<typeof setTimeout>),
  };
  current = { timers, clock };
  return timers;
}

/** The `Clock` over the fake timers of the last `installClock()`. */
export function injectedClock(): Clock {
  if (!current) throw new Error("installClock() first");
  return current.clock;
}

/** The transient +CME codes of the TETRA terminal profiles, which these tests exercise. */
export const TERMINAL_RETRY = retryPolicy([3, 42]);

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
  const engine = new AtEngine({ name: "test", log, urcs: TEST_URCS, write, settleMs: 150, clock: injectedClock(), retry: TERMINAL_RETRY, ...over });
  const push = (text: string): void => engine.receive(Buffer.from(text, "latin1"));
  return { engine, writes, write, push, log };
}
