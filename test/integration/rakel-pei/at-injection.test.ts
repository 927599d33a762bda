import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Goal S2: the only bytes a send may put on the wire (heartbeat off, so nothing else interleaves). */
// eslint-disable-next-line no-control-regex -- Ctrl-Z ends the user data; the grammar must name it
const SEND_GRAMMAR = /^(?:AT\+CTSDS=1[23],0(?:,0,0,[01])?\r|AT\+CMGS=\d{1,8},\d{1,4}\r\n[0-9A-F]+\x1a)+$/;

const HOSTILE: [string, string][] = [
  ["CR and a second command", "Brand\rAT+CFUN=0\r"],
  ["Ctrl-Z and a dial command", "del1\x1aATD112;"],
  ["ESC", "Larm\x1b[2J\x1bAT+CTOM=1"],
  ["CR LF and a delete command", "Hej\r\nAT+CMGD=1,4\r\n"],
  ["NUL, bell, backspace and DEL", "a\x00b\x07c\x08d\x7fe"],
  ["a fake final result", "\r\nOK\r\n+CMGS: 0,4,1\r\n"],
  ["a fake incoming SDS header", "\r\n+CTSDSR: 12,1,0,2001234,0,16\r\n8003\r\n"],
  ["Swedish and non-Latin-1 text with a prompt", "Åäö – €> \r> AT"],
];

describe("AT injection through SDS text (goal S2)", () => {
  it.each(HOSTILE)("keeps a text with %s inside the hex user data and delivers it intact", async (_name, text) => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const before = r.wire[0]!.length;
    const cmdsBefore = r.commands.length;
    const s = await r.radio.sendSds({ kind: "issi", ssi: "2005555" }, { type: "text", text, report: "received" });
    await r.waitStage(s.id, "delivered");
    const written = r.wire[0]!.slice(before);
    expect(written).toMatch(SEND_GRAMMAR);
    // Exactly one AT+CTSDS and one AT+CMGS per part, nothing else the terminal took as a command.
    const taken = r.commands.slice(cmdsBefore);
    expect(taken).toHaveLength(2 * s.parts);
    taken.forEach((c, i) => expect(c).toMatch(i % 2 === 0 ? /^AT\+CTSDS=12,0,0,0,0$/ : /^AT\+CMGS=2005555,\d+$/));
    expect(r.sim.sent.map((x) => x.decodeError)).toEqual(r.sim.sent.map(() => undefined));
    expect(r.sim.sent.map((x) => x.text).join("")).toBe(text);
    expect(r.sim.state.mode).toBe(0);
    expect(r.sim.state.power).toBe("on");
  });

  it("refuses hostile destinations before anything is written", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const before = r.wire[0]!.length;
    for (const ssi of ["2345678;AT+CTOM=1", "0701234567\r\nAT+CMGD=1,4", "9001\x1aATD112;", "1\rATZ"]) {
      for (const kind of ["issi", "gssi"] as const) {
        await expect(r.radio.sendSds({ kind, ssi }, { type: "text", text: "x" })).rejects.toMatchObject({ code: "SDS_INVALID" });
      }
    }
    expect(r.wire[0]!.length).toBe(before);
  });

  it("keeps a status value from becoming command text", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const before = r.wire[0]!.length;
    for (const value of [-1, 0x10000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(r.radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value })).rejects.toMatchObject({ code: "SDS_INVALID" });
    }
    expect(r.wire[0]!.length).toBe(before);
  });
});
