import { afterEach, describe, expect, it } from "vitest";
import { encodeSdsReport, encodeShortReport, encodeTextParts } from "../../../adapters/rakel-pei/sds/index.js";
import { heldClock } from "../../helpers/held-clock.js";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const FROM = "2005555";

describe("Receiving SDS through the adapter", () => {
  it("delivers an incoming text with its sender, addressee and Swedish letters", async () => {
    rig = await radioRig();
    rig.sim.injectText(FROM, "Framme vid Älvsjö, rökutveckling åt öster", { messageReference: 17 });
    const s = await rig.waitSds((x) => x.payload.kind === "text");
    expect(s).toMatchObject({ from: FROM, to: "2001234", aiService: 12 });
    expect(s.payload).toMatchObject({ kind: "text", text: "Framme vid Älvsjö, rökutveckling åt öster", messageReference: 17, codingScheme: 1 });
  });

  it("with an incoming gate, SDS are held until it opens and then handed on in arrival order", async () => {
    let open!: () => void;
    rig = await radioRig({ adapter: { incomingGate: new Promise<void>((r) => (open = r)) } });
    rig.sim.injectText(FROM, "LARM tib Samverkan");
    rig.sim.injectStatus(FROM, 0x8004);
    // Without the gate both arrive within a few milliseconds (the tests above).
    await new Promise((r) => setTimeout(r, 150));
    expect(rig.received.filter((x) => x.payload.kind === "text")).toEqual([]); // the part itself is handed on at once
    open();
    await until(() => rig!.received.length === 2, 1000, "both handed on");
    expect(rig.received.map((x) => x.payload.kind)).toEqual(["text", "status"]);
  });

  it("delivers a text sent to a group with the group as addressee", async () => {
    rig = await radioRig();
    rig.sim.injectText(FROM, "Till alla i 9010", { to: "9010" });
    const s = await rig.waitSds((x) => x.payload.kind === "text");
    expect(s.to).toBe("9010");
    expect(s.payload).toMatchObject({ text: "Till alla i 9010", serviceSelection: 1 });
  });

  it("delivers a pre-coded status", async () => {
    rig = await radioRig();
    rig.sim.injectStatus(FROM, 0x8003);
    const s = await rig.waitSds((x) => x.aiService === 13);
    expect(s.payload).toMatchObject({ kind: "status", value: 0x8003 });
    expect(s.from).toBe(FROM);
  });

  it("delivers status 0 as an emergency", async () => {
    rig = await radioRig();
    rig.sim.injectStatus(FROM, 0);
    const s = await rig.waitSds((x) => x.aiService === 13);
    expect(s.payload).toMatchObject({ kind: "emergency", value: 0 });
  });

  it("delivers an SDS-SHORT-REPORT (status range 0x7C00-0x7FFF) as a short report, not a status", async () => {
    rig = await radioRig();
    const pdu = encodeShortReport("consumed", 0x2a);
    rig.sim.injectSds({ from: FROM, aiService: pdu.aiService, bits: pdu.bits, hex: pdu.hex });
    const s = await rig.waitSds((x) => x.aiService === 13);
    expect(s.hex).toBe("7F2A");
    expect(s.payload).toMatchObject({ kind: "short-report", reportType: "consumed", messageReference: 0x2a });
  });

  it("delivers an SDS-REPORT with its delivery status", async () => {
    rig = await radioRig();
    const pdu = encodeSdsReport({ protocolId: 0x82, ackRequired: false, deliveryStatus: 0x4a, messageReference: 99 });
    rig.sim.injectSds({ from: FROM, aiService: pdu.aiService, bits: pdu.bits, hex: pdu.hex });
    const s = await rig.waitSds((x) => x.payload.kind === "report");
    expect(s.payload).toMatchObject({ kind: "report", deliveryStatus: 0x4a, messageReference: 99, protocolId: 0x82, ackRequired: false });
  });

  it("answers an SDS-REPORT that asks for an acknowledgement with an SDS-ACK to its sender", async () => {
    rig = await radioRig();
    const pdu = encodeSdsReport({ protocolId: 0x82, ackRequired: true, deliveryStatus: 0x00, messageReference: 42 });
    rig.sim.injectSds({ from: FROM, aiService: pdu.aiService, bits: pdu.bits, hex: pdu.hex });
    await rig.waitSds((x) => x.payload.kind === "report");
    const r = rig;
    await until(() => r.sim.sent.length === 1, 2000, "the SDS-ACK");
    expect(r.sim.sent[0]).toMatchObject({ ssi: FROM, aiService: 12, decoded: { kind: "ack", deliveryStatus: 0x01, messageReference: 42 } });
  });

  it("delivers a LIP short location report as a position", async () => {
    rig = await radioRig();
    rig.sim.injectLip(FROM, 59.3293, 18.0686, { positionError: 2, velocityCode: 20, directionCode: 4 });
    const s = await rig.waitSds((x) => x.payload.kind === "position");
    expect(s.payload["latitude"] as number).toBeCloseTo(59.3293, 4);
    expect(s.payload["longitude"] as number).toBeCloseTo(18.0686, 4);
    expect(s.payload).toMatchObject({ positionError: 2, velocityKmh: 20, directionDeg: 90 });
    expect(s.bits).toBe(84);
  });

  it("delivers a LIP report with an odd number of hex digits (Sepura style)", async () => {
    rig = await radioRig();
    rig.sim.injectLip(FROM, 57.7089, 11.9746, { oddDigits: true });
    const s = await rig.waitSds((x) => x.payload.kind === "position");
    expect(s.payload["latitude"] as number).toBeCloseTo(57.7089, 4);
  });

  // Each 0x8A part is an event of its own (its message reference stays visible), and once the set is
  // complete the whole text follows as one `text` event with `concatenation` details.
  it("delivers the parts of a concatenated text out of order, then the reassembled whole text", async () => {
    rig = await radioRig();
    const text = "Lång lägesrapport: ".padEnd(180, "åäö.");
    const enc = encodeTextParts(text, { messageReference: 200, group: false, maxBits: 668 });
    expect(enc.parts.length).toBeGreaterThan(2);
    const order = [...enc.parts].reverse();
    for (const p of order) rig.sim.injectSds({ from: FROM, aiService: 12, bits: p.bits, hex: p.hex });
    const r = rig;
    const whole = await r.waitSds((s) => s.payload.kind === "text");
    const parts = r.received.filter((s) => s.payload.kind === "concatenated-part");
    expect(parts.map((s) => s.payload["part"])).toEqual(order.map((_, i) => order.length - i));
    expect(whole.payload["text"]).toBe(text);
    expect(whole.payload["concatenation"]).toMatchObject({ reference: 200, total: enc.parts.length, incomplete: false });
    expect(r.received.filter((s) => s.payload.kind === "text")).toHaveLength(1);
  });

  it("hands on an incomplete concatenated text, marked incomplete with its gaps, after the reassembly timeout", async () => {
    rig = await radioRig({ adapter: { reassemblyTimeoutMs: 200 } });
    const text = "Ofullständig: ".padEnd(180, "x");
    const enc = encodeTextParts(text, { messageReference: 10, group: false, maxBits: 668 });
    rig.sim.injectSds({ from: FROM, aiService: 12, bits: enc.parts[0]!.bits, hex: enc.parts[0]!.hex });
    const s = await rig.waitSds((x) => x.payload.kind === "text", 8000);
    expect(s.payload["concatenation"]).toMatchObject({ reference: 10, incomplete: true, received: [1] });
    expect(String(s.payload["text"])).toMatch(/^Ofullständig: x+…$/);
  });

  it("sweeps incomplete concatenated texts on the clock it was given", async () => {
    // The sweep runs every reassemblyTimeoutMs / 2: 157 ms here, a period no other timer of the rig uses.
    const clock = heldClock(157);
    rig = await radioRig({ adapter: { reassemblyTimeoutMs: 314, clock } });
    expect(clock.held).toBe(1);
    const enc = encodeTextParts("Ofullständig: ".padEnd(180, "x"), { messageReference: 11, group: false, maxBits: 668 });
    rig.sim.injectSds({ from: FROM, aiService: 12, bits: enc.parts[0]!.bits, hex: enc.parts[0]!.hex });
    await new Promise((r) => setTimeout(r, 600)); // past the reassembly timeout, but no sweep has run
    expect(rig.received.filter((x) => x.payload.kind === "text")).toEqual([]); // the part itself is handed on at once
    clock.fire();
    const s = await rig.waitSds((x) => x.payload.kind === "text", 3000);
    expect(s.payload["concatenation"]).toMatchObject({ reference: 11, incomplete: true, received: [1] });
  });

  it("never suppresses a repeated emergency or status: each one is an event", async () => {
    rig = await radioRig({ adapter: { dedupWindowMs: 5000 } });
    rig.sim.injectStatus(FROM, 0);
    rig.sim.injectStatus(FROM, 0);
    rig.sim.injectStatus(FROM, 32773);
    rig.sim.injectStatus(FROM, 32773);
    const r = rig;
    await until(() => r.received.length === 4, 3000, "four status events");
    expect(r.received.map((x) => x.payload.kind)).toEqual(["emergency", "emergency", "status", "status"]);
  });

  it("suppresses the same SDS repeated within the dedup window, once, and lets it through after the window", async () => {
    rig = await radioRig({ adapter: { dedupWindowMs: 300 } });
    rig.sim.injectText(FROM, "Dubblett", { messageReference: 5 });
    rig.sim.injectText(FROM, "Dubblett", { messageReference: 5 });
    rig.sim.injectText(FROM, "Markör", { messageReference: 6 });
    await rig.waitSds((x) => x.payload["text"] === "Markör");
    expect(rig.received.map((s) => s.payload["text"])).toEqual(["Dubblett", "Markör"]);
    // Same text with another reference is another message, not a repeat.
    rig.sim.injectText(FROM, "Dubblett", { messageReference: 7 });
    await rig.waitSds((x) => x.payload["messageReference"] === 7);
    // After the window the same PDU is new again (300 ms window, a bounded wait).
    const t0 = Date.now();
    await until(() => Date.now() - t0 > 350, 1000, "the end of the dedup window");
    rig.sim.injectText(FROM, "Dubblett", { messageReference: 5 });
    const r = rig;
    await until(() => r.received.filter((s) => s.payload["messageReference"] === 5).length === 2, 2000, "the repeat after the window");
  });
});
