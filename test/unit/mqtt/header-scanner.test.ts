import { describe, expect, it } from "vitest";
import { HeaderScanner } from "../../../adapters/mqtt/broker/header-scanner.js";

/** Remaining Length encoding of MQTT 3.1.1 §2.2.3 (the spec's own algorithm). */
function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}
const packet = (type: number, bodyLen: number): Buffer => Buffer.from([type << 4, ...remainingLength(bodyLen), ...new Array<number>(bodyLen).fill(0)]);
const header = (type: number, bodyLen: number): Buffer => Buffer.from([type << 4, ...remainingLength(bodyLen)]);

describe("HeaderScanner", () => {
  it.each([
    { title: "one byte length", len: 127, bytes: [0x7f] },
    { title: "two byte length", len: 128, bytes: [0x80, 0x01] },
    { title: "three byte length (spec example 16 383 → 2 bytes, 16 384 → 3)", len: 16384, bytes: [0x80, 0x80, 0x01] },
    { title: "four byte maximum", len: 268435455, bytes: [0xff, 0xff, 0xff, 0x7f] },
  ])("encodes $title as in §2.2.3", ({ len, bytes }) => {
    expect(remainingLength(len)).toEqual(bytes);
  });

  it("counts packets and publishes across arbitrary chunk boundaries", () => {
    const stream = Buffer.concat([packet(1, 20), packet(3, 100), packet(12, 0), packet(3, 300), packet(8, 10)]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const s = new HeaderScanner(65536);
      let packets = 0;
      let publishes = 0;
      for (let i = 0; i < stream.length; i += size) {
        const v = s.scan(stream.subarray(i, i + size));
        expect(v.ok).toBe(true);
        if (v.ok) {
          packets += v.packets;
          publishes += v.publishes;
        }
      }
      expect({ size, packets, publishes }).toEqual({ size, packets: 5, publishes: 2 });
    }
  });

  it("refuses a packet declaring more than the limit from its header alone", () => {
    const s = new HeaderScanner(65536);
    expect(s.scan(packet(1, 10)).ok).toBe(true);
    const v = s.scan(header(3, 100 * 1024 * 1024));
    expect(v).toMatchObject({ ok: false, kind: "too-large", declared: 100 * 1024 * 1024 + 5, packetType: 3 });
  });

  it("accepts a packet of exactly the limit, header included", () => {
    const s = new HeaderScanner(1000);
    expect(s.scan(packet(1, 997)).ok).toBe(true); // 1 + 2 + 997
    expect(new HeaderScanner(1000).scan(packet(1, 998)).ok).toBe(false);
  });

  it("refuses a first packet that is not CONNECT (docs/reliability.md #30: PUBLISH first, declaring 232 MB)", () => {
    expect(new HeaderScanner(65536).scan(header(3, 10))).toMatchObject({ ok: false, kind: "first-not-connect" });
    expect(new HeaderScanner(65536).scan(header(3, 232 * 1024 * 1024))).toMatchObject({ ok: false, kind: "too-large" });
  });

  it("refuses a fifth length byte as malformed", () => {
    expect(new HeaderScanner(1 << 30).scan(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatchObject({ ok: false, kind: "malformed" });
  });
});
