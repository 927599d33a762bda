import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../../../src/app/gateway-config.js";

function check(extra: Record<string, unknown>, allowSim = false): string[] {
  const dir = mkdtempSync(join(tmpdir(), "conf-cfg-"));
  const path = join(dir, "c.json");
  writeFileSync(path, JSON.stringify({ site: "s1", mqtt: {}, terminals: [{ id: "t1", port: "/dev/serial/by-id/x" }], ...extra }));
  try {
    const { warnings } = loadGatewayConfig(path, allowSim);
    return warnings;
  } catch (err) {
    return (err as { context: { problems: string[] } }).context.problems;
  }
}

const conf = { id: "rsk", name: "RSK", uri: "sip:k@bridge", pin: "4711#", pinDelayMs: 2500, talkgroup: "9001" };

describe("config check of sip and conferences", () => {
  it("the issue's example is valid", () => {
    expect(check({ sip: { agent: "baresip", listen: "127.0.0.1:5060", audio: { source: "alsa,default", player: "alsa,default" } }, conferences: [conf] })).toEqual([]);
  });
  it.each([
    [{ conferences: [conf] }, "/sip: conferences are configured but no SIP agent"],
    [{ sip: {}, conferences: [conf, conf] }, '/conferences/1/id: "rsk" is also used'],
    [{ sip: { agent: "sim" }, conferences: [conf] }, "/sip/agent: sim is a simulator"],
    [{ sip: { patch: { terminal: "nope" } }, conferences: [conf] }, '/sip/patch/terminal: no terminal "nope"'],
    [{ sip: { audio: { source: "alsa,null" } }, conferences: [conf] }, "/sip/audio/source: alsa,null has no clock"],
    [{ sip: {}, conferences: [{ ...conf, pin: "47x1" }] }, "/conferences/0/pin"],
    [{ sip: {}, conferences: [{ ...conf, uri: "tel:123" }] }, "/conferences/0/uri"],
    [{ sip: { audio: { source: "ausine,440" } } }, "/sip/audio/source"],
    [{ sip: {}, conferences: [{ ...conf, extra: 1 }] }, "/conferences/0"],
  ])("%j → %s", (cfg, want) => {
    expect(check(cfg).join("\n")).toContain(want);
  });
});
