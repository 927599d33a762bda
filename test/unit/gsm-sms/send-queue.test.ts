import { describe, expect, it } from "vitest";
import { PriorityQueue, RateLimiter } from "../../../adapters/gsm-sms/send-queue.js";

describe("PriorityQueue", () => {
  it("serves alerts first, oldest first within a priority, and counts", () => {
    const q = new PriorityQueue<string>();
    q.push({ priority: "bulk", enqueuedAt: 1, item: "test-1" });
    q.push({ priority: "normal", enqueuedAt: 2, item: "status-1" });
    q.push({ priority: "emergency", enqueuedAt: 3, item: "alert-1" });
    q.push({ priority: "emergency", enqueuedAt: 4, item: "alert-2" });
    expect(q.countBy()).toEqual({ emergency: 2, operator: 0, normal: 1, bulk: 1 });
    expect(q.oldest()).toBe(1);
    expect(q.remove((x) => x === "status-1")?.item).toBe("status-1");
    expect([q.shift(), q.shift(), q.shift(), q.shift()].map((x) => x?.item)).toEqual(["alert-1", "alert-2", "test-1", undefined]);
    expect(q.length).toBe(0);
  });
});

describe("RateLimiter (R10: ≤ n submissions per rolling minute)", () => {
  it("allows n in a window, then says how long to wait", async () => {
    let now = 0;
    const r = new RateLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(r.waitMs()).toBe(0);
      await r.take();
      now += 1000;
    }
    expect(r.waitMs()).toBe(57_000);
    now = 60_000;
    expect(r.waitMs()).toBe(0);
  });
});
