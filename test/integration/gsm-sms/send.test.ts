import { describe, expect, it } from "vitest";
import { fastProfile, modemRig, onlySubmissions, reached, until } from "./modem-harness.js";

const TO = "+46701234567";

describe("sending through the simulated modem", () => {
  it("a status report makes the message delivered; the phone gets the exact text", async () => {
    const rig = await modemRig();
    try {
      const r = await rig.modem.sendSms(TO, "Larm: Brand i byggnad, Åkervägen 12. Kvittera med JA.", { statusReport: true, priority: "emergency" });
      expect(r).toMatchObject({ parts: 1, coding: "gsm7", references: [rig.sim.sent[0]!.reference] });
      const done = await reached(rig, r.id, ["delivered"]);
      expect(done).toMatchObject({ stage: "delivered", parts: [{ status: "delivered", deliveryStatus: 0 }] });
      expect(rig.sim.sent.map((s) => [s.to, s.text, s.statusReport])).toEqual([[TO, "Larm: Brand i byggnad, Åkervägen 12. Kvittera med JA.", true]]);
      expect(rig.progress.filter((p) => p.id === r.id).map((p) => p.stage)).toEqual(["queued", "submitted", "delivered"]);
    } finally {
      await rig.close();
    }
  });

  it("a long text goes in parts with one rolling reference and AT+CMMS=2 between them", async () => {
    const rig = await modemRig();
    try {
      const text = "Inkallning RIB-styrka 2: samling vid brandstationen. ".repeat(6);
      const a = await rig.modem.sendSms(TO, text, { statusReport: true });
      await rig.modem.sendSms(TO, text);
      expect(a.parts).toBe(3);
      const refsA = rig.sim.sent.slice(0, 3).map((s) => s.concat!.reference);
      const refsB = rig.sim.sent.slice(3).map((s) => s.concat!.reference);
      expect(new Set(refsA).size).toBe(1);
      expect(refsB[0]).not.toBe(refsA[0]);
      expect(rig.sim.sent.slice(0, 3).map((s) => s.text).join("")).toBe(text);
      expect(rig.sim.wire).toMatch(/AT\+CMMS=2\r/);
      await reached(rig, a.id, ["delivered"]);
      await until(() => /AT\+CMMS=0\r/.test(rig.sim.wire), 1000, "CMMS=0 after the queue drained");
    } finally {
      await rig.close();
    }
  });

  it("a failed or 'still trying' report is reported per part", async () => {
    const rig = await modemRig();
    try {
      rig.sim.setRecipient("+46700000001", { kind: "fail", status: 0x43 });
      rig.sim.setRecipient("+46700000002", { kind: "pending-then-deliver" });
      const f = await rig.modem.sendSms("+46700000001", "x", { statusReport: true });
      expect(await reached(rig, f.id, ["delivered"])).toMatchObject({ stage: "failed", error: { code: "SMS_DELIVERY_FAILED" }, parts: [{ deliveryStatus: 0x43 }] });
      const p = await rig.modem.sendSms("+46700000002", "y", { statusReport: true });
      await reached(rig, p.id, ["delivered"]);
      expect(rig.progress.filter((x) => x.id === p.id).map((x) => x.parts[0]!.status)).toEqual(["queued", "submitted", "pending", "delivered"]);
    } finally {
      await rig.close();
    }
  });

  it("alerts overtake queued test traffic; oldest first within a priority", async () => {
    const rig = await modemRig({ sim: { config: { cmgsDelayMs: 30 } } });
    try {
      const order: string[] = [];
      const sends = [
        rig.modem.sendSms("+46700000010", "bulk-1", { priority: "bulk" }),
        rig.modem.sendSms("+46700000011", "bulk-2", { priority: "bulk" }),
        rig.modem.sendSms("+46700000012", "alert-1", { priority: "emergency" }),
        rig.modem.sendSms("+46700000013", "alert-2", { priority: "emergency" }),
      ];
      rig.sim.on("sms-sent", (s) => order.push(s.text ?? ""));
      expect(rig.modem.queueStats()).toMatchObject({ depth: 3, byPriority: { emergency: 2, bulk: 1 } });
      await Promise.all(sends);
      expect(order).toEqual(["bulk-1", "alert-1", "alert-2", "bulk-2"]);
    } finally {
      await rig.close();
    }
  });

  it("keeps to the per-modem rate (R10) and exports queue depth and age", async () => {
    const rig = await modemRig({ adapter: { maxPerMinute: 2 } });
    try {
      const sends = ["a", "b", "c", "d"].map((t) => rig.modem.sendSms(TO, t).catch((e: unknown) => e));
      await until(() => rig.sim.sent.length === 2, 1000, "two submissions");
      await new Promise((r) => setTimeout(r, 150));
      expect(rig.sim.sent).toHaveLength(2);
      // "c" waits for its slot; "d" is still queued.
      expect(rig.modem.queueStats()).toMatchObject({ depth: 1, submittedParts: 2 });
      expect(rig.modem.queueStats().oldestAgeMs).toBeGreaterThanOrEqual(100);
      await rig.modem.stop();
      expect(await Promise.all(sends.slice(2))).toEqual([expect.objectContaining({ code: "AT_ABORTED" }), expect.objectContaining({ code: "AT_ABORTED" })]);
    } finally {
      await rig.close();
    }
  });

  it("retries transient +CMS errors with backoff and fails fast on permanent ones", async () => {
    const rig = await modemRig();
    try {
      rig.sim.setFaults({ cmsErrorNext: { code: 42, count: 2 } }); // congestion, twice
      const ok = await rig.modem.sendSms(TO, "retry me");
      expect(ok.parts).toBe(1);
      expect(rig.sim.wire.match(/AT\+CMGS=/g)).toHaveLength(3);
      rig.sim.clearWire();
      rig.sim.setFaults({ cmsErrorNext: { code: 1, count: 1 } }); // unassigned number
      await expect(rig.modem.sendSms(TO, "no such number")).rejects.toMatchObject({ code: "SMS_REJECTED", context: { cms: 1 } });
      expect(rig.sim.wire.match(/AT\+CMGS=/g)).toHaveLength(1);
      rig.sim.setFaults({ cmsErrorNext: { code: 500, count: 5 } });
      await expect(rig.modem.sendSms(TO, "never")).rejects.toMatchObject({ code: "SMS_SEND_FAILED" });
      expect(rig.progress.at(-1)).toMatchObject({ stage: "failed", error: { code: "SMS_SEND_FAILED", cms: 500 } });
    } finally {
      await rig.close();
    }
  });

  it("refuses a bad recipient or an over-long text before anything reaches the modem", async () => {
    const rig = await modemRig();
    try {
      rig.sim.clearWire();
      expect(() => rig.modem.sendSms("0701234567\r\nAT+CMGD=1,4", "x")).toThrow(expect.objectContaining({ code: "SMS_INVALID" }) as Error);
      expect(() => rig.modem.sendSms(TO, "x".repeat(2000))).toThrow(expect.objectContaining({ code: "SMS_INVALID" }) as Error);
      await new Promise((r) => setTimeout(r, 20));
      expect(rig.sim.wire).toBe("");
    } finally {
      await rig.close();
    }
  });

  it("resets the modem with AT+CFUN=1,1 after repeated modem-level failures, then sends", async () => {
    const rig = await modemRig({ profile: fastProfile((p) => (p.recovery.resetAfterFailures = 2)) });
    try {
      rig.sim.setFaults({ cmsErrorNext: { code: 300, count: 2 } }); // ME failure
      const r = await rig.modem.sendSms(TO, "after reset");
      expect(r.parts).toBe(1);
      expect(rig.sim.wire).toContain("AT+CFUN=1,1\r");
      expect(rig.modem.resets).toBe(1);
      expect(rig.sim.sent.map((s) => s.text)).toEqual(["after reset"]);
      expect(rig.modem.health.state).toBe("ready");
    } finally {
      await rig.close();
    }
  });
});

describe("hostile texts (docs/reliability.md #1-#3, goal S2)", () => {
  it.each([
    ["CR and a command", "Brand\rAT+CFUN=0\r"],
    ["Ctrl-Z and a dial", "del1\x1aATD112;"],
    ["ESC", "\x1b[31mröd\x1b"],
    ["CR LF, OK and a delete", "OK\r\nAT+CMGD=1,4\r\n"],
  ])("%s: only AT+CMGS=<digits>, hex and Ctrl-Z reach the wire, and the phone gets the text", async (_n, text) => {
    const rig = await modemRig();
    try {
      rig.sim.clearWire();
      await rig.modem.sendSms(TO, text);
      expect(onlySubmissions(rig.sim.wire), JSON.stringify(rig.sim.wire)).toBe(true);
      expect(rig.sim.sent.map((s) => s.text).join("")).toBe(text);
    } finally {
      await rig.close();
    }
  });
});
