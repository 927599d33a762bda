import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GatewayConfigSchema } from "../../../src/app/gateway-config.js";
import { validateAgainst } from "../../../src/config/validate.js";

// The shipped demo site, read once at import (the schema check itself is pure).
const site = JSON.parse(readFileSync(new URL("../../../firmware-config/sites/simulated.json", import.meta.url), "utf8")) as { terminals: Record<string, unknown>[] };

describe("site config: does DMO count as ready for dispatch (issue 14 item 5)", () => {
  it("defaults to false and accepts true per terminal", () => {
    expect(validateAgainst(GatewayConfigSchema, site, "site").terminals[0]?.dmoReadyForDispatch).toBe(false);
    const dmoOk = structuredClone(site);
    dmoOk.terminals[0]!["dmoReadyForDispatch"] = true;
    expect(validateAgainst(GatewayConfigSchema, dmoOk, "site").terminals[0]?.dmoReadyForDispatch).toBe(true);
  });

  it("refuses anything but a boolean", () => {
    const bad = structuredClone(site);
    bad.terminals[0]!["dmoReadyForDispatch"] = "yes";
    expect(() => validateAgainst(GatewayConfigSchema, bad, "site")).toThrow(expect.objectContaining({ code: "CFG_INVALID" }) as Error);
  });
});
