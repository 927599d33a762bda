import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const FROM = "2005555";
const HEADER = `+CTSDSR: 12,${FROM},0,2001234,0,64`;

/** The adapter still sends (with a report) and receives, and its state reads back. */
async function stillWorks(r: RadioRig): Promise<void> {
  const sent = await r.radio.sendSds({ kind: "issi", ssi: FROM }, { type: "text", text: "Fortfarande här", report: "received" });
  await r.waitStage(sent.id, "delivered");
  const from = r.received.length;
  r.sim.injectText(FROM, "Svar efter skräpet");
  await r.waitSds((s) => s.payload["text"] === "Svar efter skräpet", 2000, from);
  const state = await r.radio.refreshState();
  expect(state.identity.issi).toBe("2001234");
  expect(r.radio.health.state).toBe("ready");
}

describe("Malformed and truncated input from the terminal", () => {
  it("drops a +CTSDSR header whose data line never comes, and the next command is answered normally", async () => {
    rig = await radioRig();
    const errors: string[] = [];
    rig.radio.engine.on("urcError", (e) => errors.push(e.reason));
    rig.sim.injectRaw([HEADER]);
    await rig.sim.idle();
    await stillWorks(rig);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/truncated/);
    expect(rig.received.filter((s) => s.payload.kind !== "report").map((s) => s.payload["text"])).toEqual(["Svar efter skräpet"]);
  });

  it("drops a +CTSDSR header followed by a stray OK instead of its data line", async () => {
    rig = await radioRig();
    rig.sim.injectRaw([HEADER, "OK"]);
    await rig.sim.idle();
    await stillWorks(rig);
    expect(rig.received.some((s) => s.hex === "OK")).toBe(false);
  });

  it("does not turn a hex-looking answer after a truncated +CTSDSR into a phantom SDS", async () => {
    // The header arrives just before the answer to AT+GMR, and the firmware string is all hex digits: the
    // engine takes it for the data line. Its length does not fit the header's 64 bits, so it is dropped.
    rig = await radioRig({ sim: { firmware: "20240101" } });
    const r = rig;
    expect(r.radio.state.identity.firmware).toBe("20240101");
    const off = r.sim.on("command", (line) => {
      if (line === "AT+GMR") r.sim.injectRaw([HEADER]);
    });
    const state = await r.radio.refreshState();
    off();
    expect(r.received).toEqual([]);
    // The swallowed answer leaves the field as it was read before.
    expect(state.identity.firmware).toBe("20240101");
    await stillWorks(r);
  });

  it("drops an SDS whose data is shorter or longer than its header says by more than the octet padding", async () => {
    rig = await radioRig();
    const errors: string[] = [];
    rig.radio.engine.on("urcError", (e) => errors.push(e.reason));
    rig.sim.injectRaw([`+CTSDSR: 12,${FROM},0,2001234,0,64`, "8204"]);
    rig.sim.injectRaw([`+CTSDSR: 13,${FROM},0,2001234,0,16`, "80038003"]);
    // Tolerated (docs/reliability.md #9/#10): 84 bits as 22 digits, no space after the colon, lower case, e2ee field.
    rig.sim.injectRaw([`+CTSDSR:13,${FROM},0,2001234,0,16,0`, "80aa"]);
    const s = await rig.waitSds((x) => x.aiService === 13);
    expect(s.payload).toMatchObject({ kind: "status", value: 0x80aa });
    expect(rig.received).toHaveLength(1);
    expect(errors).toHaveLength(2);
  });

  it.each([
    ["+CTSDSR: garbage", ["+CTSDSR: garbage"]],
    ["an unknown line", ["ZZZZ"]],
    ["+CMGS with non-numeric fields", ["+CMGS: x,y"]],
    ["+CMGS with a status but no reference", ["+CMGS: 0,4"]],
    ["+CTSDSR with invalid hex", [`+CTSDSR: 12,${FROM},0,2001234,0,16`, "80ZZ"]],
    ["+CTGS without an identity", ["+CTGS: "]],
    ["+CTOM with a word", ["+CTOM: dmo"]],
    ["+CTICN with nothing after it", ["+CTICN:"]],
  ])("survives %s and keeps working", async (_name, lines) => {
    rig = await radioRig();
    rig.sim.injectRaw(lines);
    await rig.sim.idle();
    await stillWorks(rig);
    expect(rig.radio.state.callActive).toBe(false);
  });

  it("discards a 10,000-byte line without a line end and keeps working", async () => {
    rig = await radioRig();
    const overflows = rig.radio.engine.stats.overflows;
    rig.sim.injectBytes("\r\n" + "A1".repeat(5000));
    rig.sim.injectBytes("\r\n");
    await rig.sim.idle();
    const r = rig;
    await until(() => r.radio.engine.stats.overflows > overflows, 1000, "the overflow to be counted");
    expect(r.radio.engine.stats.overflows).toBe(overflows + 1);
    await stillWorks(rig);
  });

  it("discards a 10,000-byte line that arrives in the middle of a command's answer", async () => {
    rig = await radioRig();
    const r = rig;
    const off = r.sim.on("command", (line) => {
      if (line === "AT+GMM") r.sim.injectBytes("\r\n" + "Z".repeat(10_000));
    });
    const state = await r.radio.refreshState();
    off();
    expect(state.identity.manufacturer).toBe("SIMULATED");
    expect(r.radio.engine.stats.overflows).toBeGreaterThan(0);
    await stillWorks(r);
  });
});
