import { describe, expect, it } from "vitest";
import { decodePdu, decodeTpdu, encodeSubmit } from "../../../adapters/gsm-sms/pdu/index.js";
import { asDeliver, asSubmit, decodeOk } from "./pdu-test-helpers.js";

// Hand-built vectors; each field is spelled out so it can be checked against TS 23.040 by eye.
const SMSC_SE = "07916407058099F9"; // length 7, TOA 0x91, +46705008999
const OA_SE = "0B916407214365F7"; // 11 digits, TOA 0x91, +46701234567
const SCTS_CET = "42305141035040"; // 2024-03-15 14:30:05, time zone 04 quarters = +01:00

describe("SMS-DELIVER decoding (TS 23.040 9.2.2.1)", () => {
  it("decodes the classic published hellohello SMS-DELIVER", () => {
    const d = asDeliver(decodeOk("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37"));
    expect(d.smsc).toEqual({ address: "+27381000015", type: "international", toa: 0x91 });
    // TOA 0xC8: TON 100 subscriber, NPI 1000 national.
    expect(d.originator).toEqual({ address: "27838890001", type: "subscriber", toa: 0xc8 });
    expect(d.text).toBe("hellohello");
    expect(d.coding).toBe("gsm7");
    expect(d.moreMessagesToSend).toBe(false);
    // The field has no century; 99 reads as 2099. Time zone 0x80 = "08" quarters = +02:00.
    expect(d.timestamp).toEqual({ iso: "2099-03-29T15:16:59+02:00", utc: "2099-03-29T13:16:59.000Z", offsetMinutes: 120 });
  });

  it("decodes an alphanumeric originator (TON 101, GSM-7 packed, length in semi-octets)", () => {
    // "Telia" = 5 septets = 35 bits = 9 semi-octets: D4 32 3B 1D 06 (packed by hand).
    const d = asDeliver(decodeOk(SMSC_SE + "04" + "09D0D4323B1D06" + "0000" + SCTS_CET + "03C8B21A"));
    expect(d.originator).toEqual({ address: "Telia", type: "alphanumeric", toa: 0xd0 });
    expect(d.smsc?.address).toBe("+46705008999");
    expect(d.text).toBe("Hej");
    expect(d.timestamp).toEqual({ iso: "2024-03-15T14:30:05+01:00", utc: "2024-03-15T13:30:05.000Z", offsetMinutes: 60 });
  });

  it("decodes an alphanumeric originator with TOA 0x50 (bit 7 clear) the same way", () => {
    const d = asDeliver(decodeOk("00" + "04" + "0950D4323B1D06" + "0000" + SCTS_CET + "00"));
    expect(d.originator).toEqual({ address: "Telia", type: "alphanumeric", toa: 0x50 });
  });

  it("decodes a concatenated GSM-7 part with its header and fill bit", () => {
    const d = asDeliver(decodeOk("00" + "44" + OA_SE + "0000" + SCTS_CET + "0F" + "050003070202" + "C2E170381C0E8701"));
    expect(d.concat).toEqual({ reference: 7, total: 2, sequence: 2, referenceBits: 8 });
    expect(d.udh?.elements).toEqual([{ iei: 0, hex: "070202" }]);
    expect(d.text).toBe("aaaaaaaa");
    expect(d.smsc).toBeNull();
  });

  it("decodes a 16-bit-reference part", () => {
    const d = asDeliver(decodeOk("00" + "44" + OA_SE + "0008" + SCTS_CET + "0B" + "060804BEEF0301" + "00E50061"));
    expect(d.concat).toEqual({ reference: 0xbeef, total: 3, sequence: 1, referenceBits: 16 });
    expect(d.text).toBe("åa");
  });

  it("ignores a concatenation IE whose sequence number exceeds the total (TS 23.040 9.2.3.24.1)", () => {
    const d = asDeliver(decodeOk("00" + "44" + OA_SE + "0008" + SCTS_CET + "08" + "050003070203" + "0041"));
    expect(d.concat).toBeNull();
    expect(d.text).toBe("A");
  });

  it("keeps half a surrogate pair when a sender split an emoji across parts, so the halves can rejoin", () => {
    const p1 = asDeliver(decodeOk("00" + "44" + OA_SE + "0008" + SCTS_CET + "0A" + "050003070201" + "0041D83D"));
    const p2 = asDeliver(decodeOk("00" + "44" + OA_SE + "0008" + SCTS_CET + "0A" + "050003070202" + "DE000042"));
    expect(p1.text! + p2.text!).toBe("A😀B");
  });

  it("returns 8-bit data as hex, not as text", () => {
    const d = asDeliver(decodeOk("00" + "04" + OA_SE + "0004" + SCTS_CET + "03010203"));
    expect(d.coding).toBe("8bit");
    expect(d.text).toBeNull();
    expect(d.dataHex).toBe("010203");
  });

  it.each([
    ["0A", "-05:00", "2024-03-15T19:30:05.000Z", -300],
    ["22", "+05:30", "2024-03-15T09:00:05.000Z", 330],
    ["00", "+00:00", "2024-03-15T14:30:05.000Z", 0],
    ["80", "+02:00", "2024-03-15T12:30:05.000Z", 120],
  ])("reads time-zone octet %s as %s", (tz, offset, utc, minutes) => {
    const d = asDeliver(decodeOk("00" + "04" + OA_SE + "0000" + "423051410350" + tz + "00"));
    expect(d.timestamp).toEqual({ iso: `2024-03-15T14:30:05${offset}`, utc, offsetMinutes: minutes });
  });

  it("reads gammu's empty SMSC field 01 81 as an empty address", () => {
    const d = asDeliver(decodeOk("0181" + "04" + OA_SE + "0000" + SCTS_CET + "00"));
    expect(d.smsc).toEqual({ address: "", type: "unknown", toa: 0x81 });
    expect(d.text).toBe("");
  });

  it("reports TP-MMS 0 as more messages waiting, and TP-SRI and TP-RP", () => {
    const d = asDeliver(decodeOk("00" + "A0" + OA_SE + "0000" + SCTS_CET + "00"));
    expect(d.moreMessagesToSend).toBe(true);
    expect(d.statusReportIndication).toBe(true);
    expect(d.replyPath).toBe(true);
  });

  it("reads a class-0 message coded 0xF0", () => {
    const d = asDeliver(decodeOk("00" + "04" + OA_SE + "00F0" + SCTS_CET + "0AE8329BFD4697D9EC37"));
    expect(d.dcs.messageClass).toBe(0);
    expect(d.text).toBe("hellohello");
  });
});

