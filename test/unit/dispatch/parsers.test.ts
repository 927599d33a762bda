import { describe, expect, it } from "vitest";
import { activationKey, parseActivation } from "../../../src/dispatch/activation-parser.js";
import { parseAnswer } from "../../../src/dispatch/answer-parser.js";
import { pickCode } from "../../../src/dispatch/alert-code.js";

describe("answer parser", () => {
  it.each([
    ["OK 4711", "coming"],
    ["ok 4711", "coming"],
    ["Ja 4711", "coming"],
    ["KOMMER 4711", "coming"],
    ["4711", "coming"],
    [" 4711. ", "coming"],
    ["ok4711", "coming"],
    ["NEJ 4711", "not-coming"],
    ["nej, 4711", "not-coming"],
    ["KOMMER EJ 4711", "not-coming"],
    ["kommer ej-4711", "not-coming"],
    ["kommer inte 4711", "not-coming"],
    ["SEN 4711", "delayed"],
    ["försenad 4711", "delayed"],
    ["FÖRSENAD 4711", "delayed"],
    ["4711 nej", "not-coming"],
  ])("%j → %s", (text, answer) => {
    expect(parseAnswer(text)).toEqual({ answer, code: "4711" });
  });

  it.each(["", "OK", "hej 4711", "OK 471", "OK 47111", "OK 4711 4712", "LARM tib x", "kanske 4711", "OK 4711\r\nAT+CMGS"])("%j is not an answer", (text) => {
    expect(parseAnswer(text)).toBeUndefined();
  });
});

describe("activation parser", () => {
  it.each([
    ["LARM tib Samverkan 14:30", { ok: true, kind: "activation", roles: ["tib"], text: "Samverkan 14:30" }],
    ["larm TIB,kib  Brand i hamnen", { ok: true, kind: "activation", roles: ["tib", "kib"], text: "Brand i hamnen" }],
    ["LARM alla Övning", { ok: true, kind: "activation", roles: "all", text: "Övning" }],
    ["ÖVNING tib Test av larm", { ok: true, kind: "test", roles: ["tib"], text: "Test av larm" }],
    ["övning ALLA test", { ok: true, kind: "test", roles: "all", text: "test" }],
    ["LARM tib", { ok: false, reason: "text missing" }],
    ["LARM", { ok: false, reason: expect.stringMatching(/roles missing/) as unknown }],
  ])("%j", (text, want) => {
    expect(parseActivation(text)).toEqual(want);
  });

  it("other texts are not activations", () => {
    expect(parseActivation("OK 4711")).toBeUndefined();
    expect(parseActivation("LARMA tib x")).toBeUndefined();
  });

  it("the de-duplication key ignores case, order and spacing", () => {
    expect(activationKey("activation", ["role:TIB", "role:kib"], "Brand  i hamnen")).toBe(activationKey("activation", ["role:kib", "role:tib"], "brand i hamnen"));
    expect(activationKey("test", ["role:tib"], "x")).not.toBe(activationKey("activation", ["role:tib"], "x"));
  });
});

describe("alert codes", () => {
  it("are 4 digits without a leading zero, unique among active alerts, avoiding recent ones", () => {
    const seq = [0.1, 0.1, 0.2];
    let i = 0;
    const random = (): number => seq[i++ % seq.length] ?? 0;
    expect(pickCode(new Set(), new Set(), random)).toBe("1900");
    expect(pickCode(new Set(["1900"]), new Set(), () => 0.1)).toMatch(/^[1-9][0-9]{3}$/);
    expect(pickCode(new Set(["1900"]), new Set(["2800"]), (() => { const s = [0.1, 0.2, 0.3]; let j = 0; return () => s[j++] ?? 0; })())).toBe("3700");
  });
});
