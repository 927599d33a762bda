import { afterEach, describe, expect, it } from "vitest";
import { FloorPolicy } from "../../../src/conference/floor-policy.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { radioRig, until, type RadioRig } from "../../helpers/radio-rig.js";

/**
 * The talk-group patch's floor policy against the simulated terminal through the real PEI adapter: group
 * kept selected, PTT keyed over PEI (ATD / AT+CTXD / AT+CUTXC) only while the phone side speaks and the
 * radio side does not, the transmit time limit, and de-keying on every failure path.
 */
const GROUP = "9001";
let rig: RadioRig | undefined;
let policy: FloorPolicy | undefined;

afterEach(async () => {
  await policy?.stop();
  await rig?.close();
  rig = undefined;
  policy = undefined;
});

async function setup(maxTransmitMs = 60000): Promise<{ rig: RadioRig; policy: FloorPolicy; wire: () => string }> {
  rig = await radioRig();
  policy = new FloorPolicy({ terminal: rig.radio, terminalId: "t1", talkgroup: GROUP, log: silentLogger(), maxTransmitMs, dekeyRetryMs: 50 });
  await policy.start();
  const r = rig;
  return { rig: r, policy, wire: () => r.wire.join("") };
}

describe("floor policy on the simulated terminal", () => {
  it("selects the patched group, keys a group call while the phone side speaks, de-keys when it stops", async () => {
    const { rig, policy, wire } = await setup();
    expect(rig.sim.selectedGroup).toBe(GROUP);
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "terminal keyed");
    expect(wire()).toContain(`ATD${GROUP}\r`);
    policy.phoneSpeech(false);
    await until(() => rig.sim.talker === undefined, 2000, "terminal de-keyed");
    expect(wire()).toMatch(/AT\+CUTXC=\d+\r/);
    // Speaking again in the same call is a transmit demand, not a new call.
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "keyed again");
    expect(wire()).toMatch(/AT\+CTXD=\d+,1\r/);
  });

  it("never keys while the radio side talks; keys when it has finished", async () => {
    const { rig, policy, wire } = await setup();
    rig.sim.radioTalk("2005555");
    await until(() => policy.snapshot().radioHoldsFloor, 2000, "radio floor seen");
    policy.phoneSpeech(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(wire()).not.toMatch(/AT\+CTXD|ATD/);
    expect(rig.sim.talker).toBe("2005555");
    rig.sim.radioQuiet();
    await until(() => rig.sim.talker === "us", 2000, "keyed after the radio side finished");
  });

  it("radio side taking the floor while we transmit: de-keyed at once", async () => {
    const { rig, policy } = await setup();
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "keyed");
    rig.sim.radioTalk("2005555");
    await until(() => !policy.snapshot().keyed, 2000, "de-keyed");
  });

  it("maximum transmit time de-keys", async () => {
    const { rig, policy } = await setup(1000);
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "keyed");
    await until(() => rig.sim.talker === undefined, 3000, "de-keyed by the limit");
    expect(policy.snapshot().lockedOut).toBe(true);
  });

  it("call released by the network while keyed: de-key sent, nothing left keyed", async () => {
    const { rig, policy } = await setup();
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "keyed");
    rig.sim.endCall(14);
    await until(() => !policy.snapshot().keyed, 2000, "policy de-keyed");
  });

  it("a refused key (terminal busy) de-keys and keys nothing", async () => {
    const { rig, policy } = await setup();
    rig.sim.startCall(GROUP);
    rig.sim.radioTalk("2005555");
    await until(() => policy.snapshot().radioHoldsFloor, 2000, "radio floor seen");
    rig.sim.radioQuiet();
    await until(() => !policy.snapshot().radioHoldsFloor, 2000, "radio floor free");
    // Another talker grabbed the floor again without a +CTXG the gateway saw: the demand is refused.
    const call = (rig.sim as unknown as { core: { state: { call: { talker?: string } } } }).core.state.call;
    call.talker = "2006666";
    policy.phoneSpeech(true);
    await until(() => policy.snapshot().radioHoldsFloor, 2000, () => `not-granted seen; wire ${JSON.stringify(rig.wire.join("").slice(-200))} from ${JSON.stringify(rig.fromDevice.join("").slice(-300))}`);
    // The refusal marks the floor taken at once; the de-key is one more AT round trip (`AT+CUTXC`), so
    // under load `keyed` can still be true right after: wait for it (CI on a loaded machine, 2026-12-05).
    await until(() => !policy.snapshot().keyed, 2000, "de-keyed after the refusal");
    expect(policy.snapshot().radioHoldsFloor).toBe(true);
    expect(rig.sim.talker).toBe("2006666");
  });

  it("stop (leave or shutdown) while keyed de-keys", async () => {
    const { rig, policy } = await setup();
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "keyed");
    await policy.stop();
    expect(rig.sim.talker).toBeUndefined();
  });

  it("link lost while keyed: the failed de-key is retried until the terminal is back", async () => {
    const { rig, policy } = await setup();
    policy.phoneSpeech(true);
    await until(() => rig.sim.talker === "us", 2000, "keyed");
    rig.port.unplug();
    policy.phoneSpeech(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(policy.snapshot().keyed).toBe(true);
    rig.port.replug();
    await until(() => !policy.snapshot().keyed, 8000, "de-keyed after replug");
  });
});
