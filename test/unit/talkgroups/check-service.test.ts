import { describe, expect, it } from "vitest";
import type { Clock, TimerHandle } from "../../../src/shared/clock.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";
import type { TalkgroupCheckReport } from "../../../src/talkgroups/check-report.js";
import { TalkgroupCheckService } from "../../../src/talkgroups/check-service.js";
import type { TalkgroupCheckStore } from "../../../src/talkgroups/check-store.js";
import type { TalkgroupPlan } from "../../../src/talkgroups/plan-schema.js";
import { FakeReader, pg } from "./fake-reader.js";

/** Virtual time: `advance()` fires due timers in order and lets promises settle between them. */
class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  constructor(private readonly wall0: number) {}
  now(): number {
    return this.t;
  }
  wallNow(): Date {
    return new Date(this.wall0 + this.t);
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.push({ at: this.t + ms, fn, id });
    return { id } as unknown as TimerHandle;
  }
  clearTimeout(h: TimerHandle): void {
    const id = (h as unknown as { id: number }).id;
    this.timers = this.timers.filter((x) => x.id !== id);
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.at;
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

class MemoryStore implements TalkgroupCheckStore {
  records: { id: string; report: TalkgroupCheckReport }[] = [];
  fail = false;
  append(id: string, report: TalkgroupCheckReport): Promise<void> {
    if (this.fail) return Promise.reject(new GatewayError("STORE_WRITE_FAILED", "disk full"));
    this.records.push({ id, report });
    return Promise.resolve();
  }
  latest(id: string): Promise<undefined> {
    void id;
    return Promise.resolve(undefined);
  }
}

const PLAN = { name: "P", version: "3", groups: [pg(9001, "A")] } as TalkgroupPlan;
const TMO = [{ gssi: "9001", name: "A" }];
const MIN = 60_000;

function setup(o: { postponeMs?: number; maxPostponeMs?: number } = {}) {
  const clock = new FakeClock(new Date(2025, 2, 1, 3, 0, 0).getTime());
  const store = new MemoryStore();
  const svc = new TalkgroupCheckService({ store, log: silentLogger(), clock, resolvePlan: (name) => ({ ...PLAN, name }), ...o });
  const results: [string, string][] = [];
  const skipped: string[] = [];
  svc.on("result", (id, _r, trigger) => results.push([id, trigger]));
  svc.on("skipped", (id, reason) => skipped.push(`${id}: ${reason}`));
  return { clock, store, svc, results, skipped };
}

describe("TalkgroupCheckService on demand", () => {
  it("runs a check, stores it, emits it and remembers the last result", async () => {
    const { svc, store, results } = setup();
    svc.addTerminal({ id: "radio-1", reader: new FakeReader({ tmo: TMO }), plan: PLAN });
    const r = await svc.checkNow("radio-1");
    expect(r.summary.outcome).toBe("all-present");
    expect(store.records.map((x) => [x.id, x.report.plan.version])).toEqual([["radio-1", "3"]]);
    expect(results).toEqual([["radio-1", "request"]]);
    expect(svc.lastResult("radio-1")).toBe(r);
    expect((await svc.checkNow("radio-1", { plan: "other" })).plan.name).toBe("other");
  });

  it("serialises checks of one terminal and runs different terminals side by side", async () => {
    const { svc } = setup();
    const a = new FakeReader({ tmo: TMO });
    const b = new FakeReader({ tmo: TMO });
    a.delayMs = b.delayMs = 20;
    svc.addTerminal({ id: "a", reader: a, plan: PLAN });
    svc.addTerminal({ id: "b", reader: b, plan: () => PLAN });
    const t0 = Date.now();
    await Promise.all([svc.checkNow("a"), svc.checkNow("a"), svc.checkNow("b")]);
    expect(a.log).toEqual(["snapshot", "list tmo", "snapshot", "list tmo"]);
    expect(Date.now() - t0).toBeLessThan(4 * 20 + 60);
  });

  it("rejects an unknown terminal and still returns a result the store could not keep", async () => {
    const { svc, store } = setup();
    await expect(svc.checkNow("nope")).rejects.toMatchObject({ code: "TG_UNKNOWN_TERMINAL" });
    const errors: unknown[] = [];
    svc.on("error", (_id, err) => errors.push(err));
    svc.addTerminal({ id: "r", reader: new FakeReader({ tmo: TMO }), plan: PLAN });
    store.fail = true;
    expect((await svc.checkNow("r")).summary.exitCode).toBe(0);
    expect(errors).toHaveLength(1);
  });

  it("passes a refused probe (call active) to the caller", async () => {
    const { svc } = setup();
    const reader = new FakeReader({ tmo: TMO });
    reader.callActive = true;
    svc.addTerminal({ id: "r", reader, plan: PLAN, method: "probe" });
    await expect(svc.checkNow("r")).rejects.toMatchObject({ code: "TG_CALL_ACTIVE" });
  });
});

describe("TalkgroupCheckService on a schedule", () => {
  it("runs at HH:MM local time every day", async () => {
    const { svc, clock, results } = setup();
    svc.addTerminal({ id: "r", reader: new FakeReader({ tmo: TMO }), plan: PLAN, schedule: "03:30" });
    svc.start();
    await clock.advance(29 * MIN);
    expect(results).toEqual([]);
    await clock.advance(1 * MIN);
    expect(results).toEqual([["r", "schedule"]]);
    await clock.advance(24 * 60 * MIN);
    expect(results).toHaveLength(2);
    await svc.stop();
  });

  it("never starts while the terminal is in a call: postpones, then runs when the call has ended", async () => {
    const { svc, clock, results } = setup({ postponeMs: 5 * MIN });
    const reader = new FakeReader({ tmo: TMO });
    reader.callActive = true;
    svc.addTerminal({ id: "r", reader, plan: PLAN, schedule: "03:30" });
    svc.start();
    await clock.advance(35 * MIN);
    expect(results).toEqual([]);
    expect(reader.log).toEqual([]);
    reader.callActive = false;
    await clock.advance(5 * MIN);
    expect(results).toEqual([["r", "schedule"]]);
  });

  it("skips the day's check when the call outlasts the allowed wait", async () => {
    const { svc, clock, results, skipped } = setup({ postponeMs: 5 * MIN, maxPostponeMs: 12 * MIN });
    const reader = new FakeReader({ tmo: TMO });
    reader.callActive = true;
    svc.addTerminal({ id: "r", reader, plan: PLAN, schedule: "03:30" });
    svc.start();
    await clock.advance(60 * MIN);
    expect(results).toEqual([]);
    expect(skipped).toEqual(["r: a call was active the whole time the check was allowed to wait"]);
    reader.callActive = false;
    await clock.advance(24 * 60 * MIN);
    expect(results).toEqual([["r", "schedule"]]);
  });

  it("rejects a schedule that is not HH:MM", () => {
    const { svc } = setup();
    expect(() => svc.addTerminal({ id: "r", reader: new FakeReader(), plan: PLAN, schedule: "nightly" })).toThrow(/HH:MM/);
  });
});
