import { afterEach, describe, expect, it } from "vitest";
import type { SimFaults } from "../../../adapters/rakel-pei/sim/index.js";
import { type RadioRig, radioRig } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

/** Init read everything, a send with a report completes, a text and a status arrive. */
async function roundTrip(r: RadioRig): Promise<void> {
  expect(r.radio.state.identity).toMatchObject({ issi: "2001234", manufacturer: "SIMULATED", model: "SIM-TETRA-1", firmware: "1.0.0" });
  expect(r.radio.state.maxSdsBits).toBe(1184);
  const s = await r.radio.sendSds(PEER, { type: "text", text: "Rad för rad", report: "both" });
  await r.waitStage(s.id, "consumed");
  expect(r.sim.sent.at(-1)?.text).toBe("Rad för rad");
  r.sim.injectText("2005556", "Svar: uppfattat, åker");
  r.sim.injectStatus("2005556", 0x8004);
  await r.waitSds((x) => x.payload["text"] === "Svar: uppfattat, åker");
  await r.waitSds((x) => x.payload["value"] === 0x8004);
}

describe("Framing faults of the terminal's output", () => {
  it.each<[string, Partial<SimFaults>]>([
    ["CR-only line endings", { lineEnding: "cr" }],
    ["LF-only line endings", { lineEnding: "lf" }],
    ["every byte written on its own", { byteByByte: true }],
    ["line noise before every answer", { garbageBeforeAnswer: 1000 }],
  ])("initialises, sends and receives with %s from power-up", async (_name, faults) => {
    rig = await radioRig({ sim: { faults } });
    await roundTrip(rig);
  });

  it("reads identity correctly when line noise precedes the answers", async () => {
    rig = await radioRig();
    rig.sim.setFaults({ garbageBeforeAnswer: 40 });
    const state = await rig.radio.refreshState();
    expect(state.identity).toMatchObject({ itsi: "02400500102001234", issi: "2001234", manufacturer: "SIMULATED", model: "SIM-TETRA-1", firmware: "1.0.0" });
    expect(state.registration).toEqual({ stat: 1, registered: true });
    expect(state.selectedGroup).toBe("9001");
    expect(state.maxSdsBits).toBe(1184);
    await roundTrip(rig);
  });

  it("tolerates the '> ' prompt a terminal may send after AT+CMGS", async () => {
    rig = await radioRig();
    rig.sim.setFaults({ prompt: true });
    await roundTrip(rig);
    // And a stray prompt while idle does not disturb the next command.
    rig.sim.injectBytes("\r\n> ");
    await rig.sim.idle();
    const s = await rig.radio.sendSds(PEER, { type: "status", value: 0x8001 });
    await rig.waitStage(s.id, "sent");
    expect(rig.stagesOf(s.id)).toEqual(["accepted", "sent"]);
  });
});
