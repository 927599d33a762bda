import { describe, expect, it } from "vitest";
import { radioRig } from "../../helpers/radio-rig.js";

/** Issue 14 item 6: terminals that name SDS senders by TSI or extended TSI. */
describe.each([
  ["tsi", "240500102001235"],
  ["extended-tsi", "02400500102001235"],
] as const)("incoming SDS from a terminal that gives %s sender identities", (format, tsi) => {
  it("publishes the ISSI as from and the full TSI beside it", async () => {
    const rig = await radioRig({ sim: { senderIdentityFormat: format } });
    try {
      rig.sim.injectText("2001235", "JA");
      const sds = await rig.waitSds((s) => s.payload.kind === "text");
      expect(sds.from).toBe("2001235");
      expect(sds.fromTsi).toBe(tsi);
    } finally {
      await rig.close();
    }
  });

  it("matches the destination's delivery report to the send made to issi:N", async () => {
    const rig = await radioRig({ sim: { senderIdentityFormat: format } });
    try {
      const r = await rig.radio.sendSds({ kind: "issi", ssi: "2001235" }, { type: "text", text: "Larm", report: "received" });
      await rig.waitStage(r.id, "delivered");
    } finally {
      await rig.close();
    }
  });
});
