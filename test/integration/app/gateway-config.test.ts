import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../../src/app/gateway-config.js";

const dir = mkdtempSync(join(tmpdir(), "rakelgw-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWithBase(baseTopic: string): string {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ site: "s1", mqtt: { baseTopic }, terminals: [], modems: [] }));
  return path;
}

describe("config check of the MQTT base topic (found by `npm run proof -- hostile`)", () => {
  it.each(["rakelgw/#", "rakelgw/+/x", "$SYS/x", "/rakelgw"])("refuses %j with CFG_INVALID naming /mqtt/baseTopic", (base) => {
    let problems: string[] = [];
    try {
      loadGatewayConfig(configWithBase(base));
    } catch (err) {
      expect(err).toMatchObject({ code: "CFG_INVALID" });
      problems = (err as { context: { problems: string[] } }).context.problems;
    }
    expect(problems.some((p) => p.startsWith("/mqtt/baseTopic:"))).toBe(true);
  });

  it("accepts a plain base topic", () => {
    expect(loadGatewayConfig(configWithBase("rakelgw/site1")).config.mqtt.baseTopic).toBe("rakelgw/site1");
  });
});
