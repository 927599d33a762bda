import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

async function workload(r: RadioRig): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const s = await r.radio.sendSds(PEER, { type: "text", text: `Eko ${i}`, report: "received" });
    await r.waitStage(s.id, "delivered");
  }
  await r.radio.refreshState();
  r.sim.injectText("2005556", "Inkommande under eko");
  await r.waitSds((s) => s.payload["text"] === "Inkommande under eko");
}

describe("A terminal that keeps echoing although ATE0 was answered OK", () => {
  it("works from power-up and initialises only once", async () => {
    rig = await radioRig({ sim: { faults: { echo: true } } });
    await workload(rig);
    expect(rig.sim.sent.map((s) => s.text)).toEqual(["Eko 0", "Eko 1", "Eko 2", "Eko 3"]);
    expect(rig.count(/^ATE0$/)).toBe(1);
    expect(rig.radio.state.identity.issi).toBe("2001234");
  });

  it("works when echo starts later, and re-initialises once rather than after every command", async () => {
    rig = await radioRig();
    const from = rig.commands.length;
    rig.sim.setFaults({ echo: true });
    await workload(rig);
    const r = rig;
    // Heartbeats keep going for a while: the count must not grow with them.
    const beats = r.count(/^AT$/, from);
    await until(() => r.count(/^AT$/, from) >= beats + 4, 3000, "four more heartbeats");
    expect(r.count(/^ATE0$/, from)).toBeLessThanOrEqual(2);
    expect(r.radio.health.state).toBe("ready");
    expect(r.sim.sent).toHaveLength(4);
  });
});
