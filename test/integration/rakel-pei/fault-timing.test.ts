import { afterEach, describe, expect, it } from "vitest";
import { isGatewayError } from "../../../src/shared/errors.js";
import { FAST, type RadioRig, radioRig, until, within } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

describe("A slow or silent terminal", () => {
  it("works normally when every answer is late but within the command timeout", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    rig.sim.setFaults({ answerDelayMs: FAST.commandTimeoutMs / 2 });
    const t0 = Date.now();
    const s = await rig.radio.sendSds(PEER, { type: "text", text: "Långsam men säker", report: "received" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(FAST.commandTimeoutMs - 20); // two late answers: AT+CTSDS, AT+CMGS
    await rig.waitStage(s.id, "delivered", 5000);
    expect(rig.health.map((h) => h.state)).not.toContain("unresponsive");
    expect(rig.radio.health.state).toBe("ready");
  });

  it("fails a send with AT_TIMEOUT, marks the link unhealthy, and recovers once answers are in time again", async () => {
    rig = await radioRig();
    const r = rig;
    // Later than both attempts of AT+CTSDS with the settle pause between them (3 × timeout: the engine waits
    // one timeout after a timeout before the retry), so no late OK can be taken for the retry's answer and
    // the outcome is a clean AT_TIMEOUT. An answer later than the pause but before the retry's own timeout
    // would still be read as the retry's answer: a known limit of OK-only commands (README, *How the PEI link stays up*).
    const delay = 3 * FAST.commandTimeoutMs + 300;
    r.sim.setFaults({ answerDelayMs: delay });
    // How long the failure takes is bounded in the perf tier (test/perf/link-timing.test.ts).
    const err: unknown = await within(r.radio.sendSds(PEER, { type: "text", text: "För sent" }), 5000, "send to a slow terminal").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "AT_TIMEOUT" });
    await until(() => r.health.some((h) => h.state === "unresponsive"), 3000, "health unresponsive");
    const t1 = Date.now();
    r.sim.setFaults({ answerDelayMs: 0 });
    await r.waitHealth("ready", 8000);
    console.log(`answers after ${delay} ms: ready again ${Date.now() - t1} ms after the answers were in time`);
    const s = await r.radio.sendSds(PEER, { type: "text", text: "Nu igen", report: "received" });
    await r.waitStage(s.id, "delivered");
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Nu igen"]);
  });

  it("retries an idempotent read whose answer was dropped", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const wireBefore = r.wire[0]!.length;
    r.sim.setFaults({ dropNextAnswers: 1 });
    // Two attempts of the profile's command timeout, plus the settle pause.
    const state = await within(r.radio.refreshState(), 3 * FAST.commandTimeoutMs, "refreshState");
    expect(state.identity.itsi).toBe("02400500102001234");
    const written = r.wire[0]!.slice(wireBefore);
    expect(written.split("AT+CNUMF?\r").length - 1).toBe(2); // dropped once, retried once
    await r.waitHealth("ready", 2000);
  });

  it("surfaces a dropped AT+CMGS as an error within the send timeout, not a hang, and sends nothing twice", async () => {
    rig = await radioRig({ adapter: { heartbeatMs: 0 } });
    const r = rig;
    const off = r.sim.on("command", (line) => {
      if (line.startsWith("AT+CTSDS=")) r.sim.setFaults({ dropNextAnswers: 1 }); // the AT+CMGS after it
    });
    const err: unknown = await within(r.radio.sendSds(PEER, { type: "text", text: "Tappad", report: "received" }), 5000, "send").catch((e: unknown) => e);
    off();
    expect(isGatewayError(err, "AT_TIMEOUT")).toBe(true); // how soon: test/perf/link-timing.test.ts
    expect(r.sim.sent).toHaveLength(0);
    expect(r.progress.filter((p) => p.stage === "failed")).toHaveLength(1);
    // The link is fine again for the next send.
    const s = await r.radio.sendSds(PEER, { type: "text", text: "Nästa", report: "received" });
    await r.waitStage(s.id, "delivered");
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Nästa"]);
  });
});
