import { type Clock, type TimerHandle, sleep, systemClock } from "../../src/shared/clock.js";
import { linkSignals } from "../../src/shared/linked-signal.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import type { AtCommand, UrcDefinition } from "./at-command.js";
import { classifyLine, urcRegistry } from "./classify.js";
import { CommandQueue, type Priority } from "./command-queue.js";
import { LineTokenizer, type Token } from "./line-tokenizer.js";
import { commandError } from "./command-error.js";
import { type RetryPolicy, retryDelay, retryPolicy } from "./retry-policy.js";
import { assertSafeBody, assertSafeCommandLine } from "./safe-args.js";
import { SendGate } from "./send-gate.js";
import { UrcAssembler } from "./urc-assembler.js";
import { ESC, type TxEffect, type TxInput, type TxSpec, type TxState, initialTxState, transition } from "./transaction-machine.js";

/**
 * The AT engine shell, shared by the Rakel terminal and the GSM modem: one command in flight, the timers
 * (all on the injected `Clock`) and the writes. Its parts live beside it: the priority queue
 * (`command-queue.ts`), the retry rule (`retry-policy.ts`, transient codes from the device profile), the
 * URC assembly (`urc-assembler.ts`), hold and quiet period (`send-gate.ts`), the per-command logic (the
 * pure transaction machine) and the line routing (the pure classifier).
 *
 *   bytes ─► tokenizer ─► classifier ─┬─► active transaction (response lines, final result)
 *                                     ├─► unsolicited codes (+ their trailing data lines) ─► "urc" event
 *                                     └─► unknown lines (logged, counted)
 */
export type { Priority } from "./command-queue.js";

export interface ExecuteOptions {
  priority?: Priority;
  timeoutMs?: number;
  /** Fail with AT_EXPIRED if the command has not started within this many ms of the call (retries included). */
  deadlineMs?: number;
  /** Ends the command, also once written (the line then stays quiet for the settle time: a late answer must not be read as the next command's). */
  signal?: AbortSignal;
  /** Takes the command back only while it is queued (AT_ABORTED); once written it runs to its answer. */
  withdraw?: AbortSignal;
  /** Extra attempts on timeout or a transient `+CME ERROR` (see `RetryPolicy`); idempotent commands only. Default 1. */
  retries?: number;
  /** Runs while the engine is held (re-initialisation after a reboot or reconnect). */
  bypassHold?: boolean;
}

export interface UrcEvent {
  name: string;
  lines: readonly string[];
  value: unknown;
}

export interface AtEngineEvents {
  urc: (ev: UrcEvent) => void;
  urcError: (ev: { name: string; lines: readonly string[]; reason: string }) => void;
  unknown: (line: string) => void;
  /** A command got no answer in time (input to the link-health ladder). */
  timeout: (command: string) => void;
  /** The device answered something (any final result) to `command`, `ms` after it was started. */
  answered: (ms: number, command: string) => void;
  /** The device echoed a command although init turned echo off: it has probably restarted. */
  echo: () => void;
}

export interface AtEngineOptions {
  name: string;
  log: Logger;
  urcs: readonly UrcDefinition[];
  write: (data: string) => Promise<void>;
  /** Time source for every timer of the engine. Default: the system clock. */
  clock?: Clock;
  /** Which errors are retried and how long to pause; the transient `+CME` codes come from the device profile. Default: timeouts only. */
  retry?: RetryPolicy;
  terminator?: string;
  bodySeparator?: string;
  /** How long to wait for the data line of a two-line URC (docs/reliability.md #8: ≤ 2 s). */
  owedLineTimeoutMs?: number;
  /**
   * Pause after a timed-out or aborted command so its late answer is not taken for the next one's.
   * Default: the command's own timeout, at most 2 s — an answer up to twice the timeout late then lands
   * in the pause and is dropped as an unknown line (a late `OK` once made a retried AT+CTSDS look
   * answered in the PEI integration tests).
   */
  settleMs?: number;
  /**
   * Most commands waiting at "normal" and "housekeeping" priority; more are refused with AT_QUEUE_FULL so
   * a flood of routine work cannot grow memory. Emergency and operator commands are never refused.
   */
  maxQueued?: number;
}

interface Pending {
  cmd: AtCommand<unknown, unknown>;
  args: unknown;
  opts: ExecuteOptions;
  priority: Priority;
  bypassHold: boolean;
  spec: TxSpec;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Where the command was queued; its stack is formatted only if the command fails (zwave-js Transaction). */
  origin: Error;
  deadlineTimer?: TimerHandle;
  offAbort?: () => void;
}

