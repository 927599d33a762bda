import { describe, expect, it } from "vitest";
import { readInfo, readOperator, readRegistration, readSignal } from "../../../adapters/gsm-sms/commands/network-commands.js";
import { enterPin, readIccid, readPinAttempts, readPinState } from "../../../adapters/gsm-sms/commands/sim-commands.js";
import { listStored, readStored, submitPdu } from "../../../adapters/gsm-sms/commands/sms-commands.js";
import { encodeSubmit } from "../../../adapters/gsm-sms/pdu/index.js";
import { MODEM_URCS } from "../../../adapters/gsm-sms/urc/modem-urcs.js";

const urc = (name: string) => MODEM_URCS.find((u) => u.name === name)!;

describe("SIM commands (27.007 §8.3, §8.65)", () => {
  it("reads +CPIN states", () => {
    expect(readPinState.parse(["+CPIN: READY"])).toBe("READY");
    expect(readPinState.parse(['+CPIN: "SIM PIN"'])).toBe("SIM PIN");
    expect(readPinState.parse(["+cpin: sim puk"])).toBe("SIM PUK");
  });

  it("quotes the PIN and refuses anything but 4-8 digits", () => {
    expect(enterPin.build({ pin: "1234" })).toBe('AT+CPIN="1234"');
    expect(enterPin.idempotent).toBe(false);
    for (const bad of ['12"4', "1234\rAT+CFUN=0", "12", "123456789"]) expect(() => enterPin.build({ pin: bad })).toThrow();
  });

  it.each([
    ["AT+CPINR", ['+CPINR: SIM PIN,2,3', "+CPINR: SIM PUK,10,10"], 2, 'AT+CPINR="SIM PIN"'],
    ["AT^SPIC", ["^SPIC: 1"], 1, "AT^SPIC"],
    ["AT+QPINC", ['+QPINC: "SC",3,10'], 3, 'AT+QPINC="SC"'],
  ] as const)("%s reads the attempts left", (kind, lines, n, line) => {
    const c = readPinAttempts(kind);
    expect(c.build()).toBe(line);
    expect(c.parse(lines)).toBe(n);
  });

  it.each([
    ["AT+CCID", ["+CCID: 89460000000000000017"]],
    ["AT+CCID", ['+CCID: "8946000000000000001F"']],
    ["AT+ICCID", ["ICCID: 89460000000000000017"]],
    ["AT^SCID", ["^SCID: 89460000000000000017"]],
    ["AT+QCCID", ["89460000000000000017"]],
  ] as const)("%s reads the ICCID from %j", (kind, lines) => {
    expect(readIccid(kind).parse(lines)).toMatch(/^8946000000000000001[7F]$/);
  });
});

describe("network commands (27.007 §7.2, §7.3, §8.5, §10.1.22)", () => {
  it("reads CS and EPS registration", () => {
    expect(readRegistration("CREG").parse(["+CREG: 2,1,\"00C3\",\"0001A13B\",7"])).toEqual({ stat: 1, registered: true, text: "home" });
    expect(readRegistration("CEREG").parse(["+CEREG: 0,5"])).toMatchObject({ registered: true, text: "roaming" });
    expect(readRegistration("CREG").parse(["+CREG: 0,2"])).toMatchObject({ registered: false, text: "searching" });
    expect(readRegistration("CEREG").parse(["+CEREG: 0,7"])).toMatchObject({ registered: true, text: "roaming-sms-only" });
  });

  it("reads operator, signal and identity", () => {
    expect(readOperator.parse(['+COPS: 0,0,"Telia S",7'])).toEqual({ name: "Telia S", act: 7 });
    expect(readOperator.parse(["+COPS: 0"])).toBeUndefined();
    expect(readSignal.parse(["+CSQ: 20,99"])).toEqual({ rssi: 20, dbm: -73 });
    expect(readSignal.parse(["+CSQ: 99,99"])).toEqual({ rssi: 99, dbm: null });
    expect(readInfo("AT+CGMI").parse(["QUECTEL"])).toBe("QUECTEL");
    expect(readInfo("AT+CGSN").parse(['+CGSN: "356938035643809"'])).toBe("356938035643809");
  });
});

describe("SMS commands (27.005 §3.4, §3.5)", () => {
  const pdu = encodeSubmit({ to: "+46701234567", text: "Hej" }).pdus[0]!;

  it("AT+CMGS carries digits only; the PDU is hex checked against its length", () => {
    expect(submitPdu.build(pdu)).toBe(`AT+CMGS=${pdu.length}`);
    expect(submitPdu.body!(pdu)).toBe(pdu.hex);
    expect(submitPdu.awaitPrompt).toBe(true);
    expect(submitPdu.idempotent).toBe(false);
    expect(() => submitPdu.body!({ ...pdu, length: pdu.length + 1 })).toThrow(/octets/);
    expect(() => submitPdu.body!({ ...pdu, hex: pdu.hex + "\x1a" })).toThrow();
    expect(() => submitPdu.build({ ...pdu, length: 1.5 })).toThrow();
    expect(submitPdu.parse(["+CMGS: 17"])).toEqual({ reference: 17 });
    expect(submitPdu.parse(["+CMGS: 255,\"00\""])).toEqual({ reference: 255 });
    expect(() => submitPdu.parse([])).toThrow();
  });

  it("reads one stored message and lists them", () => {
    expect(readStored.parse(["+CMGR: 0,,23", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"])).toMatchObject({ stat: 0, length: 23 });
    expect(readStored.parse([])).toBeUndefined();
    const list = listStored.parse(["+CMGL: 1,0,,23", "0011AA", "+CMGL: 4,1,,20", "+CMGL: 5,1,,20", "00BB"]);
    expect(list).toEqual([
      { index: 1, stat: 0, length: 23, hex: "0011AA" },
      { index: 5, stat: 1, length: 20, hex: "00BB" },
    ]);
  });
});

describe("modem URCs (27.005 §3.4.1, 27.007 §7.2)", () => {
  it("parses stored and direct indications", () => {
    expect(urc("CMTI").parse(['+CMTI: "SM",3'])).toEqual({ ok: true, value: { memory: "SM", index: 3 } });
    expect(urc("CDSI").parse(['+CDSI: "SR",1'])).toEqual({ ok: true, value: { memory: "SR", index: 1 } });
    expect(urc("CMT").trailingLines).toBe(1);
    expect(urc("CMT").parse(["+CMT: ,23", "0011aa"])).toEqual({ ok: true, value: { length: 23, hex: "0011AA" } });
    expect(urc("CDS").parse(["+CDS: 25", "0011AA"])).toEqual({ ok: true, value: { length: 25, hex: "0011AA" } });
    expect(urc("CMT").parse(["+CMT: ,23", "0011A"]).ok).toBe(false);
    expect(urc("CMT").trailingPattern!.test("OK")).toBe(false);
  });

  it("parses unsolicited registration (stat first)", () => {
    expect(urc("CREG").parse(['+CREG: 1,"00C3","0001A13B",7'])).toMatchObject({ ok: true, value: { kind: "CREG", info: { stat: 1, registered: true } } });
    expect(urc("CEREG").parse(["+CEREG: 0"])).toMatchObject({ ok: true, value: { kind: "CEREG", info: { registered: false } } });
  });
});
