import { describe, expect, it } from "vitest";
import { LoopWatchdog } from "../../../src/ops/loop-watchdog.js";
import type { ServiceManager } from "../../../src/ports/service-manager.js";

function recorder(): ServiceManager & { pings: number[] } {
  const pings: number[] = [];
  return {
    active: true,
    watchdogMs: 600,
    pings,
    ready: () => Promise.resolve(),
    status: () => Promise.resolve(),
    stopping: () => Promise.resolve(),
    watchdog() {
      pings.push(performance.now());
      return Promise.resolve();
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("LoopWatchdog", () => {
  it("pings while the loop is free and skips the tick that comes late after a block", async () => {
    const m = recorder();
    const lags: number[] = [];
    // Period 600 ms: a tick every 200 ms, a tick later than 150 ms is unhealthy.
    const w = new LoopWatchdog({ manager: m, onUnhealthy: (lag) => lags.push(lag) });
    w.start();
    await sleep(700);
    // The start ping plus at least one healthy tick (a loaded machine may delay one tick past 150 ms).
    expect(m.pings.length).toBeGreaterThanOrEqual(2);
    const before = m.pings.length;
    const blockStart = performance.now();
    while (performance.now() - blockStart < 700) {
      // the event loop is blocked: nothing may be sent
    }
    const blockEnd = performance.now();
    await sleep(20);
    expect(m.pings.filter((t) => t > blockStart && t <= blockEnd)).toEqual([]);
    expect(m.pings.length).toBe(before);
    expect(w.skipped).toBeGreaterThanOrEqual(1);
    expect(Math.max(...lags)).toBeGreaterThan(150);
    await sleep(500);
    expect(m.pings.length).toBeGreaterThan(before);
    w.stop();
  });

  it("does nothing without a watchdog period", async () => {
    const m = { ...recorder(), watchdogMs: undefined };
    const w = new LoopWatchdog({ manager: m });
    w.start();
    await sleep(50);
    expect(w.running).toBe(false);
    expect(m.pings).toEqual([]);
  });
});