describe("SMS-SUBMIT decoding (TS 23.040 9.2.2.2)", () => {
  it("decodes the classic hellohello SMS-SUBMIT", () => {
    const d = asSubmit(decodeOk("0011000B916407281553F80000AA0AE8329BFD4697D9EC37"));
    expect(d.destination).toEqual({ address: "+46708251358", type: "international", toa: 0x91 });
    expect(d.validity).toEqual({ format: "relative", octet: 0xaa, minutes: 4 * 1440 });
    expect(d.text).toBe("hellohello");
    expect(d.statusReportRequest).toBe(false);
  });

  it("decodes an absolute validity period (TP-VPF 11)", () => {
    const d = asSubmit(decodeOk("00" + "19" + "00" + "0B916407281553F8" + "0000" + SCTS_CET + "0AE8329BFD4697D9EC37"));
    expect(d.validity).toEqual({
      format: "absolute",
      timestamp: { iso: "2024-03-15T14:30:05+01:00", utc: "2024-03-15T13:30:05.000Z", offsetMinutes: 60 },
    });
  });

  it("decodes an enhanced validity period (TP-VPF 01) as raw hex", () => {
    const d = asSubmit(decodeOk("00" + "09" + "00" + "0B916407281553F8" + "0000" + "01020000000000" + "00"));
    expect(d.validity).toEqual({ format: "enhanced", hex: "01020000000000" });
  });
});

describe("SMSC field and the length argument", () => {
  const full = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37";
  const bare = full.slice(2);

  it("reads a PDU with SMSC field when the length matches the TPDU after it", () => {
    expect(asSubmit(decodeOk(full, 23)).smsc).toBeNull();
    expect(asDeliver(decodeOk("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37", 28)).text).toBe("hellohello");
  });

  it("reads a bare TPDU when the hex holds exactly `length` octets", () => {
    expect(asSubmit(decodeOk(bare, 23)).text).toBe("hellohello");
    expect(asSubmit(decodeOk(bare, 23)).smsc).toBeNull();
  });

  it("decodes a bare TPDU with decodeTpdu", () => {
    const r = decodeTpdu(bare);
    expect(r.ok && r.value.type === "submit" && r.value.text).toBe("hellohello");
  });

  it.each([22, 24, 0, -1, 1.5])("refuses length %s when it fits neither layout", (length) => {
    expect(decodePdu(full, length).ok).toBe(false);
  });

  it("accepts lowercase hex and surrounding whitespace from a modem line", () => {
    expect(asSubmit(decodeOk(`  ${full.toLowerCase()}\r\n`)).text).toBe("hellohello");
  });
});

