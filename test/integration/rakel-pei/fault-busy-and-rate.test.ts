import sinon from "sinon";
import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, within } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
const restore: (() => void)[] = [];
afterEach(async () => {
  for (const r of restore.splice(0)) r();
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

describe("A busy or rate-limited terminal (+CME ERROR: 42)", () => {
  it("retries an AT+CMGS refused as busy and the send succeeds once", async () => {
    rig = await radioRig();
    const r = rig;
    let armed = false;
    const off = r.sim.on("command", (line) => {
      // Set while the terminal takes this AT+CMGS, before it answers: this one is refused as busy.
      if (line.startsWith("AT+CMGS=") && !armed) {
        armed = true;
        r.sim.setFaults({ busyNext: 1 });
      }
    });
    const from = r.commands.length;
    const s = await within(r.radio.sendSds(PEER, { type: "text", text: "Upptagen", report: "received" }), 5000, "send");
    off();
    await r.waitStage(s.id, "delivered");
    expect(r.count(/^AT\+CMGS=/, from)).toBe(2);
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Upptagen"]);
    expect(r.stagesOf(s.id)).toEqual(["accepted", "sent", "delivered"]);
  });

  it("retries an AT+CTSDS refused as busy", async () => {
    rig = await radioRig();
    rig.sim.setFaults({ busyNext: 3 });
    const s = await within(rig.radio.sendSds(PEER, { type: "status", value: 0x8007 }), 8000, "send");
    await rig.waitStage(s.id, "sent");
    expect(rig.sim.sent).toHaveLength(1);
  });

  it("sends again after the per-minute limit frees up: retried success", async () => {
    rig = await radioRig({ sim: { maxSdsPerMinute: 2 } });
    const r = rig;
    // Only Date is faked: the simulator counts its rate window with Date.now(); timers stay real.
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ["Date"], shouldAdvanceTime: true });
    restore.push(() => clock.restore());
    await r.radio.sendSds(PEER, { type: "text", text: "1" });
    await r.radio.sendSds(PEER, { type: "text", text: "2" });
    let cmgs = 0;
    const off = r.sim.on("command", (line) => {
      // The third AT+CMGS is refused (limit reached); a minute passes before the adapter's retry.
      if (line.startsWith("AT+CMGS=") && ++cmgs === 1) setImmediate(() => clock.tick(61_000));
    });
    const s = await within(r.radio.sendSds(PEER, { type: "text", text: "3", report: "received" }), 6000, "third send");
    off();
    expect(cmgs).toBe(2);
    await r.waitStage(s.id, "delivered");
    expect(r.sim.sent.map((x) => x.text)).toEqual(["1", "2", "3"]);
  });

  it("gives up with a clear AT_CME_ERROR 42 when the terminal stays rate-limited", async () => {
    // Backoff jitter at its minimum (200 ms) keeps the six attempts short.
    const random = sinon.stub(Math, "random").returns(0);
    restore.push(() => random.restore());
    rig = await radioRig({ sim: { maxSdsPerMinute: 1 } });
    const r = rig;
    await r.radio.sendSds(PEER, { type: "text", text: "1" });
    const from = r.commands.length;
    const err: unknown = await within(r.radio.sendSds(PEER, { type: "text", text: "2" }), 6000, "rate-limited send").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "AT_CME_ERROR", context: { cme: 42 } });
    expect(r.count(/^AT\+CMGS=/, from)).toBe(6);
    expect(r.sim.sent).toHaveLength(1);
    expect(r.progress.filter((p) => p.stage === "failed")).toHaveLength(1);
    expect(r.radio.health.state).toBe("ready");
  });
});
