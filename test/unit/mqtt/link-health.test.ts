import { describe, expect, it } from "vitest";
import { IpHealthMonitor, decideIpState } from "../../../src/link-health/ip-health.js";
import { Hysteresis } from "../../../src/link-health/hysteresis.js";
import { LinkHealthRegistry } from "../../../src/link-health/link-registry.js";
import type { LinkHealthJson } from "../../../src/link-health/link-state.js";
import type { ProbeResult, ProbeSpec } from "../../../src/ports/reachability-probe.js";
import { tcpProbe } from "../../../adapters/net-probes/tcp-http-probes.js";
import { silentLogger } from "../../../src/shared/logger.js";

describe("Hysteresis", () => {
  it.each([
    { title: "one failure does not flap", samples: [false, true, false, true], downAfter: 3, upAfter: 2, want: [true, true, true, true] },
    { title: "down after three failures in a row", samples: [false, false, false], downAfter: 3, upAfter: 2, want: [true, true, false] },
    { title: "up after two successes in a row", samples: [false, false, false, true, false, true, true], downAfter: 3, upAfter: 2, want: [true, true, false, false, false, false, true] },
    { title: "downAfter 1 reacts at once", samples: [false, true], downAfter: 1, upAfter: 1, want: [false, true] },
  ])("$title", ({ samples, downAfter, upAfter, want }) => {
    const h = new Hysteresis({ downAfter, upAfter });
    expect(samples.map((s) => h.record(s).up)).toEqual(want);
  });
});

describe("decideIpState", () => {
  const up = (name: string) => ({ name, up: true });
  const down = (name: string) => ({ name, up: false, detail: "ECONNREFUSED" });
  it.each([
    { probes: [up("a"), up("b")], uplink: undefined, want: "ready" },
    { probes: [up("a"), down("b")], uplink: "ready", want: "degraded" },
    { probes: [down("a"), down("b")], uplink: "ready", want: "degraded" },
    { probes: [down("a"), down("b")], uplink: "unresponsive", want: "disconnected" },
    { probes: [], uplink: "ready", want: "ready" },
    { probes: [], uplink: "unresponsive", want: "unresponsive" },
    { probes: [], uplink: undefined, want: "ready" },
  ] as const)("probes $probes, uplink $uplink → $want", ({ probes, uplink, want }) => {
    expect(decideIpState([...probes], uplink)[0]).toBe(want);
  });
});

describe("LinkHealthRegistry", () => {
  it("publishes only changes, keeps `since` while the state holds, and replays to late publishers", () => {
    let t = 0;
    const reg = new LinkHealthRegistry({ log: silentLogger(), wallNow: () => new Date(Date.UTC(2026, 0, 1, 0, 0, t)) });
    const seen: [string, LinkHealthJson][] = [];
    reg.addPublisher((l, h) => seen.push([l, h]));
    expect(reg.set("radio-1", "ready", "ok")).toBe(true);
    t = 5;
    expect(reg.set("radio-1", "ready", "ok")).toBe(false);
    expect(reg.set("radio-1", "ready", "ok, 2 retries")).toBe(true);
    t = 9;
    reg.set("radio-1", "unresponsive", "no answer");
    expect(seen.map(([, h]) => [h.state, h.since.slice(17, 19)])).toEqual([
      ["ready", "00"],
      ["ready", "00"],
      ["unresponsive", "09"],
    ]);
    const late: string[] = [];
    reg.addPublisher((l, h) => late.push(`${l}=${h.state}`));
    expect(late).toEqual(["radio-1=unresponsive"]);
    expect(reg.snapshot()["radio-1"]?.detail).toBe("no answer");
  });
});

describe("IpHealthMonitor", () => {
  it("goes down after N failed rounds, up after M good ones, and follows the uplink", async () => {
    const reg = new LinkHealthRegistry({ log: silentLogger() });
    let ok = true;
    const probe = (_s: ProbeSpec): Promise<ProbeResult> => Promise.resolve({ ok, detail: ok ? "connected" : "ETIMEDOUT" });
    const m = new IpHealthMonitor({ probes: [{ kind: "tcp", name: "router", host: "127.0.0.1", port: 1 }], downAfter: 2, upAfter: 2 }, { registry: reg, log: silentLogger(), probe });
    reg.set("upstream", "unresponsive", "x");
    await m.tick();
    expect(reg.get("ip")?.state).toBe("ready");
    ok = false;
    await m.tick();
    expect(reg.get("ip")?.state).toBe("ready");
    await m.tick();
    expect(reg.get("ip")).toMatchObject({ state: "disconnected", detail: "no probe answers: router (ETIMEDOUT)" });
    ok = true;
    await m.tick();
    expect(reg.get("ip")?.state).toBe("disconnected");
    await m.tick();
    expect(reg.get("ip")?.state).toBe("ready");
  });
});

describe("tcpProbe", () => {
  it("fails fast on a refused loopback port", async () => {
    const r = await tcpProbe("127.0.0.1", 1, 1000);
    expect(r).toEqual({ ok: false, detail: "ECONNREFUSED" });
  });
});
