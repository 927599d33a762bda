import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("Unsolicited codes written inside a command's response (docs/reliability.md #18)", () => {
  it("separates an incoming SDS that lands between +CMGS: 0 and OK from the send's own answer", async () => {
    rig = await radioRig({ sim: { faults: { urcHoldMs: 50 } } });
    const r = rig;
    const wireFrom = r.wire.length;
    let injected = 0;
    r.sim.setFaults({ urcInsideResponse: true });
    const off = r.sim.on("command", (line) => {
      // Raised while the terminal works on AT+CMGS: held and written after "+CMGS: 0", before "OK".
      if (line.startsWith("AT+CMGS=") && injected++ === 0) r.sim.injectText("2005556", "Mitt i svaret", { messageReference: 77 });
    });
    const sent = await r.radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "Utgående", report: "received" });
    off();
    expect(injected).toBe(1);
    await r.waitStage(sent.id, "delivered");
    const s = await r.waitSds((x) => x.payload["text"] === "Mitt i svaret");
    expect(s).toMatchObject({ from: "2005556", payload: { kind: "text", messageReference: 77 } });
    // Nothing misattributed: one text received, the send's own stages in order, no URC or line lost.
    expect(r.received.filter((x) => x.payload.kind === "text")).toHaveLength(1);
    expect(r.stagesOf(sent.id)).toEqual(["accepted", "sent", "delivered"]);
    expect(r.radio.engine.stats.urcErrors).toBe(0);
    expect(wireFrom).toBe(r.wire.length); // same connection throughout
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Utgående"]);
    // The fault did what it says: the SDS was on the wire between the solicited +CMGS: 0 and its OK.
    expect(r.fromDevice.at(-1)).toMatch(/\r\n\+CMGS: 0\r\n\r\n\+CTSDSR: 12,2005556,0,2001234,0,\d+\r\n[0-9A-F]+\r\n\r\nOK\r\n/);
  });

  it("takes +CMGS transmission results held into the next sends' answers as results, not as answers", async () => {
    rig = await radioRig({ sim: { faults: { urcHoldMs: 2000 } } });
    const r = rig;
    let raised = 0;
    r.sim.on("unsolicited", (lines) => (raised += lines.some((l) => l.startsWith("+CMGS: 0,4,")) ? 1 : 0));
    r.sim.setFaults({ urcInsideResponse: true });
    // Each send starts once the previous air result is raised (and held): it is written inside the answer
    // to the next send's AT+CTSDS.
    const a = await r.radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "A", report: "received" });
    await until(() => raised === 1, 2000, "air result of A");
    const b = await r.radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text: "B", report: "received" });
    await until(() => raised === 2, 2000, "air result of B");
    const c = await r.radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 0x8002 });
    r.sim.setFaults({ urcInsideResponse: false }); // flushes what is still held
    await r.waitStage(a.id, "delivered");
    await r.waitStage(b.id, "delivered");
    await r.waitStage(c.id, "sent");
    expect(r.stagesOf(a.id)).toEqual(["accepted", "sent", "delivered"]);
    expect(r.stagesOf(b.id)).toEqual(["accepted", "sent", "delivered"]);
    expect(r.stagesOf(c.id)).toEqual(["accepted", "sent"]);
    // The held transmission results really were written inside later answers, right before their OK.
    expect(r.fromDevice.at(-1)).toMatch(/\+CMGS: 0,4,\d+\r\n\r\nOK\r\n/);
  });
});
