import { afterEach, describe, expect, it } from "vitest";
import { PID, encodeSdsReport } from "../../../adapters/rakel-pei/sds/index.js";
import { type RadioRig, radioRig } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;
// 75 characters: fits one PDU at the profile's 668 bits (79 Latin-1 characters, docs/pei.md §5.11).
const SWEDISH = "Brand på Östgötagatan 12, Södermalm. Räddningsledare Åsa Öberg. Återkoppla!";

describe("Sending a text SDS through the adapter", () => {
  it("reports accepted, sent, delivered and consumed for a text that asked for both reports, correlated by message reference", async () => {
    rig = await radioRig();
    const r = await rig.radio.sendSds(PEER, { type: "text", text: "Hej", report: "both" });
    expect(r.parts).toBe(1);
    expect(r.messageReferences).toHaveLength(1);
    const ref = r.messageReferences[0]!;
    const consumed = await rig.waitStage(r.id, "consumed");
    expect(rig.stagesOf(r.id)).toEqual(["accepted", "sent", "delivered", "consumed"]);
    expect(consumed.deliveryStatus).toBe(0x02);
    expect(rig.progress.find((p) => p.id === r.id && p.stage === "delivered")!.deliveryStatus).toBe(0x00);
    // The terminal's air result and the peer's reports both carried the reference of this send.
    expect(rig.sim.sent).toHaveLength(1);
    expect(rig.sim.sent[0]!.messageReference).toBe(ref);
    expect(rig.progress.filter((p) => p.id === r.id).every((p) => p.messageReferences.includes(ref))).toBe(true);
    const reports = rig.received.filter((s) => s.payload.kind === "report");
    expect(reports.map((s) => [s.from, s.payload["messageReference"], s.payload["deliveryStatus"]])).toEqual([
      ["2005555", ref, 0],
      ["2005555", ref, 2],
    ]);
  });

  it("keeps two sends to the same peer apart by their message references", async () => {
    rig = await radioRig({ sim: { peers: { "2005555": { kind: "deliver", reportDelayMs: 150 } } } });
    const a = await rig.radio.sendSds(PEER, { type: "text", text: "Första", report: "received" });
    const b = await rig.radio.sendSds(PEER, { type: "text", text: "Andra", report: "received" });
    expect(a.messageReferences[0]).not.toBe(b.messageReferences[0]);
    await rig.waitStage(a.id, "delivered");
    await rig.waitStage(b.id, "delivered");
    expect(rig.stagesOf(a.id)).toEqual(["accepted", "sent", "delivered"]);
    expect(rig.stagesOf(b.id)).toEqual(["accepted", "sent", "delivered"]);
  });

  it("puts exactly the Swedish text on the air, in Latin-1", async () => {
    rig = await radioRig();
    await rig.radio.sendSds(PEER, { type: "text", text: SWEDISH });
    expect(rig.sim.sent).toHaveLength(1);
    const sent = rig.sim.sent[0]!;
    expect(sent.decodeError).toBeUndefined();
    expect(sent.text).toBe(SWEDISH);
    expect(sent.decoded).toMatchObject({ kind: "text", codingScheme: 1, protocolId: PID.TEXT, serviceSelection: 0 });
    expect(sent.ssi).toBe("2005555");
    expect(sent.aiService).toBe(12);
  });

  it("sends a 200-character text as several 0x8A parts that all arrive and are tracked as one send", async () => {
    rig = await radioRig();
    const text = Array.from({ length: 200 }, (_, i) => "åäöÅÄÖ abcdefghij"[i % 17]).join("");
    const r = await rig.radio.sendSds(PEER, { type: "text", text, report: "received" });
    expect(r.parts).toBeGreaterThan(1);
    expect(r.messageReferences).toHaveLength(r.parts);
    await rig.waitStage(r.id, "delivered");
    expect(rig.sim.sent).toHaveLength(r.parts);
    const parts = rig.sim.sent.map((s) => s.decoded);
    for (const [i, d] of parts.entries()) {
      expect(d).toMatchObject({ kind: "concatenated-part", protocolId: PID.USER_DATA_HEADER, part: i + 1, total: r.parts, reference: r.messageReferences[0] });
    }
    expect(rig.sim.sent.map((s) => s.text).join("")).toBe(text);
    expect(rig.sim.sent.map((s) => s.messageReference)).toEqual(r.messageReferences);
    // One send: one id, each stage once although every part had its own air result and report.
    expect(new Set(rig.progress.map((p) => p.id))).toEqual(new Set([r.id]));
    expect(rig.stagesOf(r.id)).toEqual(["accepted", "sent", "delivered"]);
  });

  it("counts 'concatenation part received' reports (0x06) toward delivery of a long text", async () => {
    // The peer stays silent; its terminal answers each part with delivery status 0x06, as concatenate.ts
    // says receivers do.
    rig = await radioRig({ sim: { peers: { "2005555": { kind: "silent" } } } });
    const text = "Del ".repeat(50);
    const r = await rig.radio.sendSds(PEER, { type: "text", text, report: "received" });
    expect(r.parts).toBeGreaterThan(1);
    await rig.waitStage(r.id, "sent");
    for (const ref of r.messageReferences) {
      const pdu = encodeSdsReport({ protocolId: PID.USER_DATA_HEADER, ackRequired: false, deliveryStatus: 0x06, messageReference: ref });
      rig.sim.injectSds({ from: "2005555", aiService: 12, bits: pdu.bits, hex: pdu.hex });
    }
    const delivered = await rig.waitStage(r.id, "delivered", 2000);
    expect(delivered.deliveryStatus).toBe(0x06);
    expect(rig.stagesOf(r.id)).toEqual(["accepted", "sent", "delivered"]);
  });

  it("re-sends AT+CTSDS before every AT+CMGS with the AI service of that SDS", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const from = rig.commands.length;
    await rig.radio.sendSds(PEER, { type: "text", text: "ett" });
    await rig.radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 0x8003 });
    const long = await rig.radio.sendSds(PEER, { type: "text", text: "x".repeat(120) });
    expect(long.parts).toBe(2);
    const seen = rig.commands.slice(from);
    const cmgs = seen.flatMap((c, i) => (c.startsWith("AT+CMGS=") ? [i] : []));
    expect(cmgs).toHaveLength(4);
    expect(cmgs.map((i) => seen[i - 1])).toEqual(["AT+CTSDS=12,0,0,0,0", "AT+CTSDS=13,0", "AT+CTSDS=12,0,0,0,0", "AT+CTSDS=12,0,0,0,0"]);
    expect(rig.sim.sent.map((s) => s.aiService)).toEqual([12, 13, 12, 12]);
  });
});
