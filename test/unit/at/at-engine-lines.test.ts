import { silentLogger } from "../../../src/shared/logger.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import sinon from "sinon";
import type { UrcEvent } from "../../../adapters/at/at-engine.js";
import { probeCommand } from "../../../adapters/at/basic-commands.js";
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
const HEADER = "+CTSDSR: 12,1234567,0,2345678,0,16";

function collect(engine: ReturnType<typeof makeEngine>["engine"]) {
  const urcs: UrcEvent[] = [];
  const urcErrors: { name: string; lines: readonly string[]; reason: string }[] = [];
  const unknown: string[] = [];
  let echoes = 0;
  engine.on("urc", (ev) => urcs.push(ev));
  engine.on("urcError", (ev) => urcErrors.push(ev));
  engine.on("unknown", (l) => unknown.push(l));
  engine.on("echo", () => echoes++);
  return { urcs, urcErrors, unknown, echoes: () => echoes };
}

describe("AtEngine unsolicited codes inside a response (docs/pei.md §1.4, docs/reliability.md #18)", () => {
  const stream = `\r\n+CTGS: 1,9001\r\n\r\n${HEADER}\r\n8204\r\n\r\nOK\r\n`;

  it("a +CTSDSR header and hex line between a response line and OK go to the urc event, the response to the command", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+CTGS?", { expect: ["+CTGS"] }), undefined));
    await flush();
    push(stream);
    await flush();
    expect(a.value).toEqual(["+CTGS: 1,9001"]);
    expect(ev.urcs).toEqual([{ name: "CTSDSR", lines: [HEADER, "8204"], value: { header: HEADER, data: "8204" } }]);
    expect(engine.stats.urcs).toBe(1);
  });

  it("the same stream delivered byte by byte is routed the same way", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+CTGS?", { expect: ["+CTGS"] }), undefined));
    await flush();
    for (const ch of stream) push(ch);
    await flush();
    expect(a.value).toEqual(["+CTGS: 1,9001"]);
    expect(ev.urcs.map((u) => u.lines)).toEqual([[HEADER, "8204"]]);
  });

  it("a +CTSDSR header followed by OK instead of hex raises urcError and the OK still completes the command", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+CTGS?", { expect: ["+CTGS"] }), undefined));
    await flush();
    push(`+CTGS: 1,9001\r\n${HEADER}\r\nOK\r\n`);
    await flush();
    expect(a.value).toEqual(["+CTGS: 1,9001"]);
    expect(ev.urcs).toEqual([]);
    expect(ev.urcErrors).toHaveLength(1);
    expect(ev.urcErrors[0]).toMatchObject({ name: "CTSDSR", lines: [HEADER] });
    expect(ev.urcErrors[0]?.reason).toMatch(/^truncated/);
    expect(engine.stats.urcErrors).toBe(1);
  });

  it("a header whose data line never comes is dropped after the 2 s owed-line timeout", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    push(`${HEADER}\r\n`);
    await clock.tickAsync(1999);
    expect(ev.urcErrors).toEqual([]);
    await clock.tickAsync(1);
    expect(ev.urcErrors).toHaveLength(1);
    expect(ev.urcErrors[0]?.reason).toContain("did not arrive");
    push("8204\r\n");
    await flush();
    expect(ev.urcs).toEqual([]);
    expect(ev.unknown).toEqual(["8204"]);
  });

  it("the owed-line timeout is configurable", async () => {
    const { engine, push } = makeEngine({ owedLineTimeoutMs: 300 });
    const ev = collect(engine);
    push(`${HEADER}\r\n`);
    await clock.tickAsync(300);
    expect(ev.urcErrors).toHaveLength(1);
  });

  it("a data line arriving in time cancels the owed-line timer", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    push(`${HEADER}\r\n`);
    await clock.tickAsync(1500);
    push("8204\r\n");
    await clock.tickAsync(5000);
    expect(ev.urcs).toHaveLength(1);
    expect(ev.urcErrors).toEqual([]);
  });

  it("a +CMGS transmission report arriving during the next AT+CMGS is a URC and the command keeps its own +CMGS line", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+CMGS=1234567,16", { expect: ["+CMGS"] }), undefined));
    await flush();
    push("\r\n+CMGS: 0,4,12\r\n\r\n+CMGS: 5\r\n\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+CMGS: 5"]);
    expect(ev.urcs).toEqual([{ name: "CMGS-report", lines: ["+CMGS: 0,4,12"], value: ["0", "4", "12"] }]);
  });

  it("a URC whose parser refuses the line raises urcError with the parser's reason", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    push("+REFUSED: 1\r\n");
    await flush();
    expect(ev.urcErrors).toEqual([{ name: "REFUSED", lines: ["+REFUSED: 1"], reason: "bad field" }]);
  });

  it("a URC parser that throws raises urcError instead of breaking the read loop", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    push("+THROWS: 1\r\n");
    await flush();
    expect(ev.urcErrors).toHaveLength(1);
    expect(ev.urcErrors[0]?.reason).toContain("parser bug");
    const a = track(engine.execute(cmd("AT"), undefined));
    await flush();
    push("OK\r\n");
    await flush();
    expect(a.value).toEqual([]);
  });

  it("linkLost drops a URC waiting for its data line", () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    push(`${HEADER}\r\n`);
    engine.linkLost();
    expect(ev.urcErrors).toHaveLength(1);
    expect(ev.urcErrors[0]?.reason).toContain("link lost");
  });
});