describe("garbage input", () => {
  const deliver = "00" + "04" + OA_SE + "0000" + SCTS_CET + "0AE8329BFD4697D9EC37";

  it.each([
    ["an empty string", "", /before SMSC length/],
    ["an odd number of hex digits", "0", /not an even-length hex/],
    ["non-hex characters", "XYZ1", /not an even-length hex/],
    ["hex with a space inside", "00 11", /not an even-length hex/],
    ["an SMSC field and nothing else", "07917283010010F5", /TPDU is empty/],
    ["an SMSC field of 00 and nothing else", "00", /TPDU is empty/],
    ["a truncated TPDU", "0011", /before TP-MR/],
    ["a truncated user data", deliver.slice(0, -2), /inside TP-UD/],
    ["a trailing octet after the user data", deliver + "00", /unexpected octets/],
    ["a reserved TP-MTI 11", "0003000B916407281553F80000AA00", /TP-MTI 11/],
    ["an SMSC length over 11 octets", "0C91" + "11".repeat(11) + "04", /SMSC length 12/],
    ["an address length over 20 semi-octets", "0004" + "1591" + "11".repeat(11) + "0000" + SCTS_CET + "00", /TP-OA length 21/],
    ["a month 13 in the time stamp", "00" + "04" + OA_SE + "0000" + "42315141035040" + "00", /TP-SCTS is not a valid date/],
    ["a non-decimal digit in the time stamp", "00" + "04" + OA_SE + "0000" + "4A305141035040" + "00", /non-decimal/],
    ["February 30th", "00" + "04" + OA_SE + "0000" + "42200341035040" + "00", /not a valid date/],
    ["a GSM-7 TP-UDL over 160", "00" + "04" + OA_SE + "0000" + SCTS_CET + "A1" + "00".repeat(141), /161 exceeds 160 septets/],
    ["a UCS-2 TP-UDL over 140", "00" + "04" + OA_SE + "0008" + SCTS_CET + "8D" + "00".repeat(141), /141 exceeds 140 octets/],
    ["an odd UCS-2 length", "00" + "04" + OA_SE + "0008" + SCTS_CET + "03004100", /odd number of octets/],
    ["a header longer than the user data", "00" + "44" + OA_SE + "0008" + SCTS_CET + "0209" + "0000", /header length 9 exceeds/],
    ["an information element overrunning the header", "00" + "44" + OA_SE + "0008" + SCTS_CET + "04" + "03000300", /overruns/],
    ["a header longer than a GSM-7 TP-UDL", "00" + "44" + OA_SE + "0000" + SCTS_CET + "03" + "020000", /longer than TP-UDL/],
    ["an F digit inside an address", "00" + "04" + "0491F1F2" + "0000" + SCTS_CET + "00", /invalid semi-octet/],
    ["an AT response line instead of a PDU", "+CMGS: 12", /not an even-length hex/],
    ["a TPDU longer than any SMS", "00" + "04" + "AA".repeat(260), /longer than 200/],
  ])("returns ok:false for %s", (_name, hex, reason) => {
    const r = decodePdu(hex);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("returns ok:false, not an exception, for a value that is not a string", () => {
    expect(decodePdu(null as unknown as string).ok).toBe(false);
    expect(decodeTpdu(42 as unknown as string).ok).toBe(false);
  });

  it("never throws on random hex or on mutations of valid PDUs", () => {
    let seed = 987654321;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const hex = (n: number): string => Array.from({ length: n }, () => rand(256).toString(16).padStart(2, "0")).join("");
    const valid = [
      deliver,
      ...encodeSubmit({ to: "+46701234567", text: "Larm åäö € 😀 ".repeat(20), reference: 3, maxParts: 10 }).pdus.map((p) => p.hex),
      "07916407058099F9" + "06" + "2A" + OA_SE + SCTS_CET + SCTS_CET + "00" + "07000003C8B21A",
    ];
    for (let i = 0; i < 3000; i++) {
      const base = valid[rand(valid.length)]!;
      let candidate: string;
      if (i % 3 === 0) candidate = hex(rand(180));
      else if (i % 3 === 1) candidate = base.slice(0, 2 * rand(base.length / 2 + 1));
      else {
        const at = 2 * rand(base.length / 2);
        candidate = base.slice(0, at) + hex(1) + base.slice(at + 2);
      }
      expect(() => decodePdu(candidate)).not.toThrow();
      expect(() => decodePdu(candidate, rand(200))).not.toThrow();
      expect(() => decodeTpdu(candidate)).not.toThrow();
    }
  });
});
