import { describe, expect, it } from "vitest";
import { fastProfile, radioRig, until, type RadioRig } from "../../helpers/radio-rig.js";

/**
 * Issue 14 item 3: a terminal (or a serial-over-TCP port server) that answers in more than 1 s must still
 * come up. The probe timeout is a profile setting and grows after a missed probe.
 */
async function slowTerminalComesUp(probeTimeoutMs: number, waitMs: number): Promise<RadioRig> {
  // Init commands get 2.5 s; the first probe the profile's probe timeout; every answer takes 1.1 s.
  const profile = fastProfile((p) => {
    p.pei.commandTimeoutMs = 2500;
    p.pei.probeTimeoutMs = probeTimeoutMs;
    p.pei.heartbeatMs = 0;
  });
  const rig = await radioRig({ profile, start: false, sim: { faults: { answerDelayMs: 1100 } } });
  void rig.radio.start();
  // Once a probe was answered and init began (ATE0), the test speeds the terminal up again so the rest of
  // init does not take 1.1 s per command; the old fixed 1 s probe never got that far.
  await until(() => rig.commands.includes("ATE0"), waitMs, "a probe answered and init started");
  rig.sim.setFaults({ answerDelayMs: 0 });
  await rig.radio.waitReady(waitMs);
  return rig;
}

describe("a terminal slower than the probe timeout", () => {
  it("comes up: the probe timeout doubles after a miss until the 1.1 s answers arrive in time", async () => {
    const rig = await slowTerminalComesUp(1000, 8000);
    try {
      expect(rig.radio.health.state).toBe("ready");
      expect(rig.count(/^AT$/)).toBeGreaterThanOrEqual(2);
    } finally {
      await rig.close();
    }
  });

  it("a profile's longer probe timeout is used from the first probe", async () => {
    const rig = await slowTerminalComesUp(1500, 5000);
    try {
      expect(rig.count(/^AT$/)).toBe(1);
    } finally {
      await rig.close();
    }
  });
});
