import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type sinon from "sinon";
import type { Priority } from "../../../adapters/at/at-engine.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { cmd, installClock, makeEngine, track } from "./engine-harness.js";

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = installClock();
});
afterEach(() => {
  clock.restore();
});

const flush = (): Promise<number> => clock.tickAsync(0);
const code = (e: unknown): string | undefined => (e instanceof GatewayError ? e.code : undefined);

describe("AtEngine queue", () => {
  it("keeps one command in flight and writes the next only after the final result", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+A"), undefined));
    const b = track(engine.execute(cmd("AT+B"), undefined));
    await flush();
    expect(writes).toEqual(["AT+A\r"]);
    expect(engine.queueLength).toBe(2);
    push("\r\n+A: 1\r\n\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+A: 1"]);
    expect(writes).toEqual(["AT+A\r", "AT+B\r"]);
    expect(b.settled).toBe(false);
    push("\r\nOK\r\n");
    await flush();
    expect(b.value).toEqual([]);
    expect(engine.queueLength).toBe(0);
    expect(engine.stats.commands).toBe(2);
  });

  it("runs emergency before operator before normal before housekeeping, FIFO within a priority", async () => {
    const { engine, writes, push } = makeEngine();
    const busy = track(engine.execute(cmd("AT+BUSY"), undefined));
    const order: [string, Priority | undefined][] = [
      ["AT+H1", "housekeeping"],
      ["AT+N1", "normal"],
      ["AT+E1", "emergency"],
      ["AT+D1", undefined],
      ["AT+O1", "operator"],
      ["AT+N2", "normal"],
      ["AT+E2", "emergency"],
      ["AT+H2", "housekeeping"],
    ];
    const outcomes = order.map(([line, priority]) => track(engine.execute(cmd(line), undefined, priority ? { priority } : {})));
    await flush();
    for (let i = 0; i < order.length + 1; i++) {
      push("OK\r\n");
      await flush();
    }
    expect(busy.settled).toBe(true);
    expect(writes).toEqual(["AT+BUSY", "AT+E1", "AT+E2", "AT+O1", "AT+N1", "AT+D1", "AT+N2", "AT+H1", "AT+H2"].map((l) => `${l}\r`));
    expect(outcomes.every((o) => o.settled && o.error === undefined)).toBe(true);
  });

  it("a command queued later with higher priority overtakes waiting ones but never the one in flight", async () => {
    const { engine, writes, push } = makeEngine();
    track(engine.execute(cmd("AT+N1"), undefined, { priority: "housekeeping" }));
    track(engine.execute(cmd("AT+N2"), undefined, { priority: "housekeeping" }));
    await flush();
    track(engine.execute(cmd("AT+E"), undefined, { priority: "emergency" }));
    await flush();
    expect(writes).toEqual(["AT+N1\r"]);
    push("OK\r\n");
    await flush();
    expect(writes).toEqual(["AT+N1\r", "AT+E\r"]);
  });
});

