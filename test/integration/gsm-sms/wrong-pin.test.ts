import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACT_PATHS } from "../../../src/shared/logger.js";
import { fastProfile, modemRig } from "./modem-harness.js";

/**
 * The wrong-PIN rule: a PIN is sent at most once per SIM until it is known to be right; a rejection is
 * persisted and survives a gateway restart; never a PIN to a SIM that wants its PUK or has ≤ 1 attempt left.
 * `sim.state.pinEntries` counts the AT+CPIN= commands the SIM received.
 */
const ENV = "RAKELGW_TEST_PIN";
const pinSim = (over: Record<string, unknown> = {}) => ({ config: { pin: "1234", ...over } });

describe("SIM PIN handling", () => {
  it("enters the right PIN once and becomes ready; the PIN never appears in the state file", async () => {
    process.env[ENV] = "1234";
    const rig = await modemRig({ sim: pinSim(), adapter: { pin: { env: ENV } } });
    try {
      expect(rig.sim.state.pinEntries).toBe(1);
      expect(rig.modem.state.service).toBe("ready");
      expect(rig.modem.pinStore.list()).toEqual({});
      expect(rig.sim.wire).toContain('AT+CPIN="1234"\r');
    } finally {
      await rig.close();
    }
  });

  it("a wrong PIN is tried once, never again — also after a gateway restart", async () => {
    process.env[ENV] = "0000";
    const rig = await modemRig({ sim: pinSim(), adapter: { pin: { env: ENV } } });
    try {
      expect(rig.sim.state.pinEntries).toBe(1);
      expect(rig.sim.state.pinAttemptsLeft).toBe(2);
      expect(rig.modem.state.service).toBe("sim-blocked");
      expect(rig.modem.health).toMatchObject({ state: "degraded" });
      const iccid = rig.sim.config.iccid;
      expect(rig.modem.pinStore.get(iccid)).toMatchObject({ status: "rejected" });
      await expect(rig.modem.sendSms("+46701234567", "x")).rejects.toMatchObject({ code: "SMS_MODEM_NOT_READY" });

      const m2 = await rig.restart();
      await m2.waitReady(3000);
      expect(m2.state.service).toBe("sim-blocked");
      expect(rig.sim.state.pinEntries).toBe(1);

      // The operator fixes the PIN but forgets to clear the block: still nothing is sent.
      process.env[ENV] = "1234";
      const m3 = await rig.restart();
      await m3.waitReady(3000);
      expect(rig.sim.state.pinEntries).toBe(1);

      // Cleared: exactly one more attempt, which succeeds.
      expect(m3.pinStore.clear(iccid)).toBe(true);
      const m4 = await rig.restart();
      await m4.waitReady(3000);
      expect(rig.sim.state.pinEntries).toBe(2);
      expect(m4.state.service).toBe("ready");
    } finally {
      await rig.close();
    }
  });

  it("an attempt with no known outcome (crash after sending) counts as rejected", async () => {
    process.env[ENV] = "1234";
    const rig = await modemRig({ sim: pinSim(), adapter: { pin: { env: ENV } }, start: false });
    try {
      rig.modem.pinStore.set(rig.sim.config.iccid, { status: "attempting", at: "2024-05-01T08:00:00Z", detail: "PIN sent" });
      await rig.modem.start();
      await rig.modem.waitReady(3000);
      expect(rig.sim.state.pinEntries).toBe(0);
      expect(rig.modem.state.service).toBe("sim-blocked");
      expect(rig.modem.pinStore.get(rig.sim.config.iccid)).toMatchObject({ status: "rejected" });
    } finally {
      await rig.close();
    }
  });

  it("never sends a PIN with ≤ 1 attempt left, or to a SIM that wants its PUK", async () => {
    process.env[ENV] = "1234";
    const rig = await modemRig({ sim: pinSim({ pinAttempts: 1 }), adapter: { pin: { env: ENV } } });
    try {
      expect(rig.sim.state.pinEntries).toBe(0);
      expect(rig.modem.state.sim).toMatchObject({ status: "pin-blocked", pinAttemptsLeft: 1 });
      rig.sim.setSimCard("puk");
      const m2 = await rig.restart();
      await m2.waitReady(3000);
      expect(rig.sim.state.pinEntries).toBe(0);
      expect(m2.state.sim.status).toBe("puk-required");
    } finally {
      await rig.close();
    }
  });

  it("without +CPINR support it still sends at most once", async () => {
    process.env[ENV] = "9999";
    const rig = await modemRig({ sim: pinSim({ supportsCpinr: false }), adapter: { pin: { env: ENV } } });
    try {
      expect(rig.sim.state.pinEntries).toBe(1);
      await rig.restart();
      await rig.modem.waitReady(3000);
      expect(rig.sim.state.pinEntries).toBe(1);
    } finally {
      await rig.close();
    }
  });

  it("no PIN configured: reported, nothing sent; no SIM: reported", async () => {
    delete process.env[ENV];
    const rig = await modemRig({ sim: pinSim(), adapter: { pin: { env: ENV } }, profile: fastProfile() });
    try {
      expect(rig.sim.state.pinEntries).toBe(0);
      expect(rig.modem.state.service).toBe("sim-pin-required");
      rig.sim.setSimCard("absent");
      const m2 = await rig.restart();
      await m2.waitReady(3000);
      expect(m2.state).toMatchObject({ service: "sim-absent", sim: { status: "absent" } });
    } finally {
      await rig.close();
    }
  });

  it("the PIN never reaches a log line, even wire traces at trace level with the modem echoing", async () => {
    process.env[ENV] = "97531";
    let logged = "";
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logged += chunk.toString()), done()) });
    const log = pino({ level: "trace", redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, sink);
    const rig = await modemRig({ sim: { config: { pin: "97531" }, faults: { echo: true } }, adapter: { pin: { env: ENV }, log } });
    try {
      expect(rig.modem.state.service).toBe("ready");
      expect(rig.sim.wire).toContain('AT+CPIN="97531"');
      expect(logged).toMatch(/AT\+CPIN=\[redacted\]/);
      expect(logged).not.toContain("97531");
    } finally {
      await rig.close();
    }
  });
});
