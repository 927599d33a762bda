import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, until, within } from "../../helpers/radio-rig.js";

let rig: RadioRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const PEER = { kind: "issi", ssi: "2005555" } as const;

describe("Unplugging and replugging the terminal's cable (memory port)", () => {
  it("goes disconnected at once, ready again after the replug, and initialises the terminal again", async () => {
    rig = await radioRig();
    const r = rig;
    const ate0 = r.count(/^ATE0$/);
    const t0 = Date.now();
    r.port.unplug();
    await r.waitHealth("disconnected", 1000); // how soon: test/perf/link-timing.test.ts
    await until(() => Date.now() - t0 >= 300, 1000, "a short outage");
    r.port.replug();
    await r.waitHealth("ready", 5000);
    expect(r.count(/^ATE0$/)).toBe(ate0 + 1);
    expect(r.wire.length).toBe(2); // a second connection
    r.sim.injectText("2005556", "Efter återanslutning");
    await r.waitSds((s) => s.payload["text"] === "Efter återanslutning");
  });

  it("holds a send started while unplugged and completes it after the replug", async () => {
    rig = await radioRig();
    const r = rig;
    r.port.unplug();
    await r.waitHealth("disconnected", 1000);
    let settled = false;
    const pending = r.radio.sendSds(PEER, { type: "text", text: "Köad", report: "received" }).finally(() => (settled = true));
    const t0 = Date.now();
    await until(() => Date.now() - t0 >= 300, 1000, "a short outage");
    expect(settled).toBe(false); // waiting, not failed
    r.port.replug();
    const s = await within(pending, 5000, "the queued send");
    await r.waitStage(s.id, "delivered");
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Köad"]);
  });

  it("fails a send started while unplugged with AT_EXPIRED once its timeoutMs has passed, and sends nothing later", async () => {
    rig = await radioRig();
    const r = rig;
    r.port.unplug();
    await r.waitHealth("disconnected", 1000);
    const t0 = Date.now();
    const err: unknown = await within(r.radio.sendSds(PEER, { type: "text", text: "För sent" }, { timeoutMs: 300 }), 2000, "send").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "AT_EXPIRED" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290); // not before its timeoutMs; how soon after: test/perf
    expect(r.progress.at(-1)?.stage).toBe("failed");
    r.port.replug();
    await r.waitHealth("ready", 5000);
    r.sim.injectText("2005556", "Länken är tillbaka");
    await r.waitSds((x) => x.payload["text"] === "Länken är tillbaka");
    expect(r.sim.sent).toHaveLength(0);
  });

  it("fails a send started while unplugged with AT_ABORTED when its caller's signal ends the wait", async () => {
    rig = await radioRig();
    const r = rig;
    r.port.unplug();
    await r.waitHealth("disconnected", 1000);
    const t0 = Date.now();
    const err: unknown = await within(r.radio.sendSds(PEER, { type: "text", text: "Ge upp" }, { signal: AbortSignal.timeout(300) }), 2000, "send").catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "AT_ABORTED" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290); // not before the signal fired
    expect(r.progress.at(-1)?.stage).toBe("failed");
    r.port.replug();
    await r.waitHealth("ready", 5000);
    await r.radio.sendSds(PEER, { type: "text", text: "Nästa" });
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Nästa"]); // the aborted send never reached the terminal
  });

  it("sends an SDS whose AT+CMGS was cut off by an unplug once more after the replug (at-least-once)", async () => {
    rig = await radioRig();
    const r = rig;
    let cut = false;
    const off = r.sim.on("command", (line) => {
      if (line.startsWith("AT+CMGS=") && !cut) {
        cut = true;
        r.port.unplug(); // the terminal takes the SDS, the host never hears "+CMGS: 0 / OK"
        setTimeout(() => r.port.replug(), 200);
      }
    });
    const s = await within(r.radio.sendSds(PEER, { type: "text", text: "Avbruten", report: "received" }), 8000, "send across the unplug");
    off();
    await r.waitStage(s.id, "delivered");
    // The first copy went on the air before the cut; the adapter could not know and sent it again.
    expect(r.sim.sent.map((x) => x.text)).toEqual(["Avbruten", "Avbruten"]);
    expect(r.sim.sent[0]!.messageReference).toBe(r.sim.sent[1]!.messageReference); // same reference: receivers can de-duplicate
    expect(r.stagesOf(s.id)).toEqual(["accepted", "sent", "delivered"]);
  });
});