interface Active {
  item: Pending;
  state: TxState;
  startedAt: number;
  timer?: TimerHandle;
}

export class AtEngine extends TypedEmitter<AtEngineEvents> {
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly queue: CommandQueue<Pending>;
  private readonly gate: SendGate;
  private readonly assembler: UrcAssembler;
  private readonly tokenizer = new LineTokenizer();
  private readonly urcs: Map<string, UrcDefinition[]>;
  private active: Active | undefined;
  private closed = false;
  /** Aborted by close(): cuts short the pauses between retries. */
  private readonly closing = new AbortController();
  /** Counters for metrics and benchmarks. */
  readonly stats = { commands: 0, timeouts: 0, unknownLines: 0, urcs: 0, urcErrors: 0, overflows: 0 };

  constructor(private readonly opts: AtEngineOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "engine listener failed"));
    this.clock = opts.clock ?? systemClock;
    this.retry = opts.retry ?? retryPolicy();
    this.urcs = urcRegistry(opts.urcs);
    this.queue = new CommandQueue(opts.maxQueued ?? 1000);
    this.gate = new SendGate(this.clock, () => this.pump());
    this.assembler = new UrcAssembler({
      log: opts.log,
      clock: this.clock,
      owedLineTimeoutMs: opts.owedLineTimeoutMs ?? 2000,
      sink: {
        urc: (ev) => {
          this.stats.urcs++;
          this.emit("urc", ev);
        },
        urcError: (ev) => {
          this.stats.urcErrors++;
          this.emit("urcError", ev);
        },
      },
    });
  }

  /** Queue a command. Resolves with the command's parsed answer; rejects with a GatewayError. */
  async execute<A, T>(cmd: AtCommand<A, T>, args: A, opts: ExecuteOptions = {}): Promise<T> {
    const retries = cmd.idempotent ? (opts.retries ?? 1) : 0;
    const calledAt = this.clock.now();
    for (let attempt = 0; ; attempt++) {
      // The deadline counts from the call: a retry gets what is left of it, not a fresh one.
      const left = opts.deadlineMs === undefined ? undefined : Math.max(0, opts.deadlineMs - (this.clock.now() - calledAt));
      try {
        return (await this.enqueue(cmd, args, left === undefined ? opts : { ...opts, deadlineMs: left }, calledAt)) as T;
      } catch (err) {
        const delay = retryDelay(this.retry, err, attempt);
        if (delay === undefined || attempt >= retries || opts.signal?.aborted || opts.withdraw?.aborted) throw err;
        this.opts.log.debug({ cmd: cmd.name, attempt: attempt + 1, code: (err as GatewayError).code, delayMs: delay }, "retrying idempotent command");
        if (delay > 0) {
          // The caller's abort or withdrawal ends the pause too: a send whose link went or whose alert ended
          // must not wait out a busy terminal's back-off (up to the profile's cap) before it gives up.
          const wake = linkSignals(this.closing.signal, opts.signal, opts.withdraw);
          await sleep(delay, wake.signal, this.clock).catch(() => undefined);
          wake.dispose();
        }
        if (this.closed) throw err;
        if (opts.signal?.aborted || opts.withdraw?.aborted) throw new GatewayError("AT_ABORTED", `${cmd.name} aborted in its retry pause`, { cause: err });
      }
    }
  }

  /** Feed bytes read from the link. Never throws: bad input is logged and dropped. */
  receive(chunk: Buffer): void {
    let tokens: Token[];
    try {
      tokens = this.tokenizer.push(chunk);
    } catch (err) {
      this.opts.log.error({ err }, "tokenizer failed; input dropped");
      return;
    }
    for (const t of tokens) {
      try {
        this.onToken(t);
      } catch (err) {
        this.opts.log.error({ err }, "line handling failed; line dropped");
      }
    }
  }

  /** The link went away: fail the in-flight command, keep the queue, hold until `release()`. */
  linkLost(): void {
    this.gate.hold();
    this.tokenizer.flush();
    this.assembler.drop("link lost");
    if (this.active) this.feed({ type: "linkClosed" });
  }

  /**
   * Writes ESC on its own, when no command is in flight. A device left at the `>` prompt of `AT+CMGS` by a
   * host that died mid-message cancels that message (TS 27.005 §3.5.1; the PEI's SDS entry ends the same
   * way) instead of reading our next command as its body; a device at its command line ignores it, or
   * answers the next command with a syntax error, which the probe tolerates.
   */
  cancelPendingBody(): Promise<void> {
    if (this.active || this.closed) return Promise.resolve();
    try {
      return this.opts.write(ESC);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Stop sending queued commands (re-initialisation runs with `bypassHold`). */
  hold(): void {
    this.gate.hold();
  }

  release(): void {
    this.gate.release();
  }

  get isHeld(): boolean {
    return this.gate.held;
  }

  get queueLength(): number {
    return this.queue.length + (this.active ? 1 : 0);
  }

  /** Fail everything and stop. */
  close(): void {
    this.closed = true;
    this.closing.abort();
    if (this.active) this.feed({ type: "abort" });
    for (const item of this.queue.drain()) this.settle(item, new GatewayError("AT_ABORTED", `${item.cmd.name} aborted: engine closed`));
    this.assembler.drop("engine closed");
    this.gate.close();
  }

  private enqueue(cmd: AtCommand<unknown, unknown>, args: unknown, opts: ExecuteOptions, calledAt: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new GatewayError("AT_ABORTED", `${cmd.name}: engine closed`));
      let spec: TxSpec;
      try {
        const commandLine = cmd.build(args);
        assertSafeCommandLine(commandLine);
        const body = cmd.body?.(args);
        if (body !== undefined) assertSafeBody(body);
        spec = {
          commandLine,
          body,
          awaitPrompt: cmd.awaitPrompt ?? false,
          timeoutMs: opts.timeoutMs ?? cmd.timeoutMs,
          terminator: this.opts.terminator ?? "\r",
          bodySeparator: this.opts.bodySeparator ?? "\r\n",
        };
      } catch (err) {
        return reject(err instanceof Error ? err : new GatewayError("AT_UNSAFE_ARGUMENT", String(err)));
      }
      const priority = opts.priority ?? "normal";
      const item: Pending = { cmd, args, opts, priority, bypassHold: opts.bypassHold ?? false, spec, resolve, reject, origin: new Error("queued here") };
      if (opts.signal?.aborted) return reject(new GatewayError("AT_ABORTED", `${cmd.name} aborted before start`));
      if (opts.withdraw?.aborted) return reject(new GatewayError("AT_ABORTED", `${cmd.name} withdrawn before start`));
      const onAbort = (): void => this.abortItem(item);
      const onWithdraw = (): void => void (this.queue.remove(item) && this.settle(item, new GatewayError("AT_ABORTED", `${cmd.name} withdrawn before start`)));
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      opts.withdraw?.addEventListener("abort", onWithdraw, { once: true });
      if (opts.signal || opts.withdraw) {
        item.offAbort = () => {
          opts.signal?.removeEventListener("abort", onAbort);
          opts.withdraw?.removeEventListener("abort", onWithdraw);
        };
      }
      if (opts.deadlineMs !== undefined) {
        item.deadlineTimer = this.clock.setTimeout(() => {
          if (!this.queue.remove(item)) return;
          const waited = Math.round(this.clock.now() - calledAt);
          this.settle(item, new GatewayError("AT_EXPIRED", `${cmd.name} not started ${waited} ms after it was requested`, { context: { command: cmd.name, waitedMs: waited } }));
        }, opts.deadlineMs);
      }
      const refused = this.queue.push(item);
      if (refused !== undefined) {
        this.settle(item, new GatewayError("AT_QUEUE_FULL", `${cmd.name}: ${refused} commands already waiting at ${priority} priority`));
        return;
      }
      this.pump();
    });
  }

  private abortItem(item: Pending): void {
    if (this.queue.remove(item)) this.settle(item, new GatewayError("AT_ABORTED", `${item.cmd.name} aborted`));
    else if (this.active?.item === item) this.feed({ type: "abort" });
  }

  private pump(): void {
    if (this.active || this.gate.quiet || this.closed) return;
    const item = this.queue.take(this.gate.held);
    if (!item) return;
    if (item.deadlineTimer !== undefined) this.clock.clearTimeout(item.deadlineTimer);
    this.active = { item, state: initialTxState, startedAt: this.clock.now() };
    this.stats.commands++;
    if (this.opts.log.isLevelEnabled("trace")) this.opts.log.trace({ dir: "tx", cmd: item.cmd.name, line: item.spec.commandLine }, "at command");
    this.feed({ type: "start" });
  }

  private feed(input: TxInput): void {
    const act = this.active;
    if (!act) return;
    const { state, effects } = transition(act.item.spec, act.state, input);
    act.state = state;
    for (const e of effects) this.runEffect(act, e);
  }

  private runEffect(act: Active, e: TxEffect): void {
    switch (e.type) {
      case "write": {
        let written: Promise<void>;
        try {
          written = this.opts.write(e.data);
        } catch (err) {
          // A sink that throws instead of rejecting must not escape from pump() into a timer callback.
          written = Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
        written.then(
          () => this.active === act && this.feed({ type: "written" }),
          (err: unknown) => {
            this.opts.log.warn({ err: (err as Error).message, cmd: act.item.cmd.name }, "write failed");
            if (this.active === act) this.feed({ type: "linkClosed" });
          },
        );
        return;
      }
      case "armTimer":
        act.timer = this.clock.setTimeout(() => this.active === act && this.feed({ type: "timeout" }), e.ms);
        return;
      case "clearTimer":
        if (act.timer !== undefined) this.clock.clearTimeout(act.timer);
        return;
      case "resolve":
        this.finish(act, () => act.item.cmd.parse(e.lines));
        return;
      case "reject":
        this.finish(act, () => {
          throw commandError(act.item.cmd.name, act.item.spec.timeoutMs, e.reason, e.final);
        });
        return;
    }
  }

  private finish(act: Active, produce: () => unknown): void {
    this.active = undefined;
    const failedReason = act.state.failure?.reason;
    let result: { ok: true; value: unknown } | { ok: false; err: Error };
    try {
      result = { ok: true, value: produce() };
    } catch (err) {
      const e =
        err instanceof GatewayError
          ? err
          : new GatewayError("AT_BAD_RESPONSE", `${act.item.cmd.name}: unexpected answer`, { cause: err, context: { lines: act.state.lines } });
      result = { ok: false, err: e };
    }
    // A late answer to a timed-out or aborted command must not be read as the next command's answer.
    // The pause starts before any listener runs: a "timeout" listener (the link supervisor's AT probe)
    // that queues a command synchronously would otherwise find the engine idle and write at once.
    const pause = failedReason === "timeout" || failedReason === "aborted" || failedReason === "no-prompt";
    if (pause) this.gate.quietFor(this.opts.settleMs ?? Math.min(act.item.spec.timeoutMs, 2000));
    if (failedReason === "timeout" || failedReason === "no-prompt") {
      this.stats.timeouts++;
      this.emit("timeout", act.item.cmd.name);
    } else if (failedReason !== "aborted" && failedReason !== "link-lost") {
      this.emit("answered", this.clock.now() - act.startedAt, act.item.cmd.name);
    }
    this.settle(act.item, result.ok ? undefined : result.err, result.ok ? result.value : undefined);
    if (!pause) queueMicrotask(() => this.pump());
  }

  private settle(item: Pending, err: Error | undefined, value?: unknown): void {
    item.offAbort?.();
    if (item.deadlineTimer !== undefined) this.clock.clearTimeout(item.deadlineTimer);
    if (!err) return item.resolve(value);
    const queuedAt = item.origin.stack;
    if (queuedAt && err.stack) err.stack += `\n    --- queued at ---\n${queuedAt.split("\n").slice(2).join("\n")}`;
    item.reject(err);
  }
  private onToken(t: Token): void {
    switch (t.type) {
      case "overflow":
        this.stats.overflows++;
        this.opts.log.warn({ dropped: t.dropped }, "over-long line dropped");
        return;
      case "prompt":
        if (this.active) this.feed({ type: "prompt" });
        return;
      case "line":
        if (this.opts.log.isLevelEnabled("trace")) this.opts.log.trace({ dir: "rx", line: t.text }, "at line");
        this.onLine(t.text);
        return;
    }
  }

  private onLine(line: string): void {
    if (line === "") return;
    const act = this.active;
    const c = classifyLine(line, {
      owedTo: this.assembler.owed,
      active: act && { commandLine: act.item.spec.commandLine, bodyLine: act.item.spec.body, expect: act.item.cmd.expect ?? [] },
      urcs: this.urcs,
    });
    switch (c.kind) {
      case "trailing":
        return this.assembler.trailing(line);
      case "trailing-mismatch":
        this.assembler.drop(`data line expected, got "${line.slice(0, 40)}"`);
        return this.onLine(line);
      case "echo":
        this.emit("echo");
        return;
      case "response":
      case "intermediate":
        return this.feed({ type: "line", line });
      case "final":
        return this.feed({ type: "final", result: c.result });
      case "urc":
        return this.assembler.start(c.def, line);
      case "unknown":
        this.stats.unknownLines++;
        this.opts.log.debug({ line: line.slice(0, 80) }, "unexpected line ignored");
        this.emit("unknown", line);
        return;
    }
  }
}
