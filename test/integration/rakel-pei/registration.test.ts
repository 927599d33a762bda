import { describe, expect, it } from "vitest";
import { heldClock } from "../../helpers/held-clock.js";
import { fastProfile, radioRig } from "../../helpers/radio-rig.js";

/** Issue 14 item 2: a TETRA terminal without network must not look ready. */
describe("registration of a TETRA terminal (EN 300 392-5 +CREG form)", () => {
  it("reads +CREG: <stat>,<LA>,<MNI> with the status first, not the location area", async () => {
    const rig = await radioRig({ sim: { cregForm: "tetra", registrationDelayMs: 0 } });
    try {
      expect(rig.radio.state.registration).toEqual({ stat: 1, registered: true });
      expect(rig.radio.health.state).toBe("ready");
    } finally {
      await rig.close();
    }
  });

  it("an out-of-service terminal is degraded (not ready for dispatch) and ready again once registered", async () => {
    const rig = await radioRig({ sim: { cregForm: "tetra", registrationDelayMs: 0 } });
    try {
      rig.sim.setRegistration(2); // searching: the unsolicited TETRA form +CREG: 2,1021,024005001
      await rig.waitHealth("degraded");
      expect(rig.radio.state.registration).toEqual({ stat: 2, registered: false });
      expect(rig.radio.health.detail).toMatch(/not registered/);
      rig.sim.setRegistration(1);
      await rig.waitHealth("ready");
    } finally {
      await rig.close();
    }
  });

  it("a terminal found unregistered at start-up comes up degraded", async () => {
    const rig = await radioRig({ sim: { cregForm: "tetra", registrationDelayMs: 0 }, start: false });
    try {
      rig.sim.setRegistration(2);
      await rig.radio.start();
      await rig.radio.waitReady(3000);
      expect(rig.radio.state.registration).toEqual({ stat: 2, registered: false });
      expect(rig.radio.health.state).toBe("degraded");
    } finally {
      await rig.close();
    }
  });

  it("polls registration when the terminal refuses AT+CREG=2", async () => {
    const profile = fastProfile((p) => (p.pei.registrationPollMs = 100));
    const rig = await radioRig({ profile, sim: { cregForm: "tetra", refuseCregReporting: true, registrationDelayMs: 0 } });
    try {
      expect(rig.radio.health.state).toBe("ready");
      const before = rig.count(/^AT\+CREG\?$/);
      rig.sim.setRegistration(0); // no report: AT+CREG=2 was refused
      await rig.waitHealth("degraded");
      expect(rig.count(/^AT\+CREG\?$/)).toBeGreaterThan(before);
      rig.sim.setRegistration(1);
      await rig.waitHealth("ready");
    } finally {
      await rig.close();
    }
  });

  it("polls registration on the clock it was given", async () => {
    const profile = fastProfile((p) => (p.pei.registrationPollMs = 7_777));
    const clock = heldClock(7_777);
    const rig = await radioRig({ profile, adapter: { clock }, sim: { cregForm: "tetra", refuseCregReporting: true, registrationDelayMs: 0 } });
    try {
      expect(clock.held).toBe(1);
      rig.sim.setRegistration(0);
      const before = rig.count(/^AT\+CREG\?$/);
      clock.fire();
      await rig.waitHealth("degraded");
      expect(rig.count(/^AT\+CREG\?$/)).toBe(before + 1);
      expect(clock.held).toBe(1); // re-armed
      await rig.radio.stop();
      expect(clock.held).toBe(0);
    } finally {
      await rig.close();
    }
  });

  it("a send to an unregistered terminal fails on the first CME 30 instead of burning every attempt", async () => {
    const rig = await radioRig({ sim: { cregForm: "tetra", registrationDelayMs: 0 } });
    try {
      rig.sim.setRegistration(2);
      await rig.waitHealth("degraded");
      const from = rig.commands.length;
      await expect(rig.radio.sendSds({ kind: "issi", ssi: "2001235" }, { type: "text", text: "Larm" })).rejects.toMatchObject({ code: "AT_CME_ERROR", context: { cme: 30 } });
      expect(rig.count(/^AT\+CMGS=/, from)).toBe(1);
    } finally {
      await rig.close();
    }
  });
});
