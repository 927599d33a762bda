import { backoffDelay } from "../../src/shared/backoff.js";
import { sleep } from "../../src/shared/clock.js";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import type { AtCommand, FinalResult, UrcDefinition } from "./at-command.js";
import { classifyLine, urcRegistry } from "./classify.js";
import { LineTokenizer, type Token } from "./line-tokenizer.js";
import { assertSafeBody, assertSafeCommandLine } from "./safe-args.js";
import { type FailureReason, type TxEffect, type TxInput, type TxSpec, type TxState, initialTxState, transition } from "./transaction-machine.js";

/**
 * The AT engine shell, shared by the Rakel terminal and the GSM modem. It owns the queue (one command in
 * flight, FIFO within a priority), the timers and the writes; the per-command logic is the pure
 * transaction machine and the line routing is the pure classifier.
 *
 *   bytes ─► tokenizer ─► classifier ─┬─► active transaction (response lines, final result)
 *                                     ├─► unsolicited codes (+ their trailing data lines) ─► "urc" event
 *                                     └─► unknown lines (logged, counted)
 */
export type Priority = "emergency" | "operator" | "normal" | "housekeeping";
const PRIORITIES: readonly Priority[] = ["emergency", "operator", "normal", "housekeeping"];

export interface ExecuteOptions {
  priority?: Priority;
  timeoutMs?: number;
  /** Fail with AT_EXPIRED if the command has not started within this many ms. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** Extra attempts on timeout or busy (CME 3/42); honoured only for idempotent commands. Default 1. */
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
  /** The device answered something (any final result). */
  answered: () => void;
  /** The device echoed a command although init turned echo off: it has probably restarted. */
  echo: () => void;
}

export interface AtEngineOptions {
  name: string;
  log: Logger;
  urcs: readonly UrcDefinition[];
  write: (data: string) => Promise<void>;
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
  spec: TxSpec;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** Where the command was queued; its stack is formatted only if the command fails (zwave-js Transaction). */
  origin: Error;
  deadlineTimer?: ReturnType<typeof setTimeout>;
  offAbort?: () => void;
}

interface Active {
  item: Pending;
  state: TxState;
  timer?: ReturnType<typeof setTimeout>;
}

export class AtEngine extends TypedEmitter<AtEngineEvents> {
  private readonly queues = new Map<Priority, Pending[]>(PRIORITIES.map((p) => [p, []]));
  private readonly tokenizer = new LineTokenizer();
  private readonly urcs: Map<string, UrcDefinition[]>;
  private active: Active | undefined;
  private owed: { def: UrcDefinition; lines: string[]; timer: ReturnType<typeof setTimeout> } | undefined;
  private held = false;
  private quietTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Aborted by close(): cuts short the pauses between retries. */
  private readonly closing = new AbortController();
  /** Counters for metrics and benchmarks. */
  readonly stats = { commands: 0, timeouts: 0, unknownLines: 0, urcs: 0, urcErrors: 0, overflows: 0 };

  constructor(private readonly opts: AtEngineOptions) {
    super((err, ev) => opts.log.error({ err, ev }, "engine listener failed"));
    this.urcs = urcRegistry(opts.urcs);
  }

