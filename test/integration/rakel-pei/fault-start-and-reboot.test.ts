import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

describe("Terminal start-up garbage and reboots", () => {
  it.each([1, 2, 3, 5])("initialises although the first %i commands answer +CME ERROR: 35", async (n) => {
    rig = await radioRig({ sim: { faults: { syntaxErrorsAtStart: n } }, start: false });
    await rig.radio.start();
    await rig.radio.waitReady(5000);
    expect(rig.sim.state.syntaxErrorsLeft).toBe(0);
    expect(rig.sim.state.routing.list().length).toBeGreaterThanOrEqual(5);
    expect(rig.radio.state.identity.issi).toBe("2001234");
    const s = await rig.radio.sendSds(PEER, { type: "text", text: "Efter start", report: "received" });
    await rig.waitStage(s.id, "delivered");
  });

  it("leaves ready during a reboot, initialises again, and receives a text sent after the reboot", async () => {
    rig = await radioRig();
    const r = rig;
    const routes = r.sim.state.routing.list();
    const healthFrom = r.health.length;
    const ate0Before = r.count(/^ATE0$/);
    const t0 = Date.now();
    const rebooted = r.sim.reboot(600);
    expect(r.sim.state.routing.list()).toEqual(routes); // still the old state object while off
    await rebooted;
    // The reboot wiped the routing; the adapter notices (silence, then echo) and registers again.
    await until(() => r.health.slice(healthFrom).some((h) => h.state !== "ready"), 3000, "health to leave ready");
    await until(() => r.health.slice(healthFrom).some((h) => h.state !== "ready") && r.radio.health.state === "ready", 5000, "ready again");
    console.log(`reboot of 600 ms: ready again ${Date.now() - t0} ms after it began; health ${r.health.slice(healthFrom).map((h) => h.state).join(" → ")}`);
    expect(r.count(/^ATE0$/)).toBe(ate0Before + 1);
    expect(r.sim.state.echo).toBe(false);
    expect(r.sim.state.routing.list()).toEqual(routes);
    await until(() => r.sim.state.regStat === 1, 2000, "the terminal to register again");
    r.sim.injectText("2005556", "Efter omstarten");
    await r.waitSds((s) => s.payload["text"] === "Efter omstarten");
    r.sim.injectStatus("2005556", 0x8009);
    await r.waitSds((s) => s.payload["value"] === 0x8009);
  });

  it("re-registers every AT+CTSP route right after ATE0 on a reboot, before any other init or query (docs/pei.md §10.21)", async () => {
    rig = await radioRig();
    const r = rig;
    const from = r.commands.length;
    const routes = r.sim.state.routing.list().length;
    const seenAt: { line: string; at: number }[] = [];
    const off = r.sim.on("command", (line: string) => seenAt.push({ line, at: performance.now() }));
    await r.sim.reboot(100);
    const upAt = performance.now();
    await until(() => r.count(/^ATE0$/, from) === 1 && r.radio.health.state === "ready", 5000, "re-initialised");
    off();
    // A figure, not an assertion: how long after the terminal was back its SDS routing was renewed.
    const lastCtsp = seenAt.filter((x) => /^AT\+CTSP=/i.test(x.line)).at(-1)?.at ?? upAt;
    const ate0 = seenAt.find((x) => x.line === "ATE0")?.at ?? upAt;
    console.log(`reboot of 100 ms: restart noticed ${Math.round(ate0 - upAt)} ms after boot, routing renewed ${Math.round(lastCtsp - ate0)} ms after ATE0`);
    const after = r.commands.slice(r.commands.indexOf("ATE0", from) + 1);
    const ctsp = after.filter((c) => /^AT\+CTSP=/i.test(c)).length;
    expect(ctsp).toBeGreaterThanOrEqual(5);
    // While the routes are missing, incoming SDS go to the radio's display: nothing else may run first.
    expect(after.slice(0, ctsp).every((c) => /^AT\+CTSP=/i.test(c)), after.join(" ")).toBe(true);
    expect(r.sim.state.routing.list().length).toBe(routes);
  });

  it("notices a reboot shorter than a heartbeat by the echo that comes back", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const ate0Before = r.count(/^ATE0$/);
    await r.sim.reboot(20);
    await until(() => r.sim.state.regStat === 1, 2000, "registered");
    // No heartbeat: the next command is the first thing the terminal hears, and it is echoed.
    const s = await r.radio.sendSds(PEER, { type: "text", text: "Efter kort omstart", report: "received" });
    await r.waitStage(s.id, "delivered");
    await until(() => r.sim.state.routing.list().length >= 5, 3000, "routing registered again");
    r.sim.injectText("2005556", "Kom fram");
    await r.waitSds((x) => x.payload["text"] === "Kom fram");
    expect(r.count(/^ATE0$/)).toBe(ate0Before + 1); // re-initialised once, because of the echo
  });

  it("carries a send started during a reboot over to the terminal once it is back", async () => {
    rig = await radioRig();
    const r = rig;
    const rebooted = r.sim.reboot(400);
    // AT+CTSDS goes to a terminal that is off and times out; its retry (idempotent) is answered with an echo
    // by the restarted terminal, which makes the adapter initialise again before AT+CMGS goes out.
    const s = await r.radio.sendSds(PEER, { type: "text", text: "Under omstart", report: "received" });
    await rebooted;
    await r.waitStage(s.id, "delivered", 5000);
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Under omstart"]);
    expect(r.sim.state.routing.list().length).toBeGreaterThanOrEqual(5);
    await r.waitHealth("ready", 5000);
  });
});
