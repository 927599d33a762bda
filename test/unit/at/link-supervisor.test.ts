import { afterEach, beforeEach, describe, expect, it } from "vitest";
import sinon from "sinon";
import { AtEngine } from "../../../adapters/at/at-engine.js";
import { simpleCommand } from "../../../adapters/at/basic-commands.js";
import type { LinkHealth, LinkHealthState } from "../../../adapters/at/link-health.js";
import { LinkSupervisor, type LinkSupervisorOptions, RecoveryPhase } from "../../../adapters/at/link-supervisor.js";
import { ManagedLink } from "../../../adapters/serial-link/managed-link.js";
import { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { cmd, injectedClock, installClock, track } from "./engine-harness.js";
import { ScriptedDevice } from "./scripted-device.js";

let clock: sinon.SinonFakeTimers;
let random: sinon.SinonStub;
beforeEach(() => {
  clock = installClock();
  // The supervisor's own backoff uses Math.random: 0 makes every pause its 200 ms floor.
  random = sinon.stub(Math, "random").returns(0);
});
afterEach(() => {
  random.restore();
  clock.restore();
});

const code = (e: unknown): string | undefined => (e instanceof GatewayError ? e.code : undefined);

function setup(over: Partial<LinkSupervisorOptions> = {}) {
  const log = silentLogger();
  const port = new MemoryPort("radio");
  const device = new ScriptedDevice(port);
  const link = new ManagedLink({ factory: port.factory, log, name: "radio", backoff: { baseMs: 100, capMs: 1000, minMs: 50, random: () => 1 }, clock: injectedClock() });
  const engine = new AtEngine({ name: "radio", log, urcs: [], write: (d) => link.write(d), settleMs: 20, clock: injectedClock() });
  let inits = 0;
  const init = async (signal: AbortSignal): Promise<void> => {
    inits++;
    await engine.execute(simpleCommand("ATE0", 200), undefined, { bypassHold: true, priority: "emergency", signal });
  };
  const sup = new LinkSupervisor({ name: "radio", log, link, engine, init, heartbeatMs: 0, probeTimeoutMs: 100, timeoutsToUnresponsive: 2, probesBeforeReopen: 3, clock: injectedClock(), ...over });
  /** Health states in the order entered, starting with the initial one (detail-only updates are not listed). */
  const health: LinkHealthState[] = [sup.health.state];
  const healthEvents: LinkHealth[] = [];
  sup.on("health", (h) => {
    healthEvents.push(h);
    if (health.at(-1) !== h.state) health.push(h.state);
  });
  let ready = 0;
  sup.on("ready", () => ready++);
  return { port, device, link, engine, sup, health, healthEvents, inits: () => inits, ready: () => ready };
}

/** Advances fake time in small steps until cond holds (or fails after maxMs of fake time). */
async function tickUntil(cond: () => boolean, maxMs = 30_000, step = 10): Promise<number> {
  const start = clock.now;
  while (!cond()) {
    if (clock.now - start > maxMs) throw new Error(`condition not met within ${maxMs} ms of fake time`);
    await clock.tickAsync(step);
  }
  return clock.now - start;
}

describe("LinkSupervisor start-up", () => {
  it("names the ladder's phases: probing, initialising, then idle once ready", async () => {
    const s = setup();
    const phases: RecoveryPhase[] = [];
    s.sup.on("phase", (p) => phases.push(p));
    expect(s.sup.recoveryPhase).toBe(RecoveryPhase.Idle);
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    expect(phases).toEqual([RecoveryPhase.Probing, RecoveryPhase.Initialising, RecoveryPhase.Idle]);
    await s.sup.stop();
  });

  it("goes from disconnected to ready after probing and running init once", async () => {
    const s = setup();
    expect(s.sup.health.state).toBe("disconnected");
    expect(s.sup.health.detail).toBe("not started");
    const waited = track(s.sup.waitReady(5000));
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    expect(s.health).toEqual(["disconnected", "ready"]);
    expect(s.device.commands).toEqual(["AT", "ATE0"]);
    // ESC before the first probe: a message body a dead predecessor began is cancelled, not fed our AT.
    expect(s.device.escapes).toBe(1);
    expect(s.inits()).toBe(1);
    expect(s.ready()).toBe(1);
    expect(s.engine.isHeld).toBe(false);
    await clock.tickAsync(0);
    expect(waited.settled).toBe(true);
    expect(waited.error).toBeUndefined();
    await s.sup.stop();
  });

  it("holds commands queued before init and sends them after it", async () => {
    const s = setup();
    const started = s.sup.start();
    const early = track(s.engine.execute(cmd("AT+CTGS?"), undefined));
    await started;
    await tickUntil(() => early.settled);
    expect(s.device.commands).toEqual(["AT", "ATE0", "AT+CTGS?"]);
    await s.sup.stop();
  });

  it("waitReady rejects with LINK_NOT_OPEN when the device never answers", async () => {
    const s = setup();
    s.device.silent = true;
    const waited = track(s.sup.waitReady(1000));
    await s.sup.start();
    await clock.tickAsync(1000);
    expect(code(waited.error)).toBe("LINK_NOT_OPEN");
    expect((waited.error as GatewayError).context).toHaveProperty("health");
    await s.sup.stop();
  });

  it("waitReady resolves at once when already ready", async () => {
    const s = setup();
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    const waited = track(s.sup.waitReady(1));
    await clock.tickAsync(0);
    expect(waited.settled && waited.error === undefined).toBe(true);
    await s.sup.stop();
  });
});

describe("LinkSupervisor recovery ladder", () => {
  async function readyThenSilent(s: ReturnType<typeof setup>): Promise<void> {
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    s.device.silent = true;
  }

  it("one timeout makes the link degraded and an answer makes it ready again", async () => {
    const s = setup();
    await readyThenSilent(s);
    const a = track(s.engine.execute(cmd("AT+A", { timeoutMs: 200 }), undefined));
    await tickUntil(() => a.settled);
    expect(s.sup.health.state).toBe("degraded");
    s.device.silent = false;
    const b = track(s.engine.execute(cmd("AT+B"), undefined));
    await tickUntil(() => b.settled);
    expect(s.sup.health.state).toBe("ready");
    expect(s.inits()).toBe(1);
    await s.sup.stop();
  });

  it("two consecutive timeouts make the link unresponsive at once and hold the queue", async () => {
    const s = setup();
    await readyThenSilent(s);
    const a = track(s.engine.execute(cmd("AT+A", { timeoutMs: 200 }), undefined));
    const b = track(s.engine.execute(cmd("AT+B", { timeoutMs: 200 }), undefined));
    await tickUntil(() => b.settled);
    expect(code(a.error)).toBe("AT_TIMEOUT");
    expect(code(b.error)).toBe("AT_TIMEOUT");
    expect(s.sup.health.state).toBe("unresponsive");
    expect(s.engine.isHeld).toBe(true);
    await s.sup.stop();
  });

  it("recovery probes with AT, re-runs init when the device answers again, then releases the queue", async () => {
    const s = setup();
    await readyThenSilent(s);
    track(s.engine.execute(cmd("AT+A", { timeoutMs: 200 }), undefined));
    track(s.engine.execute(cmd("AT+B", { timeoutMs: 200 }), undefined));
    await tickUntil(() => s.sup.health.state === "unresponsive");
    const held = track(s.engine.execute(cmd("AT+C"), undefined));
    await clock.tickAsync(150);
    expect(s.device.commands.filter((c) => c === "AT").length).toBeGreaterThanOrEqual(2);
    expect(held.settled).toBe(false);
    s.device.silent = false;
    await tickUntil(() => s.sup.health.state === "ready");
    expect(s.inits()).toBe(2);
    expect(s.ready()).toBe(2);
    expect(s.health).toEqual(["disconnected", "ready", "degraded", "unresponsive", "ready"]);
    await tickUntil(() => held.settled);
    expect(held.error).toBeUndefined();
    expect(s.device.commands.at(-1)).toBe("AT+C");
    await s.sup.stop();
  });

  it("after probesBeforeReopen unanswered probes the port is reopened and init re-runs when the device answers there", async () => {
    const s = setup();
    await readyThenSilent(s);
    s.device.reviveOnReconnect = true;
    track(s.engine.execute(cmd("AT+A", { timeoutMs: 200 }), undefined));
    track(s.engine.execute(cmd("AT+B", { timeoutMs: 200 }), undefined));
    await tickUntil(() => s.device.connections === 2);
    expect(s.sup.health.state).toBe("unresponsive");
    await tickUntil(() => s.sup.health.state === "ready", 10_000);
    expect(s.inits()).toBe(2);
    expect(s.engine.isHeld).toBe(false);
    await s.sup.stop();
  });

  it("keeps reopening a device that stays silent, with pauses, and never gives up", async () => {
    const s = setup();
    await readyThenSilent(s);
    track(s.engine.execute(cmd("AT+A", { timeoutMs: 200 }), undefined));
    track(s.engine.execute(cmd("AT+B", { timeoutMs: 200 }), undefined));
    await tickUntil(() => s.device.connections >= 4, 20_000);
    expect(s.sup.health.state).toBe("unresponsive");
    const probes = s.device.commands.filter((c) => c === "AT").length;
    expect(probes).toBeGreaterThanOrEqual(9);
    expect(probes).toBeLessThan(40);
    s.device.silent = false;
    await tickUntil(() => s.sup.health.state === "ready", 10_000);
    await s.sup.stop();
  });

  it("a command echo (a rebooted terminal) triggers init again", async () => {
    const s = setup();
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    s.device.echo = true;
    const a = track(s.engine.execute(cmd("AT+CTGS?"), undefined));
    await tickUntil(() => a.settled && s.inits() === 2 && s.sup.health.state === "ready");
    expect(s.device.echo).toBe(false);
    expect(s.device.commands.slice(-3)).toEqual(["AT+CTGS?", "AT", "ATE0"]);
    await s.sup.stop();
  });

  it("a terminal that keeps echoing after ATE0 is initialised once more and then no longer re-initialised per command", async () => {
    const s = setup();
    const log = silentLogger();
    const init = async (signal: AbortSignal): Promise<void> => {
      for (const line of ["ATE0", "ATV1"]) await s.engine.execute(simpleCommand(line, 200), undefined, { bypassHold: true, priority: "emergency", signal });
    };
    const sup = new LinkSupervisor({ name: "radio", log, link: s.link, engine: s.engine, init, heartbeatMs: 0, probeTimeoutMs: 100, clock: injectedClock() });
    let ready = 0;
    sup.on("ready", () => ready++);
    s.device.echo = true;
    s.device.echoSticky = true;
    await sup.start();
    await tickUntil(() => sup.health.state === "ready");
    const afterFirst = ready;
    for (const line of ["AT+A", "AT+B", "AT+C"]) {
      const r = track(s.engine.execute(cmd(line), undefined));
      await tickUntil(() => r.settled);
      expect(r.error).toBeUndefined();
    }
    await clock.tickAsync(1000);
    expect(ready - afterFirst).toBeLessThanOrEqual(1);
    expect(s.device.commands.slice(-3)).toEqual(["AT+A", "AT+B", "AT+C"]);
    await sup.stop();
  });

  it("a +CME ERROR: 35 answer to the first probe (start-up garbage) is probed again without a recovery attempt", async () => {
    const s = setup();
    let garbage = 1;
    const original = s.device.send.bind(s.device);
    s.device.send = (text: string) => original(garbage-- > 0 ? "\r\n+CME ERROR: 35\r\n" : text);
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    expect(s.device.commands).toEqual(["AT", "AT", "ATE0"]);
    expect(s.health).toEqual(["disconnected", "ready"]);
    expect(s.inits()).toBe(1);
    await s.sup.stop();
  });
});

describe("LinkSupervisor unplug and replug", () => {
  it("unplug makes the link disconnected and fails the in-flight command; replug re-runs init and sends held commands", async () => {
    const s = setup();
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    s.device.silent = true;
    const inFlight = track(s.engine.execute(cmd("AT+A", { timeoutMs: 5000 }), undefined));
    await clock.tickAsync(10);
    s.port.unplug();
    await clock.tickAsync(0);
    expect(code(inFlight.error)).toBe("LINK_LOST");
    expect(s.sup.health.state).toBe("disconnected");
    expect(s.engine.isHeld).toBe(true);
    const held = track(s.engine.execute(cmd("AT+B"), undefined));
    await clock.tickAsync(3000);
    expect(s.sup.health.state).toBe("disconnected");
    expect(s.sup.health.detail).toMatch(/open failed/);
    expect(held.settled).toBe(false);
    s.device.silent = false;
    s.port.replug();
    await tickUntil(() => s.sup.health.state === "ready");
    expect(s.inits()).toBe(2);
    await tickUntil(() => held.settled);
    expect(held.error).toBeUndefined();
    expect(s.health).toEqual(["disconnected", "ready", "disconnected", "ready"]);
    await s.sup.stop();
  });

  it("an unplug during init ends that recovery; the replug runs init from the start", async () => {
    const s = setup();
    s.device.silent = true;
    await s.sup.start();
    await clock.tickAsync(50);
    s.port.unplug();
    await clock.tickAsync(500);
    expect(s.sup.health.state).toBe("disconnected");
    s.device.silent = false;
    s.port.replug();
    await tickUntil(() => s.sup.health.state === "ready");
    expect(s.inits()).toBe(1);
    await s.sup.stop();
  });
});

describe("LinkSupervisor heartbeat and stop", () => {
  it("idle heartbeats find a silent device: degraded after one miss, unresponsive after two", async () => {
    const s = setup({ heartbeatMs: 2000, probeTimeoutMs: 1500 });
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready", 1000, 1);
    const t0 = clock.now;
    s.device.silent = true;
    await tickUntil(() => s.sup.health.state === "degraded", 10_000, 1);
    const degradedAt = clock.now - t0;
    await tickUntil(() => s.sup.health.state === "unresponsive", 10_000, 1);
    const unresponsiveAt = clock.now - t0;
    expect(degradedAt).toBeLessThanOrEqual(2000 + 1500);
    expect(unresponsiveAt).toBeLessThanOrEqual(2 * 2000 + 1500 + 20);
    await s.sup.stop();
  });

  it("the heartbeat sends nothing while commands are queued or the device answers", async () => {
    const s = setup({ heartbeatMs: 2000 });
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready", 1000, 1);
    const before = s.device.commands.length;
    await clock.tickAsync(2000);
    expect(s.device.commands.slice(before)).toEqual(["AT"]);
    expect(s.sup.health.state).toBe("ready");
    await s.sup.stop();
  });

  it("stop during the ladder's reopen leaves the link stopped and opens no new connection", async () => {
    const s = setup();
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    const opened = s.device.connections;
    // Stop exactly when the supervisor closes the port to reopen it (recovery ladder step 4).
    s.link.on("lost", (info) => {
      if (info.intentional) void s.sup.stop();
    });
    await s.link.reopen("test: device not answering");
    await clock.tickAsync(5_000);
    expect(s.link.state).toBe("stopped");
    expect(s.link.current).toBeUndefined();
    expect(s.device.connections).toBe(opened);
  });

  it("stop ends heartbeats and recovery and closes the link", async () => {
    const s = setup({ heartbeatMs: 2000 });
    await s.sup.start();
    await tickUntil(() => s.sup.health.state === "ready");
    await s.sup.stop();
    const n = s.device.commands.length;
    await clock.tickAsync(20_000);
    expect(s.device.commands).toHaveLength(n);
    expect(s.link.state).toBe("stopped");
  });
});
