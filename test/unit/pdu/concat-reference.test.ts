import { describe, expect, it } from "vitest";
import { ConcatReferenceCounter, encodeSubmit } from "../../../adapters/gsm-sms/pdu/index.js";
import { asSubmit, decodeOk, expectGatewayError } from "./pdu-test-helpers.js";

describe("per-recipient concatenation references", () => {
  it("rolls per recipient and wraps at 256", () => {
    const c = new ConcatReferenceCounter({ initial: () => 254 });
    expect([c.next("+46701234567"), c.next("+46701234567"), c.next("+46701234567")]).toEqual([254, 255, 0]);
    expect(c.next("0701234567")).toBe(254);
  });

  it("wraps at 65536 with 16-bit references", () => {
    const c = new ConcatReferenceCounter({ bits: 16, initial: () => 65535 });
    expect([c.next("112"), c.next("112")]).toEqual([65535, 0]);
  });

  it("brings an out-of-range initial value into range", () => {
    expect(new ConcatReferenceCounter({ initial: () => 513 }).next("112")).toBe(1);
    expect(new ConcatReferenceCounter({ initial: () => -1 }).next("112")).toBe(255);
  });

  it("starts at a random reference by default, within range", () => {
    for (let i = 0; i < 50; i++) {
      const ref = new ConcatReferenceCounter().next("+46701234567");
      expect(Number.isInteger(ref) && ref >= 0 && ref <= 255).toBe(true);
    }
  });

  it("forgets the least recently used recipient beyond its bound", () => {
    const c = new ConcatReferenceCounter({ initial: () => 10, maxRecipients: 2 });
    c.next("111");
    c.next("222");
    c.next("111");
    c.next("333");
    expect(c.size).toBe(2);
    expect(c.next("111")).toBe(12);
    expect(c.next("222")).toBe(10);
  });

  it("rejects an invalid recipient", () => {
    expectGatewayError(() => new ConcatReferenceCounter().next("070\r"), "SMS_INVALID", /invalid recipient/);
  });

  it("gives two long messages to the same phone different references", () => {
    const c = new ConcatReferenceCounter({ initial: () => 0 });
    const to = "+46701234567";
    const refs = [1, 2].map(() => {
      const r = encodeSubmit({ to, text: "x".repeat(200), reference: c.next(to) });
      return asSubmit(decodeOk(r.pdus[0]!.hex)).concat?.reference;
    });
    expect(refs).toEqual([0, 1]);
  });
});
