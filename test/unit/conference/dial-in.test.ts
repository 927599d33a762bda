import { describe, expect, it } from "vitest";
import { classifyCloseReason } from "../../../src/conference/call-outcome.js";
import { ConferenceRegistry, dialInNumber } from "../../../src/conference/conference-registry.js";
import { isDialString, parseDialString } from "../../../src/conference/dial-string.js";
import { floorEventOf } from "../../../adapters/rakel-pei/rakel-pei-adapter.js";

describe("dial strings (PINs)", () => {
  it("keys and pauses as written", () => {
    expect(parseDialString("47 1,1#*")).toEqual([
      { kind: "key", key: "4" },
      { kind: "key", key: "7" },
      { kind: "key", key: "1" },
      { kind: "pause" },
      { kind: "key", key: "1" },
      { kind: "key", key: "#" },
      { kind: "key", key: "*" },
    ]);
  });
  it.each(["12x", "1;2", "1\r2", "12\u001a"])("refuses %j without echoing it", (s) => {
    try {
      parseDialString(s);
      expect.unreachable();
    } catch (err) {
      expect((err as { code: string }).code).toBe("SIP_BAD_DIAL_STRING");
      expect((err as Error).message).not.toContain(s);
    }
    expect(isDialString(s)).toBe(false);
  });
});

describe("close reasons", () => {
  it.each([
    ["486 Busy Here", "busy"],
    ["600 Busy Everywhere", "busy"],
    ["480 Temporarily Unavailable", "busy"],
    ["408 Request Timeout", "no-answer"],
    ["404 Not Found", "rejected"],
    ["603 Decline", "rejected"],
    ["503 Service Unavailable", "busy"],
    ["Connection refused", "unreachable"],
    ["no answer within 30 s", "no-answer"],
  ])("%s → %s", (reason, want) => expect(classifyCloseReason(reason)).toBe(want));
});

describe("dial-in text for alerts of kind conference", () => {
  const reg = new ConferenceRegistry(
    [
      { id: "rsk", name: "Regional samverkanskonferens", uri: "sip:+46812345670@bridge.example", pin: "4711#", pinDelayMs: 2500 },
      { id: "lsk", name: "Länsstyrelsen", uri: "sip:lsk@bridge.example", dialIn: "08-700 00 00", pin: { env: "LSK_PIN" }, pinDelayMs: 2500 },
    ],
    { LSK_PIN: "12,34#" },
  );
  it("names the bridge number and the PIN (Swedish by default)", () => {
    expect(reg.dialInText("rsk")).toBe("Regional samverkanskonferens: ring +46812345670, kod 4711#");
    expect(reg.dialInText("lsk")).toBe("Länsstyrelsen: ring 08-700 00 00, kod 12,34#");
  });
  it("takes a template", () => {
    expect(reg.dialInText("rsk", "Call {number} PIN {pin}")).toBe("Call +46812345670 PIN 4711#");
  });
  it("unknown id: SIP_UNKNOWN_CONFERENCE", () => {
    expect(() => reg.dialInText("x")).toThrow(expect.objectContaining({ code: "SIP_UNKNOWN_CONFERENCE" }));
  });
  it("number from the URI's user part", () => {
    expect(dialInNumber({ uri: "sips:konf@host" })).toBe("konf");
  });
});

describe("floor events from call URCs (docs/pei.md §8.2)", () => {
  it.each([
    ["CTXG", ["1", "0", "0", "0"], { kind: "granted", cc: 1 }],
    ["CTXG", ["1", "0", "0", "0", "1", "2005555"], { kind: "other-talking", cc: 1, talker: "2005555" }],
    ["CTXG", ["1", "0", "0", "0", "1", "2001234"], { kind: "granted", cc: 1 }],
    ["CTXG", ["1", "3", "0", "0"], { kind: "other-talking", cc: 1 }],
    ["CTXG", ["1", "1", "0", "0"], { kind: "not-granted", cc: 1, queued: false }],
    ["CTXG", ["1", "2", "0", "0"], { kind: "not-granted", cc: 1, queued: true }],
    ["CDTXC", ["1", "0"], { kind: "ceased", cc: 1 }],
    ["CTXI", ["1"], { kind: "interrupted", cc: 1 }],
    ["CTCR", ["1", "14"], { kind: "released", cc: 1, cause: 14 }],
    ["CTICN", ["1", "0"], { kind: "call-started", cc: 1 }],
  ] as const)("%s %j", (urc, fields, want) => {
    expect(floorEventOf(urc, 1, fields, "2001234")).toEqual(want);
  });
});
