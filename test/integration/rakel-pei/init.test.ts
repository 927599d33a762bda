import { afterEach, describe, expect, it } from "vitest";
import { ownItsi } from "../../../adapters/rakel-pei/sim/index.js";
import { type RadioRig, radioRig, until } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("Rakel PEI adapter initialisation against the simulated terminal", () => {
  it("becomes ready and reads identity, registration, mode, selected group and the SDS limit", async () => {
    rig = await radioRig({ sim: { issi: "2001234", manufacturer: "SIMCO", model: "TPX-9", firmware: "7.3.1", maxSdsBits: 1184 } });
    expect(rig.radio.health.state).toBe("ready");
    const s = rig.radio.state;
    expect(s.identity).toEqual({ itsi: ownItsi(rig.sim.config), issi: "2001234", manufacturer: "SIMCO", model: "TPX-9", firmware: "7.3.1" });
    // The 17-digit ITSI ends in the zero-padded ISSI; the ISSI is its last 8 digits without leading zeros.
    expect(s.identity.itsi).toBe("02400500102001234");
    expect(s.registration).toEqual({ stat: 1, registered: true });
    expect(s.mode).toEqual({ code: 0, name: "tmo" });
    expect(s.selectedGroup).toBe("9001");
    expect(s.maxSdsBits).toBe(1184);
    expect(rig.commands).toContain("AT+CMGS=?");
  });

  it("takes the advertised maximum from AT+CMGS=? rather than a fixed number", async () => {
    rig = await radioRig({ sim: { maxSdsBits: 900 } });
    expect(rig.radio.state.maxSdsBits).toBe(900);
  });

  it("registers exactly the profile's AT+CTSP routes in the terminal's routing table", async () => {
    rig = await radioRig();
    const expected = rig.profile.init
      .map((s) => /^AT\+CTSP=(\d+),(\d+),(\d+)$/.exec(s.command))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ profile: Number(m[1]), layer1: Number(m[2]), layer2: Number(m[3]) }));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(rig.sim.state.routing.list()).toEqual(expected);
  });

  it("runs the profile's init script (echo off, then the AT+CTSP routing, then the rest, docs/pei.md §1.6) and never sends ATZ", async () => {
    rig = await radioRig();
    const all = rig.profile.init.map((s) => s.command);
    const isCtsp = (c: string) => /^AT\+CTSP=/i.test(c);
    const initLines = ["ATE0", ...all.filter(isCtsp), ...all.filter((c) => c !== "ATE0" && !isCtsp(c))];
    expect(initLines).not.toEqual(all); // the profile lists other steps before its CTSP ones
    const firstInit = rig.commands.indexOf(initLines[0]!);
    expect(firstInit).toBeGreaterThan(0); // at least one AT probe before it
    expect(rig.commands.slice(0, firstInit).every((c) => c === "AT")).toBe(true);
    expect(rig.commands.slice(firstInit, firstInit + initLines.length)).toEqual(initLines);
    expect(rig.commands[firstInit]).toBe("ATE0");
    expect(rig.sim.state.echo).toBe(false);
    expect(rig.commands.some((c) => /^ATZ/i.test(c))).toBe(false);
  });

  it("publishes the state it read as a state event", async () => {
    rig = await radioRig({ start: false });
    const states: unknown[] = [];
    rig.radio.on("state", (s) => states.push(s));
    await rig.radio.start();
    await rig.radio.waitReady(3000);
    expect(states.at(-1)).toMatchObject({ identity: { issi: "2001234" }, mode: { name: "tmo" }, selectedGroup: "9001" });
  });

  it("follows the selected group when the user turns the group knob (unsolicited +CTGS)", async () => {
    rig = await radioRig();
    const r = rig;
    r.sim.frontPanelSelect("9010");
    await until(() => r.radio.state.selectedGroup === "9010", 2000, "selected group 9010");
    expect(r.sim.selectedGroup).toBe("9010");
  });
});
