import { Value } from "@sinclair/typebox/value";
import { describe, expect, it } from "vitest";
import { TemplatesSchema, type Templates } from "../../../src/dispatch/dispatch-config.js";
import { rosterProblems, validateRoster, type Roster } from "../../../src/dispatch/roster.js";
import { renderAlertText, renderReceipt, sanitise } from "../../../src/dispatch/templates.js";
import { sdsParts, smsParts } from "../../../src/dispatch/text-parts.js";
import { isGatewayError } from "../../../src/shared/errors.js";

const T = Value.Default(TemplatesSchema, {}) as Templates;
const o = { templates: T, sdsMaxBits: 668 };

describe("templates", () => {
  it("renders the Swedish default with the long hint when it fits one part", () => {
    expect(renderAlertText("activation", "4711", "Konferens 14:30", "sds", o)).toEqual({ text: "LARM SSR 4711: Konferens 14:30 Svara OK 4711 / NEJ 4711 / SEN 4711", parts: 1 });
  });

  it("falls back to the short hint to stay in one SDS part", () => {
    const r = renderAlertText("activation", "4711", "Samverkanskonferens 14:30, ring 08-123 45 67.", "sds", o);
    expect(r).toEqual({ text: "LARM SSR 4711: Samverkanskonferens 14:30, ring 08-123 45 67. Svara OK/NEJ/SEN 4711", parts: 2 });
    const sms = renderAlertText("activation", "4711", "Samverkanskonferens 14:30, ring 08-123 45 67.", "sms", o);
    expect(sms).toEqual({ text: "LARM SSR 4711: Samverkanskonferens 14:30, ring 08-123 45 67. Svara OK 4711 / NEJ 4711 / SEN 4711", parts: 1 });
  });

  it("never cuts a long text: it goes out in several parts", () => {
    const long = "x".repeat(300);
    const r = renderAlertText("activation", "4711", long, "sms", o);
    expect(r.text).toContain(long);
    expect(r.parts).toBe(3);
  });

  it("test alerts start with ÖVNING; info alerts ask for no answer", () => {
    expect(renderAlertText("test", "1234", "prov", "sds", o).text).toBe("ÖVNING SSR 1234: prov Svara OK 1234 / NEJ 1234 / SEN 1234");
    expect(renderAlertText("info", "1234", "Lägesbild publicerad", "sms", o).text).toBe("INFO SSR 1234: Lägesbild publicerad");
  });

  it("control characters (CR, Ctrl-Z, ESC) never reach the text", () => {
    expect(sanitise("a\r\nAT+CMGS\u001a\u001bb")).toBe("a AT+CMGS b");
  });

  it("receipts", () => {
    expect(renderReceipt("4711", { coming: 2, notComing: 1, delayed: 0, pending: 0, unreached: 1 }, T)).toBe("KVITTO 4711: 2 kommer, 1 kommer ej, 1 ej nådd");
    expect(renderReceipt("4711", { coming: 2, notComing: 0, delayed: 1, pending: 0, unreached: 0 }, T)).toBe("KVITTO 4711: 2 kommer, 1 försenade, 0 kommer ej, 0 ej nådd");
  });

  it("part counts follow GSM-7 / UCS-2 and Latin-1 / UCS-2", () => {
    expect(smsParts("å".repeat(160))).toBe(1);
    expect(smsParts("å".repeat(161))).toBe(2);
    expect(smsParts("€".repeat(80))).toBe(1);
    expect(smsParts("€".repeat(81))).toBe(2);
    expect(smsParts("ł".repeat(70))).toBe(1);
    expect(smsParts("ł".repeat(71))).toBe(2);
    expect(sdsParts("a".repeat(79), 668)).toBe(1);
    expect(sdsParts("a".repeat(80), 668)).toBe(2);
    expect(sdsParts("€".repeat(39), 668)).toBe(1);
  });
});

describe("roster validation", () => {
  const good: Roster = {
    people: [{ id: "anna", name: "Anna", channels: [{ sds: "2001001" }, { sms: "+46701000001" }, { mqtt: "devices/pager-1" }] }],
    roles: [{ id: "tib", name: "TiB", people: ["anna"], fallback: { gssi: "9001" } }],
  };

  it("accepts a good roster", () => {
    expect(validateRoster(good, "r").people).toHaveLength(1);
  });

  it("reports every problem as path: reason", () => {
    const bad = {
      people: [
        { id: "anna", name: "Anna", channels: [{ sds: "123456789" }] },
        { id: "anna", name: "Anna 2", channels: [{ sms: "0701234567" }] },
      ],
      roles: [{ id: "tib", name: "TiB", people: ["anna", "zed"], extra: 1 }],
    };
    let err: unknown;
    try {
      validateRoster(bad, "roster.json");
    } catch (e) {
      err = e;
    }
    expect(isGatewayError(err, "CFG_INVALID")).toBe(true);
    const problems = (err as { context: { problems: string[] } }).context.problems.join("\n");
    expect(problems).toMatch(/\/people\/0\/channels\/0\/sds: /);
    expect(problems).toMatch(/\/people\/1\/channels\/0\/sms: /);
    expect(problems).toMatch(/\/roles\/0\/extra: Unexpected property/);
  });

  it("cross-references: duplicate ids, unknown people, 24-bit range, reserved role name", () => {
    const r: Roster = {
      people: [
        { id: "anna", name: "A", channels: [{ sds: "99999999" }] },
        { id: "anna", name: "B", channels: [{ sds: "1" }] },
      ],
      roles: [
        { id: "tib", name: "T", people: ["anna", "zed", "anna"] },
        { id: "alla", name: "X", people: ["anna"] },
      ],
    };
    expect(rosterProblems(r)).toEqual([
      "/people/0/channels/0/sds: 99999999 is above the 24-bit SSI range (16777215)",
      '/people/1/id: duplicate id "anna" (also /people/0)',
      '/roles/0/people/1: unknown person "zed"',
      '/roles/0/people/2: "anna" is listed twice',
      '/roles/1/id: "alla" is reserved (it means every role in an activation)',
    ]);
  });
});