  /** Queue a command. Resolves with the command's parsed answer; rejects with a GatewayError. */
  async execute<A, T>(cmd: AtCommand<A, T>, args: A, opts: ExecuteOptions = {}): Promise<T> {
    const retries = cmd.idempotent ? (opts.retries ?? 1) : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.enqueue(cmd, args, opts)) as T;
      } catch (err) {
        const retryable =
          err instanceof GatewayError &&
          (err.code === "AT_TIMEOUT" || (err.code === "AT_CME_ERROR" && [3, 42].includes(Number(err.context["cme"]))));
        if (!retryable || attempt >= retries || opts.signal?.aborted) throw err;
        this.opts.log.debug({ cmd: cmd.name, attempt: attempt + 1, code: err.code }, "retrying idempotent command");
        // A busy terminal (CME 42: group attachment or SDS signalling under way, docs/pei.md §1.3) needs a pause,
        // not an immediate repeat; a timeout already waited long enough.
        if (err.code === "AT_CME_ERROR") await sleep(backoffDelay(attempt, { baseMs: 200, capMs: 2000, minMs: 100 }), this.closing.signal).catch(() => undefined);
        if (this.closed) throw err;
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
    this.held = true;
    this.tokenizer.flush();
    this.dropOwed("link lost");
    if (this.active) this.feed({ type: "linkClosed" });
  }

  /** Stop sending queued commands (re-initialisation runs with `bypassHold`). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.pump();
  }

  get isHeld(): boolean {
    return this.held;
  }

  get queueLength(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n + (this.active ? 1 : 0);
  }

  /** Fail everything and stop. */
  close(): void {
    this.closed = true;
    this.closing.abort();
    if (this.active) this.feed({ type: "abort" });
    for (const q of this.queues.values()) {
      for (const item of q.splice(0)) this.settle(item, new GatewayError("AT_ABORTED", `${item.cmd.name} aborted: engine closed`));
    }
    this.dropOwed("engine closed");
    if (this.quietTimer) clearTimeout(this.quietTimer);
  }

  private enqueue(cmd: AtCommand<unknown, unknown>, args: unknown, opts: ExecuteOptions): Promise<unknown> {
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
      const item: Pending = { cmd, args, opts, spec, resolve, reject, origin: new Error("queued here") };
      if (opts.signal) {
        if (opts.signal.aborted) return reject(new GatewayError("AT_ABORTED", `${cmd.name} aborted before start`));
        const onAbort = (): void => this.abortItem(item);
        opts.signal.addEventListener("abort", onAbort, { once: true });
        item.offAbort = () => opts.signal?.removeEventListener("abort", onAbort);
      }
      if (opts.deadlineMs !== undefined) {
        item.deadlineTimer = setTimeout(() => {
          if (this.removeQueued(item)) this.settle(item, new GatewayError("AT_EXPIRED", `${cmd.name} expired after ${opts.deadlineMs} ms in the queue`));
        }, opts.deadlineMs);
      }
      const priority = opts.priority ?? "normal";
      const queue = this.queues.get(priority)!;
      if ((priority === "normal" || priority === "housekeeping") && queue.length >= (this.opts.maxQueued ?? 1000)) {
        this.settle(item, new GatewayError("AT_QUEUE_FULL", `${cmd.name}: ${queue.length} commands already waiting at ${priority} priority`));
        return;
      }
      queue.push(item);
      this.pump();
    });
  }

  private removeQueued(item: Pending): boolean {
    const q = this.queues.get(item.opts.priority ?? "normal")!;
    const i = q.indexOf(item);
    if (i < 0) return false;
    q.splice(i, 1);
    return true;
  }

  private abortItem(item: Pending): void {
    if (this.removeQueued(item)) this.settle(item, new GatewayError("AT_ABORTED", `${item.cmd.name} aborted`));
    else if (this.active?.item === item) this.feed({ type: "abort" });
  }

  private next(): Pending | undefined {
    for (const p of PRIORITIES) {
      const q = this.queues.get(p)!;
      const i = this.held ? q.findIndex((it) => it.opts.bypassHold) : 0;
      if (i >= 0 && q.length > i) return q.splice(i, 1)[0];
    }
    return undefined;
  }

  private pump(): void {
    if (this.active || this.quietTimer || this.closed) return;
    const item = this.next();
    if (!item) return;
    if (item.deadlineTimer) clearTimeout(item.deadlineTimer);
    this.active = { item, state: initialTxState };
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
        act.timer = setTimeout(() => this.active === act && this.feed({ type: "timeout" }), e.ms);
        return;
      case "clearTimer":
        if (act.timer) clearTimeout(act.timer);
        return;
      case "resolve":
        this.finish(act, () => act.item.cmd.parse(e.lines));
        return;
      case "reject":
        this.finish(act, () => {
          throw this.toError(act.item, e.reason, e.final);
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
    if (pause) {
      this.quietTimer = setTimeout(() => {
        this.quietTimer = undefined;
        this.pump();
      }, this.opts.settleMs ?? Math.min(act.item.spec.timeoutMs, 2000));
    }
    if (failedReason === "timeout" || failedReason === "no-prompt") {
      this.stats.timeouts++;
      this.emit("timeout", act.item.cmd.name);
    } else if (failedReason !== "aborted" && failedReason !== "link-lost") {
      this.emit("answered");
    }
    this.settle(act.item, result.ok ? undefined : result.err, result.ok ? result.value : undefined);
    if (!pause) queueMicrotask(() => this.pump());
  }

  private settle(item: Pending, err: Error | undefined, value?: unknown): void {
    item.offAbort?.();
    if (item.deadlineTimer) clearTimeout(item.deadlineTimer);
    if (!err) return item.resolve(value);
    const queuedAt = item.origin.stack;
    if (queuedAt && err.stack) err.stack += `\n    --- queued at ---\n${queuedAt.split("\n").slice(2).join("\n")}`;
    item.reject(err);
  }

  private toError(item: Pending, reason: FailureReason, final?: FinalResult): GatewayError {
    const name = item.cmd.name;
    const context: Record<string, unknown> = { command: name };
    switch (reason) {
      case "timeout":
        return new GatewayError("AT_TIMEOUT", `${name}: no answer within ${item.spec.timeoutMs} ms`, { context });
      case "no-prompt":
        return new GatewayError("AT_TIMEOUT", `${name}: no "> " prompt within ${item.spec.timeoutMs} ms`, { context: { ...context, prompt: true } });
      case "error":
        return new GatewayError("AT_ERROR", `${name}: device answered ERROR`, { context });
      case "cme":
        return new GatewayError("AT_CME_ERROR", `${name}: +CME ERROR: ${final?.type === "cme" ? final.text : "?"}`, { context: { ...context, cme: final?.type === "cme" ? final.code : -1 } });
      case "cms":
        return new GatewayError("AT_CMS_ERROR", `${name}: +CMS ERROR: ${final?.type === "cms" ? final.text : "?"}`, { context: { ...context, cms: final?.type === "cms" ? final.code : -1 } });
      case "aborted":
        return new GatewayError("AT_ABORTED", `${name} aborted`, { context });
      case "link-lost":
        return new GatewayError("LINK_LOST", `${name}: link lost while the command was in flight`, { context });
      case "call-result":
        return new GatewayError("AT_ERROR", `${name}: ${final?.type ?? "call result"}`, { context: { ...context, result: final?.type } });
    }
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
      owedTo: this.owed?.def,
      active: act && { commandLine: act.item.spec.commandLine, bodyLine: act.item.spec.body, expect: act.item.cmd.expect ?? [] },
      urcs: this.urcs,
    });
    switch (c.kind) {
      case "trailing": {
        const owed = this.owed!;
        owed.lines.push(line);
        if (owed.lines.length > owed.def.trailingLines) this.deliverOwed();
        return;
      }
      case "trailing-mismatch":
        this.dropOwed(`data line expected, got "${line.slice(0, 40)}"`);
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
        if (c.def.trailingLines > 0) {
          const timer = setTimeout(() => this.dropOwed("data line did not arrive"), this.opts.owedLineTimeoutMs ?? 2000);
          this.owed = { def: c.def, lines: [line], timer };
        } else this.deliver(c.def, [line]);
        return;
      case "unknown":
        this.stats.unknownLines++;
        this.opts.log.debug({ line: line.slice(0, 80) }, "unexpected line ignored");
        this.emit("unknown", line);
        return;
    }
  }

  private deliverOwed(): void {
    const owed = this.owed!;
    clearTimeout(owed.timer);
    this.owed = undefined;
    this.deliver(owed.def, owed.lines);
  }

  private dropOwed(reason: string): void {
    const owed = this.owed;
    if (!owed) return;
    clearTimeout(owed.timer);
    this.owed = undefined;
    this.stats.urcErrors++;
    this.opts.log.warn({ urc: owed.def.name, reason }, "unsolicited code truncated; dropped");
    this.emit("urcError", { name: owed.def.name, lines: owed.lines, reason: `truncated: ${reason}` });
  }

  private deliver(def: UrcDefinition, lines: readonly string[]): void {
    let parsed;
    try {
      parsed = def.parse(lines);
    } catch (err) {
      parsed = { ok: false as const, reason: `parser threw: ${(err as Error).message}` };
    }
    if (!parsed.ok) {
      this.stats.urcErrors++;
      this.opts.log.warn({ urc: def.name, reason: parsed.reason }, "unsolicited code not understood; dropped");
      this.emit("urcError", { name: def.name, lines, reason: parsed.reason });
      return;
    }
    this.stats.urcs++;
    this.emit("urc", { name: def.name, lines, value: parsed.value });
  }
}