describe("AtEngine timeouts and retries", () => {
  it("fails with AT_TIMEOUT after the command's timeout and emits timeout with the command name", async () => {
    const { engine, writes } = makeEngine();
    const timeouts: string[] = [];
    engine.on("timeout", (c) => timeouts.push(c));
    const a = track(engine.execute(cmd("AT+CTGS?", { timeoutMs: 800 }), undefined));
    await clock.tickAsync(799);
    expect(a.settled).toBe(false);
    await clock.tickAsync(1);
    expect(code(a.error)).toBe("AT_TIMEOUT");
    expect((a.error as GatewayError).context).toMatchObject({ command: "AT+CTGS?" });
    expect(timeouts).toEqual(["AT+CTGS?"]);
    expect(engine.stats.timeouts).toBe(1);
    expect(writes).toHaveLength(1);
  });

  it("uses the per-call timeout over the command's own", async () => {
    const { engine } = makeEngine();
    const a = track(engine.execute(cmd("AT", { timeoutMs: 5000 }), undefined, { timeoutMs: 100 }));
    await clock.tickAsync(100);
    expect(code(a.error)).toBe("AT_TIMEOUT");
  });

  it("retries an idempotent command once on timeout, after the settle pause, then fails", async () => {
    const { engine, writes } = makeEngine({ settleMs: 150 });
    const timeouts: string[] = [];
    engine.on("timeout", (c) => timeouts.push(c));
    const a = track(engine.execute(cmd("AT+CTGS?", { idempotent: true }), undefined));
    await clock.tickAsync(1000);
    expect(writes).toHaveLength(1);
    await clock.tickAsync(149);
    expect(writes).toHaveLength(1);
    await clock.tickAsync(1);
    expect(writes).toEqual(["AT+CTGS?\r", "AT+CTGS?\r"]);
    expect(a.settled).toBe(false);
    await clock.tickAsync(1000);
    expect(code(a.error)).toBe("AT_TIMEOUT");
    expect(timeouts).toHaveLength(2);
  });

  it("by default waits as long as the timed-out command's own timeout before the next command, so an answer up to twice the timeout late is dropped", async () => {
    const { engine, writes, push } = makeEngine({ settleMs: undefined });
    const a = track(engine.execute(cmd("AT+CTSDS=12,0,0,0,0", { timeoutMs: 500 }), undefined));
    const b = track(engine.execute(cmd("AT+CMGS=1,16", { timeoutMs: 500 }), undefined));
    await clock.tickAsync(500);
    expect(code(a.error)).toBe("AT_TIMEOUT");
    await clock.tickAsync(400);
    push("OK\r\n"); // the late answer to AT+CTSDS, 1.8 x its timeout
    await flush();
    expect(writes).toHaveLength(1);
    await clock.tickAsync(100);
    expect(writes).toEqual(["AT+CTSDS=12,0,0,0,0\r", "AT+CMGS=1,16\r"]);
    expect(b.settled).toBe(false);
  });

  it("an idempotent command answered on its retry resolves with the retry's lines", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+CTGS?", { idempotent: true, expect: ["+CTGS"] }), undefined));
    await clock.tickAsync(1000 + 150);
    expect(writes).toHaveLength(2);
    push("+CTGS: 1,9001\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+CTGS: 1,9001"]);
  });

  it("honours retries: 2 for an idempotent command", async () => {
    const { engine, writes } = makeEngine({ settleMs: 10 });
    const a = track(engine.execute(cmd("AT", { idempotent: true, timeoutMs: 100 }), undefined, { retries: 2 }));
    await clock.tickAsync(1000);
    expect(writes).toHaveLength(3);
    expect(code(a.error)).toBe("AT_TIMEOUT");
  });

  it("never retries a non-idempotent command, whatever retries says", async () => {
    const { engine, writes } = makeEngine();
    const a = track(engine.execute(cmd("AT+CMGS=1,16", { idempotent: false }), undefined, { retries: 3 }));
    await clock.tickAsync(10_000);
    expect(writes).toHaveLength(1);
    expect(code(a.error)).toBe("AT_TIMEOUT");
  });

  it.each([42, 3])("retries an idempotent command once on +CME ERROR: %i (busy / wrong state)", async (n) => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+CTGS=1,9001", { idempotent: true }), undefined));
    await flush();
    push(`+CME ERROR: ${n}\r\n`);
    await flush();
    // Busy means "later", not "at once": the retry waits a backoff pause (100-200 ms on the first retry).
    expect(writes).toHaveLength(1);
    await clock.tickAsync(200);
    expect(writes).toHaveLength(2);
    push("OK\r\n");
    await flush();
    expect(a.value).toEqual([]);
  });

  it("fails with AT_CME_ERROR and context.cme 42 when the retry is also busy", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+CTGS=1,9001", { idempotent: true }), undefined));
    await flush();
    push("+CME ERROR: 42\r\n");
    await flush();
    await clock.tickAsync(200);
    push("+CME ERROR: 42\r\n");
    await flush();
    expect(writes).toHaveLength(2);
    expect(code(a.error)).toBe("AT_CME_ERROR");
    expect((a.error as GatewayError).context).toMatchObject({ cme: 42, command: "AT+CTGS=1,9001" });
  });

  it("does not retry a non-idempotent command on +CME ERROR: 42", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+CMGS=1,16"), undefined));
    await flush();
    push("+CME ERROR: 42\r\n");
    await flush();
    expect(writes).toHaveLength(1);
    expect(code(a.error)).toBe("AT_CME_ERROR");
    expect((a.error as GatewayError).context["cme"]).toBe(42);
  });

  it("does not retry on a permanent +CME ERROR: 4", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+GMR", { idempotent: true }), undefined));
    await flush();
    push("+CME ERROR: 4\r\n");
    await flush();
    expect(writes).toHaveLength(1);
    expect((a.error as GatewayError).context["cme"]).toBe(4);
  });

  it("maps +CMS ERROR: 500 to AT_CMS_ERROR with context.cms 500", async () => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+CMGS=20"), undefined));
    await flush();
    push("\r\n+CMS ERROR: 500\r\n");
    await flush();
    expect(code(a.error)).toBe("AT_CMS_ERROR");
    expect((a.error as GatewayError).context["cms"]).toBe(500);
  });

  it.each([
    ["ERROR", { command: "ATX" }],
    ["NO CARRIER", { result: "no-carrier" }],
    ["BUSY", { result: "busy" }],
  ])("maps %s to AT_ERROR", async (final, context) => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(cmd("ATX"), undefined));
    await flush();
    push(`${final}\r\n`);
    await flush();
    expect(code(a.error)).toBe("AT_ERROR");
    expect((a.error as GatewayError).context).toMatchObject(context);
  });

  it("a +CME ERROR with text has context.cme -1 and the text in the message", async () => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+CPIN?"), undefined));
    await flush();
    push("+CME ERROR: SIM not inserted\r\n");
    await flush();
    expect((a.error as GatewayError).context["cme"]).toBe(-1);
    expect((a.error as GatewayError).message).toContain("SIM not inserted");
  });

  it("emits answered for every final result but not for a timeout", async () => {
    const { engine, push } = makeEngine();
    let answered = 0;
    engine.on("answered", () => answered++);
    track(engine.execute(cmd("AT"), undefined));
    await flush();
    push("OK\r\n");
    await flush();
    track(engine.execute(cmd("AT"), undefined));
    await flush();
    push("+CME ERROR: 3\r\n");
    await flush();
    expect(answered).toBe(2);
    track(engine.execute(cmd("AT"), undefined));
    await clock.tickAsync(5000);
    expect(answered).toBe(2);
  });

  it("appends the caller's enqueue stack to the error stack", async () => {
    const { engine } = makeEngine();
    const a = track(engine.execute(cmd("AT"), undefined));
    await clock.tickAsync(1000);
    expect((a.error as Error).stack).toContain("--- queued at ---");
  });
});

