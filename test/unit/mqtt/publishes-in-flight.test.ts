import { afterEach, describe, expect, it, vi } from "vitest";
import { PublishesInFlight } from "../../../adapters/mqtt/broker/publishes-in-flight.js";

/** A stand-in for aedes' `publish`: each call waits until the test completes it. */
function fakeBroker() {
  const open: ((err?: Error) => void)[] = [];
  const seen: { packet: unknown; client: unknown }[] = [];
  const broker = {
    publish(packet: unknown, client: unknown, done?: (err?: Error) => void): void {
      seen.push({ packet, client });
      open.push((err) => done?.(err));
    },
  };
  return { broker, open, seen };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

afterEach(() => vi.useRealTimers());

describe("PublishesInFlight", () => {
  it("counts publishes until aedes calls back, and passes packet, client and outcome through", () => {
    const { broker, open, seen } = fakeBroker();
    const inFlight = new PublishesInFlight(broker);
    const outcomes: (Error | undefined)[] = [];
    broker.publish({ topic: "a" }, { id: "c1" }, (err) => outcomes.push(err));
    // aedes' own calls may put the callback in the client's place.
    broker.publish({ topic: "b" }, (err?: Error) => outcomes.push(err));
    expect(inFlight.count).toBe(2);
    expect(seen).toEqual([
      { packet: { topic: "a" }, client: { id: "c1" } },
      { packet: { topic: "b" }, client: null },
    ]);
    const boom = new Error("boom");
    open[1]?.(boom);
    open[0]?.();
    expect(inFlight.count).toBe(0);
    expect(outcomes).toEqual([boom, undefined]);
  });

  it("settles at once with nothing in flight", async () => {
    const inFlight = new PublishesInFlight(fakeBroker().broker);
    let settled = false;
    void inFlight.settled(60_000).then(() => (settled = true));
    await flush();
    expect(settled).toBe(true);
  });

  it("settles once the publishes in flight at the call are done, not waiting for later ones", async () => {
    const { broker, open } = fakeBroker();
    const inFlight = new PublishesInFlight(broker);
    broker.publish({ topic: "early-1" }, null);
    broker.publish({ topic: "early-2" }, null);
    let settled = false;
    void inFlight.settled(60_000).then(() => (settled = true));
    broker.publish({ topic: "later" }, null);
    open[0]?.();
    await flush();
    expect(settled).toBe(false);
    open[1]?.();
    await flush();
    expect(settled).toBe(true);
    expect(inFlight.count).toBe(1);
  });

  it("gives up after its bound when a publish never completes (a subscriber that stopped reading)", async () => {
    vi.useFakeTimers();
    const { broker } = fakeBroker();
    const inFlight = new PublishesInFlight(broker);
    broker.publish({ topic: "stuck" }, null);
    let settled = false;
    void inFlight.settled(1000).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect(inFlight.count).toBe(1);
  });
});