describe("AtEngine echo, late answers and unknown lines", () => {
  it("ignores the echo of the command, emits echo, and gives the command only its response", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+CTGS?", { expect: ["+CTGS"] }), undefined));
    await flush();
    push("AT+CTGS?\r\r\n+CTGS: 1,9001\r\n\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+CTGS: 1,9001"]);
    expect(ev.echoes()).toBe(1);
  });

  it("ignores the echo of PEI user data as well as of the command line", async () => {
    const { engine, push, writes } = makeEngine();
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+CMGS=1234567,16", { body: () => "8204", expect: ["+CMGS"] }), undefined));
    await flush();
    expect(writes).toEqual(["AT+CMGS=1234567,16\r\n8204\x1a"]);
    push("AT+CMGS=1234567,16\r\n8204\x1a\r\n+CMGS: 0\r\n\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+CMGS: 0"]);
    expect(ev.echoes()).toBe(2);
  });

  it("a late OK after a timeout is not taken as the next command's answer", async () => {
    const { engine, writes, push } = makeEngine({ settleMs: 150 });
    const ev = collect(engine);
    const a = track(engine.execute(cmd("AT+A", { timeoutMs: 1000 }), undefined));
    const b = track(engine.execute(cmd("AT+B", { expect: ["+B"] }), undefined));
    await clock.tickAsync(1000);
    expect(code(a.error)).toBe("AT_TIMEOUT");
    await clock.tickAsync(50);
    push("OK\r\n");
    await flush();
    expect(ev.unknown).toEqual(["OK"]);
    expect(writes).toEqual(["AT+A\r"]);
    await clock.tickAsync(100);
    expect(writes).toEqual(["AT+A\r", "AT+B\r"]);
    expect(b.settled).toBe(false);
    push("+B: 2\r\nOK\r\n");
    await flush();
    expect(b.value).toEqual(["+B: 2"]);
  });

  it("a command queued by a timeout listener still waits for the settle pause", async () => {
    // The link supervisor probes with AT from inside its "timeout" listener; if that probe went out at once,
    // the timed-out command's late OK would be read as the probe's answer.
    const { engine, writes, push } = makeEngine({ settleMs: 150 });
    let probe: ReturnType<typeof track<void>> | undefined;
    engine.on("timeout", () => {
      probe ??= track(engine.execute(probeCommand, undefined, { retries: 0 }));
    });
    track(engine.execute(cmd("AT+A"), undefined));
    await clock.tickAsync(1000);
    expect(writes).toEqual(["AT+A\r"]);
    push("OK\r\n");
    await flush();
    expect(probe?.settled).toBe(false);
    await clock.tickAsync(150);
    expect(writes).toEqual(["AT+A\r", "AT\r"]);
  });

  it("a line while idle is reported as unknown and counted", async () => {
    const { engine, push } = makeEngine();
    const ev = collect(engine);
    push("\r\nRING?\r\n");
    await flush();
    expect(ev.unknown).toEqual(["RING?"]);
    expect(engine.stats.unknownLines).toBe(1);
  });

  it("an over-long line is counted and does not reach the command", async () => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(cmd("AT+X"), undefined));
    await flush();
    push(`${"A".repeat(10_000)}\r\nOK\r\n`);
    await flush();
    expect(engine.stats.overflows).toBe(1);
    expect(a.value).toEqual([]);
  });
});

