import { afterEach, describe, expect, it } from "vitest";
import { encodeSdsReport } from "../../../adapters/rakel-pei/sds/index.js";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** An SDS-REPORT from `from` that asks the gateway for an SDS-ACK (docs/pei.md §5.5, §5.6). */
function injectReportWantingAck(r: RadioRig, from: string, ref: number): void {
  const pdu = encodeSdsReport({ protocolId: 0x82, ackRequired: true, deliveryStatus: 0x00, messageReference: ref });
  r.sim.injectSds({ from, aiService: pdu.aiService, bits: pdu.bits, hex: pdu.hex });
}

describe("The SDS-ACK the adapter sends on its own", () => {
  it("does not slip between another send's AT+CTSDS and its AT+CMGS", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    let done = false;
    const off = r.sim.on("command", (line) => {
      // The report arrives while the terminal answers the status send's AT+CTSDS=13.
      if (line === "AT+CTSDS=13,0" && !done) {
        done = true;
        injectReportWantingAck(r, "2005555", 42);
      }
    });
    const from = r.commands.length;
    const s = await r.radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 0x8002 });
    off();
    await until(() => r.sim.sent.length === 2, 2000, "the status and the ack");
    const status = r.sim.sent.find((x) => x.hex === "8002");
    expect(status).toMatchObject({ aiService: 13, bits: 16, decoded: { kind: "status", value: 0x8002 } });
    expect(r.sim.sent.find((x) => x.decoded?.kind === "ack")).toMatchObject({ aiService: 12, ssi: "2005555" });
    const seen = r.commands.slice(from);
    seen.forEach((c, i) => c.startsWith("AT+CMGS=") && expect(seen[i - 1]).toMatch(/^AT\+CTSDS=/));
    await r.waitStage(s.id, "sent");
  });

  it("does not lend its transmission result to a tracked send that is still waiting for its own", async () => {
    rig = await radioRig({ sim: { airDelayMs: 100 } });
    const r = rig;
    injectReportWantingAck(r, "2005555", 42);
    await until(() => r.sim.sent.length === 1, 2000, "the ack on the air");
    // The status is refused on the air; the ack's "+CMGS: 0,4,42" arrives while it waits for that result.
    r.sim.setFaults({ airFailNext: 1 });
    const s = await r.radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 0x8002 });
    const failed = await r.waitStage(s.id, "failed");
    expect(failed.deliveryStatus).toBe(5);
    expect(r.stagesOf(s.id)).toEqual(["accepted", "failed"]);
    expect(r.sim.sent.map((x) => x.transmission)).toEqual(["sent", "failed"]);
  });
});
