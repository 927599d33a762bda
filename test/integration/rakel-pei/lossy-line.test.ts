import { describe, expect, it } from "vitest";
import { loadProfile } from "../../../adapters/rakel-pei/terminal-profile.js";
import { radioRig } from "../../helpers/radio-rig.js";

/** Issue 14 item 8: lossy links. */
describe("a line that loses commands", () => {
  it("a dropped AT+CMGS line answered with CME 36 (nothing was sent) is sent again, once", async () => {
    const rig = await radioRig();
    try {
      const from = rig.commands.length;
      rig.sim.setFaults({ dropNextCmgsLine: 1 });
      const r = await rig.radio.sendSds({ kind: "issi", ssi: "2001235" }, { type: "text", text: "Larm: brand" });
      await rig.waitStage(r.id, "sent");
      expect(rig.count(/^AT\+CMGS=\d/, from)).toBe(1); // the lost line never reached the terminal; the second did
    } finally {
      await rig.close();
    }
  });

  it("two dropped init commands still let the terminal come up within a 10 s connect timeout (default profile timings)", async () => {
    const profile = structuredClone(loadProfile("etsi-generic"));
    profile.pei.heartbeatMs = 0;
    const rig = await radioRig({ profile, start: false });
    try {
      const dropAfter = new Set(["AT", "ATV1"]);
      rig.sim.on("command", (line) => {
        if (dropAfter.delete(line)) rig.sim.setFaults({ dropNextAnswers: 1 });
      });
      void rig.radio.start();
      await rig.radio.waitReady(10_000);
      expect(dropAfter.size).toBe(0);
      expect(rig.radio.health.state).toBe("ready");
    } finally {
      await rig.close();
    }
  });
});