describe("AtEngine prompt flow (27.005 §3.5.1)", () => {
  const sms = cmd("AT+CMGS=12", { awaitPrompt: true, body: () => "0011", expect: ["+CMGS"], timeoutMs: 2000 });

  it("writes the command, then body and Ctrl-Z after the > prompt, and resolves on OK", async () => {
    const { engine, writes, push } = makeEngine();
    const a = track(engine.execute(sms, undefined));
    await flush();
    expect(writes).toEqual(["AT+CMGS=12\r"]);
    push("\r\n> ");
    await flush();
    expect(writes).toEqual(["AT+CMGS=12\r", "0011\x1a"]);
    push("\r\n+CMGS: 5\r\n\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual(["+CMGS: 5"]);
  });

  it("writes ESC and fails with AT_TIMEOUT (prompt) when no prompt comes", async () => {
    const { engine, writes } = makeEngine();
    const timeouts: string[] = [];
    engine.on("timeout", (c) => timeouts.push(c));
    const a = track(engine.execute(sms, undefined));
    await clock.tickAsync(2000);
    expect(writes).toEqual(["AT+CMGS=12\r", "\x1b"]);
    expect(code(a.error)).toBe("AT_TIMEOUT");
    expect((a.error as GatewayError).context["prompt"]).toBe(true);
    expect(timeouts).toEqual(["AT+CMGS=12"]);
  });

  it("an OK before the prompt does not complete the command", async () => {
    const { engine, push } = makeEngine();
    const a = track(engine.execute(sms, undefined));
    push("OK\r\n");
    await flush();
    push("OK\r\n");
    await flush();
    expect(a.settled).toBe(false);
  });

  it("a prompt while idle is ignored", async () => {
    const { engine, push, write } = makeEngine();
    push("\r\n> ");
    await flush();
    expect(write.called).toBe(false);
    expect(engine.queueLength).toBe(0);
  });
});

describe("AtEngine robustness", () => {
  it("a listener that throws is reported to the log and the other listeners and the engine carry on", async () => {
    const { engine, push, log } = makeEngine();
    const logged = sinon.spy(log, "error");
    const seen: string[] = [];
    engine.on("urc", () => {
      throw new Error("listener bug");
    });
    engine.on("urc", (ev) => seen.push(ev.name));
    engine.on("answered", () => {
      throw new Error("listener bug 2");
    });
    const a = track(engine.execute(cmd("AT+CTGS?", { expect: ["+CTGS"] }), undefined));
    await flush();
    push(`${HEADER}\r\n8204\r\n+CTGS: 1,9001\r\nOK\r\n`);
    await flush();
    expect(seen).toEqual(["CTSDSR"]);
    expect(a.value).toEqual(["+CTGS: 1,9001"]);
    expect(logged.callCount).toBe(2);
    const b = track(engine.execute(cmd("AT"), undefined));
    await flush();
    push("OK\r\n");
    await flush();
    expect(b.value).toEqual([]);
  });

  it("random garbage never throws out of receive, is never logged as a handler failure, and the engine still works afterwards", async () => {
    const errors: unknown[] = [];
    const log = silentLogger();
    // receive() catches everything, so "does not throw" alone proves nothing: no line may reach the
    // last-resort error log either (that would mean a handler threw).
    log.error = ((...args: unknown[]) => void errors.push(args));
    const { engine, push } = makeEngine({ log });
    let seed = 0x2545f491;
    const rnd = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    const alphabet = ["\r", "\n", "\x1a", "\x1b", "\x00", "> ", "OK", "+CTSDSR:", "+CME ERROR:", "+THROWS", "+REFUSED", ",", "ZZ", "\xff"];
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(rnd() * 8);
      let chunk = "";
      for (let j = 0; j < n; j++) chunk += rnd() < 0.5 ? (alphabet[Math.floor(rnd() * alphabet.length)] ?? "") : String.fromCharCode(Math.floor(rnd() * 256));
      expect(() => push(chunk)).not.toThrow();
    }
    expect(errors).toEqual([]);
    push("\r\n");
    await clock.tickAsync(3000);
    const a = track(engine.execute(cmd("AT"), undefined));
    await flush();
    push("\r\nOK\r\n");
    await flush();
    expect(a.value).toEqual([]);
  });

  it("a command parser that throws gives AT_BAD_RESPONSE with the lines and the cause", async () => {
    const { engine, push } = makeEngine();
    const bug = new Error("parse bug");
    const a = track(
      engine.execute(
        cmd("AT+X", {
          parse: () => {
            throw bug;
          },
        }),
        undefined,
      ),
    );
    await flush();
    push("+X: 1\r\nOK\r\n");
    await flush();
    expect(code(a.error)).toBe("AT_BAD_RESPONSE");
    expect((a.error as GatewayError).cause).toBe(bug);
    expect((a.error as GatewayError).context["lines"]).toEqual(["+X: 1"]);
  });

  it("a GatewayError thrown by a command parser is passed on unchanged", async () => {
    const { engine, push } = makeEngine();
    const err = new GatewayError("LINK_TERMINAL_MISMATCH", "wrong ISSI");
    const a = track(
      engine.execute(
        cmd("AT+CNUMF?", {
          parse: () => {
            throw err;
          },
        }),
        undefined,
      ),
    );
    await flush();
    push("OK\r\n");
    await flush();
    expect(a.error).toBe(err);
  });
});
