import { describe, expect, it } from "vitest";
import {
  decodePdu,
  encodeDeliver,
  partFromDeliver,
  SmsReassembler,
  type ReassemblyPart,
} from "../../../adapters/gsm-sms/pdu/index.js";
import { asDeliver, decodeOk } from "./pdu-test-helpers.js";

function clock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const part = (sequence: number, text: string, over: Partial<ReassemblyPart> = {}): ReassemblyPart => ({
  originator: "+46701234567",
  reference: 7,
  total: 3,
  sequence,
  text,
  ...over,
});

describe("concatenated SMS reassembly", () => {
  it("joins parts that arrive out of order", () => {
    const r = new SmsReassembler({ now: clock().now });
    expect(r.add(part(3, "C"))).toMatchObject({ status: "pending", received: 1, total: 3 });
    expect(r.add(part(1, "A"))).toMatchObject({ status: "pending", received: 2 });
    expect(r.add(part(2, "B"))).toEqual({
      status: "complete",
      message: { originator: "+46701234567", reference: 7, total: 3, text: "ABC" },
    });
    expect(r.openCount).toBe(0);
  });

  it("ignores a duplicate part", () => {
    const r = new SmsReassembler({ now: clock().now });
    r.add(part(1, "A"));
    expect(r.add(part(1, "A"))).toEqual({ status: "duplicate" });
    r.add(part(2, "B"));
    expect(r.add(part(3, "C"))).toMatchObject({ status: "complete", message: { text: "ABC" } });
  });

  it("keeps messages apart by originator, reference and total", () => {
    const r = new SmsReassembler({ now: clock().now });
    r.add(part(1, "A"));
    r.add(part(1, "x", { originator: "+46709999999" }));
    r.add(part(1, "y", { reference: 8 }));
    r.add(part(1, "z", { total: 2 }));
    expect(r.openCount).toBe(4);
    expect(r.add(part(2, "w", { total: 2 }))).toMatchObject({ status: "complete", message: { text: "zw" } });
  });

  it("completes a one-part message at once", () => {
    const r = new SmsReassembler({ now: clock().now });
    expect(r.add(part(1, "solo", { total: 1 }))).toMatchObject({ status: "complete", message: { text: "solo" } });
    expect(r.openCount).toBe(0);
  });

  it.each([
    ["sequence 0", part(0, "x")],
    ["a sequence above the total", part(4, "x")],
    ["a total of 0", part(1, "x", { total: 0 })],
  ])("rejects %s", (_name, p) => {
    expect(new SmsReassembler({ now: clock().now }).add(p).status).toBe("invalid");
  });

  it("hands back an unfinished message on sweep once the timeout has passed, with gaps marked", () => {
    const c = clock(1000);
    const r = new SmsReassembler({ now: c.now, timeoutMs: 60_000 });
    r.add(part(1, "A"));
    r.add(part(3, "C"));
    c.advance(59_999);
    expect(r.sweep()).toEqual([]);
    c.advance(1);
    expect(r.sweep()).toEqual([
      {
        originator: "+46701234567",
        reference: 7,
        total: 3,
        text: "A[…]C",
        received: [1, 3],
        missing: [2],
        firstSeenAt: 1000,
        reason: "timeout",
      },
    ]);
    expect(r.openCount).toBe(0);
  });

  it("measures the timeout from the first part, not the last", () => {
    const c = clock();
    const r = new SmsReassembler({ now: c.now, timeoutMs: 100 });
    r.add(part(1, "A"));
    c.advance(90);
    r.add(part(2, "B"));
    c.advance(10);
    expect(r.sweep()).toHaveLength(1);
  });

  it("evicts the oldest unfinished message when too many are open, and returns it", () => {
    const c = clock();
    const r = new SmsReassembler({ now: c.now, maxOpen: 2, gapMarker: "?" });
    r.add(part(1, "A", { reference: 1 }));
    c.advance(1);
    r.add(part(1, "B", { reference: 2 }));
    c.advance(1);
    const res = r.add(part(1, "C", { reference: 3 }));
    expect(res).toMatchObject({ status: "pending", evicted: { reference: 1, text: "A??", reason: "evicted", missing: [2, 3] } });
    expect(r.openCount).toBe(2);
  });

  it("reassembles SMS-DELIVER PDUs from the network, including a surrogate pair split by the sender", () => {
    const r = new SmsReassembler({ now: clock().now });
    const common = { from: "+46701234567", timestamp: new Date("2024-05-01T08:00:00Z"), offsetMinutes: 120 };
    const pdus = [
      encodeDeliver({ ...common, text: "Svar: JA ", concat: { reference: 300, total: 3, sequence: 1, referenceBits: 16 } }),
      encodeDeliver({ ...common, text: "4711 \ud83d", concat: { reference: 300, total: 3, sequence: 2, referenceBits: 16 } }),
      encodeDeliver({ ...common, text: "\ude92 åäö", concat: { reference: 300, total: 3, sequence: 3, referenceBits: 16 } }),
    ];
    const results = [pdus[2]!, pdus[0]!, pdus[1]!].map((hex) => {
      const p = partFromDeliver(asDeliver(decodeOk(hex)));
      if (p === null) throw new Error("not a part");
      return r.add(p);
    });
    expect(results[2]).toMatchObject({ status: "complete", message: { text: "Svar: JA 4711 🚒 åäö", reference: 300 } });
  });

  it("says a non-concatenated SMS-DELIVER is not a part", () => {
    const hex = encodeDeliver({ from: "Telia", alphanumeric: true, text: "Hej", timestamp: new Date("2024-05-01T08:00:00Z") });
    const d = decodePdu(hex);
    expect(d.ok && d.value.type === "deliver" && partFromDeliver(d.value)).toBeNull();
  });
});
