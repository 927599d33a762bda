import { afterEach, describe, expect, it } from "vitest";
import { fastProfile, type RadioRig, radioRig, within } from "../../helpers/radio-rig.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { abortOnCommand } from "../../helpers/abort-on-command.js";

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
    // Withdrawn while the first send is on the air and the second waits for its turn.
    const off = abortOnCommand(rig.sim, "AT+CMGS", withdraw);
    const err = await second.then(() => undefined, (e: unknown) => e);
    off();
    expect(isGatewayError(err, "AT_ABORTED")).toBe(true);
    await first;
    expect(rig.sim.sent.map((s) => s.ssi)).toEqual(["2005555"]);
    expect(rig.commands.filter((c) => c.includes("2006666"))).toEqual([]);
  });

  it("a withdrawal once the first command is on the wire changes nothing: the send succeeds with every part", async () => {
    rig = await radioRig();
    const text = Array.from({ length: 200 }, (_, i) => "åäöÅÄÖ abcdefghij"[i % 17]).join("");
    const withdraw = new AbortController();
    const off = abortOnCommand(rig.sim, "AT+CMGS", withdraw);
    const r = await rig.radio.sendSds(PEER, { type: "text", text }, { withdraw: withdraw.signal });
    off();
    expect(withdraw.signal.aborted).toBe(true);
    expect(r.parts).toBeGreaterThan(1);
    expect(rig.sim.sent.map((s) => s.text).join("")).toBe(text);
    expect(rig.sim.sent).toHaveLength(r.parts);
  });

  it("a withdrawal ends the pause after a busy answer at once, so a cancelled alert does not hold the terminal", async () => {
    // A minute's pause after +CME ERROR: 42: the send would hold the send lock that long if not woken.
    rig = await radioRig({ profile: fastProfile((p) => (p.pei.busyBackoff = { baseMs: 60_000, capMs: 60_000 })) });
    const r = rig;
    const withdraw = new AbortController();
    r.sim.setFaults({ busyNext: 1 });
    const retrying = new Promise<void>((resolve) => {
      const off = r.sim.on("command", (line) => {
        if (line.startsWith("AT+CTSDS")) {
          off();
          setTimeout(resolve, 100); // answered busy by now; the sender sleeps
        }
      });
    });
    const cancelled = r.radio.sendSds(PEER, { type: "text", text: "Inställt" }, { withdraw: withdraw.signal }).then(() => undefined, (e: unknown) => e);
    await retrying;
    withdraw.abort(new Error("alert ended"));
    // Whichever pause it was in (the engine's retry of AT+CTSDS or the sender's), it ends now: refused.
    const err = await within(cancelled, 10_000, "the withdrawn send");
    expect(isGatewayError(err, "AT_ABORTED") || (err as Error).message === "alert ended").toBe(true);
    // The next alert's SDS goes out without waiting for the pause.
    const next = await within(r.radio.sendSds(PEER, { type: "text", text: "Nästa" }), 10_000, "the next send");
    expect(next.parts).toBe(1);
    expect(r.sim.sent.map((s) => s.text)).toEqual(["Nästa"]);
  });
});
