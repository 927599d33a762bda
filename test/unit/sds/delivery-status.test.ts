import { describe, expect, it } from "vitest";
import {
  deliveryStatusClass,
  deliveryStatusName,
  isDeliveryFailure,
  isDeliverySuccess,
  isDeliveryTemporary,
} from "../../../adapters/rakel-pei/sds/index.js";

/** Prefix each row with the status in hex so titles read like the spec tables. */
const hex = <T extends [number, ...unknown[]]>(rows: T[]): [string, ...T][] =>
  rows.map((r) => [r[0] >= 0 && r[0] <= 0xff ? `0x${r[0].toString(16).toUpperCase().padStart(2, "0")}` : String(r[0]), ...r]);

describe("delivery status classes follow the top three bits", () => {
  it.each(hex<[number, string]>([
    [0x00, "success"],
    [0x05, "success"],
    [0x06, "success"],
    [0x1f, "success"],
    [0x20, "temporary"],
    [0x22, "temporary"],
    [0x40, "failure"],
    [0x47, "failure"],
    [0x5f, "failure"],
    [0x60, "flow-control"],
    [0x63, "flow-control"],
    [0x80, "end-to-end"],
    [0x81, "end-to-end"],
    [0xa0, "reserved"],
    [0xff, "reserved"],
    [256, "reserved"],
    [-1, "reserved"],
  ]))("%s (%i) is %s", (_h, status, cls) => {
    expect(deliveryStatusClass(status)).toBe(cls);
  });

  it("flow control is 0x60–0x7F, not ftl-pei's 0x06 comparison", () => {
    expect(deliveryStatusClass(0x06)).toBe("success");
    expect(deliveryStatusClass(0x61)).toBe("flow-control");
  });
});

describe("predicates", () => {
  it.each(hex<[number, boolean, boolean, boolean]>([
    [0x00, true, false, false],
    [0x02, true, false, false],
    [0x21, false, true, false],
    [0x4a, false, false, true],
    [0x5d, false, false, true],
    [0x60, false, false, false],
  ]))("status %s (%i): success %s, temporary %s, failure %s", (_h, status, success, temporary, failure) => {
    expect([isDeliverySuccess(status), isDeliveryTemporary(status), isDeliveryFailure(status)]).toEqual([success, temporary, failure]);
  });
});

describe("names", () => {
  it.each(hex<[number, string]>([
    [0x00, "receipt acknowledged by destination"],
    [0x02, "consumed by destination"],
    [0x05, "sent to group, acknowledgements prevented"],
    [0x06, "concatenation part received by destination"],
    [0x47, "group address with individual service"],
    [0x4b, "destination not registered"],
    [0x5d, "not all concatenation parts received"],
    [0x60, "destination memory full"],
    [0x81, "start sending"],
  ]))("%s (%i) reads '%s'", (_h, status, name) => {
    expect(deliveryStatusName(status)).toBe(name);
  });

  it("names unlisted values by class and hex", () => {
    expect(deliveryStatusName(0x55)).toBe("failure 0x55 (reserved)");
    expect(deliveryStatusName(0xc0)).toBe("reserved 0xC0 (reserved)");
  });
});
