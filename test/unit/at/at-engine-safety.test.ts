import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type sinon from "sinon";
import type { AtCommand } from "../../../adapters/at/at-command.js";
import { atDigits, atQuoted } from "../../../adapters/at/safe-args.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { cmd, installClock, makeEngine, track } from "./engine-harness.js";

let clock: sinon.SinonFakeTimers;
beforeEach(() => {
  clock = installClock();
});
afterEach(() => {
  clock.restore();
});

const code = (e: unknown): string | undefined => (e instanceof GatewayError ? e.code : undefined);

describe("AtEngine rejects unsafe lines before anything is written (goal S2)", () => {
  const cases: { title: string; command: AtCommand<void, readonly string[]> }[] = [
    { title: "a command line with CR and a second command", command: cmd("AT+CTSDS=12,0\rAT+CFUN=0") },
    { title: "a command line with CR LF", command: cmd("AT+CMGS=1234567,16\r\n") },
    { title: "a command line with Ctrl-Z", command: cmd("AT+X=1\x1aATD112;") },
    { title: "a command line with ESC", command: cmd("AT+X\x1b") },
    { title: "a command line with non-ASCII text", command: cmd('AT+CTSDS="på"') },
    { title: "a command line that does not start with AT", command: cmd("+++") },
    { title: "user data with a non-hex character", command: cmd("AT+CMGS=1234567,16", { body: () => "80ZZ" }) },
    { title: "user data with lower-case hex", command: cmd("AT+CMGS=1234567,16", { body: () => "82ab" }) },
    { title: "user data with an embedded Ctrl-Z and a command", command: cmd("AT+CMGS=1234567,16", { body: () => "82\x1aATD112;" }) },
    { title: "user data with CR", command: cmd("AT+CMGS=1234567,16", { body: () => "8204\r" }) },
    { title: "prompt user data with a non-hex character", command: cmd("AT+CMGS=12", { awaitPrompt: true, body: () => "00G1" }) },
  ];

  it.each(cases)("$title is rejected with AT_UNSAFE_ARGUMENT and write is never called", async ({ command }) => {
    const { engine, write } = makeEngine();
    const a = track(engine.execute(command, undefined));
    await clock.tickAsync(5000);
    expect(code(a.error)).toBe("AT_UNSAFE_ARGUMENT");
    expect(write.called).toBe(false);
    expect(engine.queueLength).toBe(0);
    expect(engine.stats.commands).toBe(0);
  });

  it("a rejected command does not block the queue", async () => {
    const { engine, writes, push } = makeEngine();
    const bad = track(engine.execute(cmd("AT\rAT+CFUN=0"), undefined));
    const good = track(engine.execute(cmd("AT"), undefined));
    await clock.tickAsync(0);
    push("OK\r\n");
    await clock.tickAsync(0);
    expect(code(bad.error)).toBe("AT_UNSAFE_ARGUMENT");
    expect(good.value).toEqual([]);
    expect(writes).toEqual(["AT\r"]);
  });

  it("a build function that throws rejects the call with its error and writes nothing", async () => {
    const { engine, write } = makeEngine();
    const sendSds: AtCommand<{ issi: string; text: string }, void> = {
      name: "CTSDS",
      build: (a) => `AT+CTSDS=${atDigits(a.issi, "ISSI", 1, 8)},${atQuoted(a.text, "text")}`,
      timeoutMs: 1000,
      idempotent: false,
      parse: () => undefined,
    };
    const a = track(engine.execute(sendSds, { issi: "2345678;AT+CTOM=1", text: "x" }));
    const b = track(engine.execute(sendSds, { issi: "2345678", text: "Brand\rAT+CFUN=0\r" }));
    await clock.tickAsync(0);
    expect(code(a.error)).toBe("AT_UNSAFE_ARGUMENT");
    expect(code(b.error)).toBe("AT_UNSAFE_ARGUMENT");
    expect(write.called).toBe(false);
  });

  it("an unsafe command is never retried, even when idempotent", async () => {
    const { engine, write } = makeEngine();
    const a = track(engine.execute(cmd("AT\r", { idempotent: true }), undefined, { retries: 5 }));
    await clock.tickAsync(5000);
    expect(code(a.error)).toBe("AT_UNSAFE_ARGUMENT");
    expect(write.called).toBe(false);
  });
});
