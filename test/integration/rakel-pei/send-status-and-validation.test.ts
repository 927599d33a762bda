import { afterEach, describe, expect, it } from "vitest";
import { DESTINATION_NOT_REGISTERED } from "../../../adapters/rakel-pei/sim/index.js";
import { type RadioRig, radioRig } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const GROUP = { kind: "gssi", ssi: "9001" } as const;

describe("Sending status messages and refusing invalid sends", () => {
  it("sends a pre-coded status to a group and reports it sent", async () => {
    rig = await radioRig();
    const r = await rig.radio.sendSds(GROUP, { type: "status", value: 0x8005 });
    expect(r.messageReferences).toEqual([]);
    await rig.waitStage(r.id, "sent");
    expect(rig.sim.sent).toHaveLength(1);
    expect(rig.sim.sent[0]).toMatchObject({ ssi: "9001", toGroup: true, aiService: 13, bits: 16, hex: "8005", decoded: { kind: "status", value: 0x8005 } });
    expect(rig.stagesOf(r.id)).toEqual(["accepted", "sent"]);
  });

  it("refuses status 0x7C00 with SDS_INVALID before anything is written", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const before = rig.wire.join("").length;
    await expect(rig.radio.sendSds(GROUP, { type: "status", value: 0x7c00 })).rejects.toMatchObject({ code: "SDS_INVALID" });
    await expect(rig.radio.sendSds(GROUP, { type: "status", value: 0x7fff })).rejects.toMatchObject({ code: "SDS_INVALID" });
    expect(rig.wire.join("").length).toBe(before);
    expect(rig.sim.sent).toHaveLength(0);
  });

  it("refuses a delivery report request toward a group with SDS_INVALID before anything is written", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const before = rig.wire.join("").length;
    for (const report of ["received", "consumed", "both"] as const) {
      await expect(rig.radio.sendSds(GROUP, { type: "text", text: "Till alla", report })).rejects.toMatchObject({ code: "SDS_INVALID" });
    }
    expect(rig.wire.join("").length).toBe(before);
    // Without a report the same text goes out, with the group service-selection bit.
    await rig.radio.sendSds(GROUP, { type: "text", text: "Till alla" });
    expect(rig.sim.sent[0]).toMatchObject({ toGroup: true, decoded: { kind: "text", serviceSelection: 1, deliveryReportRequest: "none" } });
  });

  it.each(["2345678;AT+CTOM=1", "+46701234567", "123456789", "16777216", "", " ", "12 34", "0x1234", "2001234\r\nAT+CMGD=1,4"])(
    "refuses the ISSI %j with SDS_INVALID and writes nothing",
    async (ssi) => {
      rig = await radioRig({ adapter: { heartbeatMs: 0 } });
      const before = rig.wire.join("").length;
      await expect(rig.radio.sendSds({ kind: "issi", ssi }, { type: "text", text: "x" })).rejects.toMatchObject({ code: "SDS_INVALID" });
      await expect(rig.radio.sendSds({ kind: "issi", ssi }, { type: "status", value: 0x8001 })).rejects.toMatchObject({ code: "SDS_INVALID" });
      expect(rig.wire.join("").length).toBe(before);
      expect(rig.sim.sent).toHaveLength(0);
    },
  );

  it("reports failed when the terminal says the transmission failed over the air (+CMGS status 5)", async () => {
    rig = await radioRig();
    rig.sim.setFaults({ airFailNext: 1 });
    const r = await rig.radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "Hej", report: "received" });
    const failed = await rig.waitStage(r.id, "failed");
    expect(failed.deliveryStatus).toBe(5);
    expect(rig.stagesOf(r.id)).toEqual(["accepted", "failed"]);
    // The next send is not blamed for the earlier failure.
    const ok = await rig.radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "Igen", report: "received" });
    await rig.waitStage(ok.id, "delivered");
  });

  it("reports failed with delivery status 0x4B when the SwMI says the destination is not registered", async () => {
    rig = await radioRig({ sim: { peers: { "2007777": { kind: "unreachable" } } } });
    const r = await rig.radio.sendSds({ kind: "issi", ssi: "2007777" }, { type: "text", text: "Hallå?", report: "both" });
    const failed = await rig.waitStage(r.id, "failed");
    expect(failed.deliveryStatus).toBe(DESTINATION_NOT_REGISTERED);
    expect(DESTINATION_NOT_REGISTERED).toBe(0x4b);
    expect(rig.stagesOf(r.id)).toEqual(["accepted", "sent", "failed"]);
  });

  it("reports failed when an unreachable destination makes the air transmission fail", async () => {
    rig = await radioRig({ sim: { peers: { "2007778": { kind: "unreachable", via: "air-failure" } } } });
    const r = await rig.radio.sendSds({ kind: "issi", ssi: "2007778" }, { type: "text", text: "Hallå?", report: "received" });
    const failed = await rig.waitStage(r.id, "failed");
    expect(failed.deliveryStatus).toBe(5);
  });
});

describe("A terminal with another ISSI on the port (found by `npm run proof -- device-loss`)", () => {
  it("refuses the send with LINK_TERMINAL_MISMATCH and writes no AT+CMGS", async () => {
    rig = await radioRig({ sim: { issi: "2007777" }, adapter: { expectedIssi: "2001234", heartbeatMs: 0 } });
    await expect(rig.radio.sendSds({ kind: "issi", ssi: "2009999" }, { type: "text", text: "Under a foreign ISSI", report: "none", immediate: false })).rejects.toMatchObject({ code: "LINK_TERMINAL_MISMATCH" });
    expect(rig.wire.join("")).not.toMatch(/AT\+CMGS=\d/);
    expect(rig.sim.sent).toHaveLength(0);
  });

  it("sends normally when the ISSI is the configured one", async () => {
    rig = await radioRig({ adapter: { expectedIssi: "2001234", heartbeatMs: 0 } });
    await rig.radio.sendSds({ kind: "issi", ssi: "2009999" }, { type: "text", text: "Rätt terminal", report: "none", immediate: false });
    expect(rig.sim.sent).toHaveLength(1);
  });
});
