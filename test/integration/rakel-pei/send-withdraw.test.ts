import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig } from "../../helpers/radio-rig.js";
import { isGatewayError } from "../../../src/shared/errors.js";

/**
 * `withdraw` (an alert that ended, src/dispatch/in-flight-sends.ts) takes an SDS back only while it waits to
 * start. Once its first command is on the wire the send runs to its end: an aborted AT+CMGS would keep the
 * terminal quiet for the settle time and hold back every other alert's SDS, and the text may have left anyway.
 */
let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

describe("withdrawing an SDS send", () => {
  it("takes back a send still waiting behind another one: refused with AT_ABORTED, nothing of it on the wire", async () => {
    rig = await radioRig({ sim: { airDelayMs: 200 } });
    const first = rig.radio.sendSds(PEER, { type: "text", text: "Först" });
    const withdraw = new AbortController();
    const second = rig.radio.sendSds({ kind: "issi", ssi: "2006666" }, { type: "text", text: "Sedan" }, { withdraw: withdraw.signal });
    withdraw.abort();
    const err = await second.then(() => undefined, (e: unknown) => e);
    expect(isGatewayError(err, "AT_ABORTED")).toBe(true);
    await first;
    expect(rig.sim.sent.map((s) => s.ssi)).toEqual(["2005555"]);
    expect(rig.commands.filter((c) => c.includes("2006666"))).toEqual([]);
  });

  it("a withdrawal once the first command is on the wire changes nothing: the send succeeds with every part", async () => {
    rig = await radioRig();
    const text = Array.from({ length: 200 }, (_, i) => "åäöÅÄÖ abcdefghij"[i % 17]).join("");
    const withdraw = new AbortController();
    const off = rig.sim.on("command", (line) => {
      if (line.startsWith("AT+CMGS")) withdraw.abort();
    });
    const r = await rig.radio.sendSds(PEER, { type: "text", text }, { withdraw: withdraw.signal });
    off();
    expect(withdraw.signal.aborted).toBe(true);
    expect(r.parts).toBeGreaterThan(1);
    expect(rig.sim.sent.map((s) => s.text).join("")).toBe(text);
    expect(rig.sim.sent).toHaveLength(r.parts);
  });
});
