import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../../src/shared/errors.js";
import { modemRig } from "./modem-harness.js";
import { abortOnCommand } from "../../helpers/abort-on-command.js";

/**
 * `withdraw` (an alert that ended) takes an SMS back only until part 1's AT+CMGS is written; after that every
 * part goes (an aborted AT+CMGS would keep the modem quiet for its settle time, and a recipient must never get
 * half an alert). `signal` (link lost) still ends a send on the wire.
 */
const TO = "+46701234567";
const LONG = "Inkallning RIB-styrka 2: samling vid brandstationen. ".repeat(6);

describe("withdrawing an SMS send", () => {
  it("takes back a message queued behind another one: AT_ABORTED, nothing of it sent, no listener left", async () => {
    const rig = await modemRig({ sim: { config: { cmgsDelayMs: 200 } } });
    try {
      const first = rig.modem.sendSms(TO, "Först");
      const withdraw = new AbortController();
      const second = rig.modem.sendSms("+46709999999", "Sedan", { withdraw: withdraw.signal });
      const off = abortOnCommand(rig.sim, "AT+CMGS", withdraw);
      const err = await second.then(() => undefined, (e: unknown) => e);
      off();
      expect(isGatewayError(err, "AT_ABORTED")).toBe(true);
      await first;
      expect(rig.sim.sent.map((s) => s.to)).toEqual([TO]);
      expect(getEventListeners(withdraw.signal, "abort")).toHaveLength(0);
    } finally {
      await rig.close();
    }
  });

  it("a withdrawal once part 1 is on the wire changes nothing: every part goes and the send succeeds", async () => {
    const rig = await modemRig();
    try {
      const withdraw = new AbortController();
      const link = new AbortController();
      const off = abortOnCommand(rig.sim, "AT+CMGS", withdraw);
      const r = await rig.modem.sendSms(TO, LONG, { withdraw: withdraw.signal, signal: link.signal });
      off();
      expect(withdraw.signal.aborted).toBe(true);
      expect(r.parts).toBe(3);
      expect(rig.sim.sent.map((s) => s.text).join("")).toBe(LONG);
      // A settled send leaves no listener on the caller's signals (they may live much longer than the send).
      expect([getEventListeners(withdraw.signal, "abort"), getEventListeners(link.signal, "abort")]).toEqual([[], []]);
    } finally {
      await rig.close();
    }
  });
});