describe("AtEngine abort and deadline", () => {
  for (const how of ["signal", "withdraw"] as const) {
    it(`${how === "signal" ? "an abort" : "a withdrawal"} while queued rejects with AT_ABORTED and the command is never written`, async () => {
      const { engine, writes, push } = makeEngine();
      track(engine.execute(cmd("AT+A"), undefined));
      const ac = new AbortController();
      const b = track(engine.execute(cmd("AT+B"), undefined, { [how]: ac.signal }));
      await flush();
      ac.abort();
      await flush();
      expect(code(b.error)).toBe("AT_ABORTED");
      push("OK\r\n");
      await clock.tickAsync(5000);
      expect(writes).toEqual(["AT+A\r"]);
      expect(engine.queueLength).toBe(0);
      // Already aborted: refused at once, nothing written.
      const c = track(engine.execute(cmd("AT+C"), undefined, { [how]: ac.signal }));
      await flush();
      expect(code(c.error)).toBe("AT_ABORTED");
      expect(writes).toEqual(["AT+A\r"]);
    });
  }

  it("an abort while in flight rejects with AT_ABORTED and the next command waits for the settle pause", async () => {
    const { engine, writes } = makeEngine({ settleMs: 150 });
    const ac = new AbortController();
    const a = track(engine.execute(cmd("AT+A", { idempotent: true }), undefined, { signal: ac.signal }));
    track(engine.execute(cmd("AT+B"), undefined));
    await flush();
    ac.abort();
    await flush();
    expect(code(a.error)).toBe("AT_ABORTED");
    await clock.tickAsync(149);
    expect(writes).toEqual(["AT+A\r"]);
    await clock.tickAsync(1);
    expect(writes).toEqual(["AT+A\r", "AT+B\r"]);
  });

  it("a withdrawal of a command already written changes nothing: it gets its answer and the next one follows at once", async () => {
    const { engine, writes, push } = makeEngine({ settleMs: 150 });
    const ac = new AbortController();
    const a = track(engine.execute(cmd("AT+A"), undefined, { withdraw: ac.signal }));
    track(engine.execute(cmd("AT+B"), undefined));
    await flush();
    ac.abort();
    await flush();
    expect(a.error).toBeUndefined();
    push("OK\r\n");
    await flush();
    expect(a.value).toEqual([]);
    // No settle pause: AT+B is written without any clock tick.
    expect(writes).toEqual(["AT+A\r", "AT+B\r"]);
    // The settled command left no listener on the caller's signal.
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("an already aborted signal rejects at once and writes nothing", async () => {
    const { engine, write } = makeEngine();
    const a = track(engine.execute(cmd("AT"), undefined, { signal: AbortSignal.abort() }));
    await flush();
    expect(code(a.error)).toBe("AT_ABORTED");
    expect(write.called).toBe(false);
  });

  it("an abort after completion changes nothing", async () => {
    const { engine, push } = makeEngine();
    const ac = new AbortController();
    const a = track(engine.execute(cmd("AT"), undefined, { signal: ac.signal }));
    await flush();
    push("OK\r\n");
    await flush();
    ac.abort();
    await flush();
    expect(a.value).toEqual([]);
  });

  it("fails a command still queued at its deadline with AT_EXPIRED and never writes it", async () => {
    const { engine, writes, push } = makeEngine();
    track(engine.execute(cmd("AT+SLOW", { timeoutMs: 5000 }), undefined));
    const b = track(engine.execute(cmd("AT+B"), undefined, { deadlineMs: 500 }));
    await clock.tickAsync(499);
    expect(b.settled).toBe(false);
    await clock.tickAsync(1);
    expect(code(b.error)).toBe("AT_EXPIRED");
    push("OK\r\n");
    await clock.tickAsync(1000);
    expect(writes).toEqual(["AT+SLOW\r"]);
  });

  it("the deadline no longer applies once the command has started", async () => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+A", { timeoutMs: 5000 }), undefined, { deadlineMs: 100 }));
    await clock.tickAsync(1000);
    push("OK\r\n");
    await flush();
    expect(a.value).toEqual([]);
  });
});

describe("AtEngine link loss and hold", () => {
  it("linkLost fails the in-flight command with LINK_LOST and holds the queue until release", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+A"), undefined));
    const b = track(engine.execute(cmd("AT+B"), undefined));
    await flush();
    engine.linkLost();
    await clock.tickAsync(10_000);
    expect(code(a.error)).toBe("LINK_LOST");
    expect(engine.isHeld).toBe(true);
    expect(writes).toEqual(["AT+A\r"]);
    expect(b.settled).toBe(false);

    const init = track(engine.execute(cmd("ATE0"), undefined, { bypassHold: true }));
    await flush();
    expect(writes).toEqual(["AT+A\r", "ATE0\r"]);
    push("OK\r\n");
    await flush();
    expect(init.value).toEqual([]);
    await clock.tickAsync(1000);
    expect(writes).toEqual(["AT+A\r", "ATE0\r"]);

    engine.release();
    await flush();
    expect(engine.isHeld).toBe(false);
    expect(writes).toEqual(["AT+A\r", "ATE0\r", "AT+B\r"]);
    push("OK\r\n");
    await flush();
    expect(b.value).toEqual([]);
  });

  it("bypassHold commands run by priority while ordinary ones wait", async () => {
    const { engine, writes, push } = makeEngine();
    engine.hold();
    track(engine.execute(cmd("AT+I0"), undefined, { bypassHold: true }));
    track(engine.execute(cmd("AT+Q"), undefined, { priority: "emergency" }));
    track(engine.execute(cmd("AT+I1"), undefined, { bypassHold: true, priority: "housekeeping" }));
    track(engine.execute(cmd("AT+I2"), undefined, { bypassHold: true, priority: "emergency" }));
    await flush();
    for (let i = 0; i < 3; i++) {
      push("OK\r\n");
      await flush();
    }
    expect(writes).toEqual(["AT+I0\r", "AT+I2\r", "AT+I1\r"]);
    expect(engine.queueLength).toBe(1);
  });

  it("hold does not disturb the command in flight", async () => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+A"), undefined));
    await flush();
    engine.hold();
    push("+A: 1\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+A: 1"]);
  });

  it("linkLost discards a half-received line so it cannot prefix the next answer", async () => {
    const { engine, push } = makeEngine();
    push("+CTG");
    engine.linkLost();
    engine.release();
    const a = track(engine.execute(cmd("AT"), undefined));
    await flush();
    push("OK\r\n");
    await flush();
    expect(a.value).toEqual([]);
  });

  it("a failed write fails the command with LINK_LOST", async () => {
    const { engine } = makeEngine({ write: () => Promise.reject(new Error("EIO")) });
    const a = track(engine.execute(cmd("AT"), undefined));
    await flush();
    expect(code(a.error)).toBe("LINK_LOST");
  });

  it("close fails the in-flight and queued commands with AT_ABORTED and refuses new ones", async () => {
    const { engine } = makeEngine();
    const a = track(engine.execute(cmd("AT+A"), undefined));
    const b = track(engine.execute(cmd("AT+B"), undefined));
    await flush();
    engine.close();
    await flush();
    expect(code(a.error)).toBe("AT_ABORTED");
    expect(code(b.error)).toBe("AT_ABORTED");
    const c = track(engine.execute(cmd("AT+C"), undefined));
    await flush();
    expect(code(c.error)).toBe("AT_ABORTED");
    expect(engine.queueLength).toBe(0);
  });
});
