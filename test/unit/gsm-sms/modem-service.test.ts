import { describe, expect, it } from "vitest";
import { composeHealth, serviceOf } from "../../../adapters/gsm-sms/modem-service.js";
import type { ModemState } from "../../../src/ports/sms-modem.js";

const reg = (stat: number, registered: boolean) => ({ stat, registered, text: "x" });
const state = (over: Partial<ModemState>): ModemState => ({ identity: {}, sim: { status: "ready" }, registration: {}, service: "ready", ...over });
const up = { state: "ready" as const, since: new Date(), detail: "initialised" };

describe("modem service and health: alive is not able to send", () => {
  it.each<[string, Partial<ModemState>, string]>([
    ["registered on EPS only (LTE modem, no CS)", { registration: { cs: reg(0, false), eps: reg(1, true) } }, "ready"],
    ["registered on CS only", { registration: { cs: reg(5, true) } }, "ready"],
    ["registered nowhere", { registration: { cs: reg(2, false), eps: reg(0, false) } }, "not-registered"],
    ["registration unknown", {}, "ready"],
  ])("%s → %s", (_n, over, service) => {
    expect(serviceOf(state(over), "ready")).toBe(service);
  });

  it("keeps SIM and link verdicts", () => {
    expect(serviceOf(state({ registration: { cs: reg(1, true) } }), "sim-blocked")).toBe("sim-blocked");
    expect(serviceOf(state({}), "offline")).toBe("offline");
  });

  it("composes the published health", () => {
    expect(composeHealth(up, state({ operator: { name: "Telia" } }), undefined)).toEqual({ state: "ready", detail: "registered on Telia" });
    expect(composeHealth(up, state({ service: "not-registered", registration: { eps: reg(2, false) } }), undefined).state).toBe("degraded");
    expect(composeHealth(up, state({ service: "sim-blocked" }), "PIN rejected")).toEqual({ state: "degraded", detail: "SIM: PIN rejected" });
    expect(composeHealth({ ...up, state: "unresponsive", detail: "3 probes" }, state({}), undefined)).toEqual({ state: "unresponsive", detail: "3 probes" });
  });
});
