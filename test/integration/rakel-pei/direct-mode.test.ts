import { describe, expect, it } from "vitest";
import { setMode } from "../../../adapters/rakel-pei/commands/mode-and-group.js";
import { radioRig } from "../../helpers/radio-rig.js";

/** Issue 14 item 5: a terminal in direct mode (DMO) reaches only radios in simplex range. */
describe("a terminal in direct mode", () => {
  it("is degraded (not ready for dispatch) and every send carries a DMO warning", async () => {
    const rig = await radioRig({ sim: { initialMode: 1 } });
    try {
      expect(rig.radio.state.mode).toEqual({ code: 1, name: "dmo" });
      expect(rig.radio.health.state).toBe("degraded");
      expect(rig.radio.health.detail).toMatch(/direct mode/);
      const r = await rig.radio.sendSds({ kind: "gssi", ssi: "101" }, { type: "status", value: 0x8002 });
      expect(r.warnings).toEqual([expect.stringMatching(/direct mode \(DMO\)/)]);
    } finally {
      await rig.close();
    }
  });

  it("counts as ready when the site config says DMO is ready for dispatch, still with the warning", async () => {
    const rig = await radioRig({ sim: { initialMode: 1 }, adapter: { dmoReadyForDispatch: true } });
    try {
      expect(rig.radio.health.state).toBe("ready");
      const r = await rig.radio.sendSds({ kind: "gssi", ssi: "101" }, { type: "status", value: 0x8002 });
      expect(r.warnings).toHaveLength(1);
    } finally {
      await rig.close();
    }
  });

  it("follows a switch to DMO and back (+CTOM)", async () => {
    const rig = await radioRig();
    try {
      expect(rig.radio.health.state).toBe("ready");
      const r0 = await rig.radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 0x8002 });
      expect(r0.warnings).toBeUndefined();
      await rig.radio.execute(setMode, { code: 1 });
      await rig.waitHealth("degraded");
      await rig.radio.execute(setMode, { code: 0 });
      await rig.waitHealth("ready");
    } finally {
      await rig.close();
    }
  });
});
