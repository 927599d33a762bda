import { describe, expect, it } from "vitest";
import type { SimModemFaults } from "../../../adapters/gsm-sms/sim/sim-modem-config.js";
import { fastProfile, modemRig, reached, until, type ModemRig } from "./modem-harness.js";

const TO = "+46701234567";

/** Send with a status report and receive a two-part SMS: the round trip every fault scenario must survive. */
async function roundTrip(rig: ModemRig, label: string): Promise<void> {
  const r = await rig.modem.sendSms(TO, `${label}: Brand i byggnad`, { statusReport: true });
  expect((await reached(rig, r.id, ["delivered"], 3000)).stage).toBe("delivered");
  expect(rig.sim.sent.at(-1)!.text).toBe(`${label}: Brand i byggnad`);
  const before = rig.received.length;
  rig.sim.deliverSms("+46709876543", `${label} svar `.repeat(20));
  await until(() => rig.received.length === before + 1, 3000, "the reply");
  expect(rig.received.at(-1)!.text).toBe(`${label} svar `.repeat(20));
}

describe("simulator fault knobs: one scenario each", () => {
  it.each<[string, Partial<SimModemFaults>]>([
    ["echo stays on after ATE0", { echo: true }],
    ["CR-only line endings", { lineEnding: "cr" }],
    ["LF-only line endings", { lineEnding: "lf" }],
    ["byte-by-byte output", { byteByByte: true }],
    ["slow answers (60 ms each)", { answerDelayMs: 60 }],
    ["line noise before answers", { garbageBeforeAnswer: 4 }],
  ])("%s: init, send with report, receive in parts", async (name, faults) => {
    const rig = await modemRig({ sim: { faults } });
    try {
      expect(rig.modem.state.service).toBe("ready");
      await roundTrip(rig, name.split(" ")[0]!);
    } finally {
      await rig.close();
    }
  });

  it("silent: an unanswered AT+CMGS (no prompt) is released with ESC and retried", async () => {
    const rig = await modemRig({ profile: fastProfile((p) => (p.at.sendTimeoutMs = 300)) });
    try {
      rig.sim.setFaults({ dropNextAnswers: 1 });
      await rig.modem.sendSms(TO, "after silence");
      expect(rig.sim.wire).toContain("\x1b");
      expect(rig.sim.sent.map((s) => s.text)).toEqual(["after silence"]);
    } finally {
      await rig.close();
    }
  });

  it("a restart finds the modem at the prompt of a message its predecessor began: ESC cancels it, the first probe is answered", async () => {
    const rig = await modemRig();
    try {
      await rig.modem.stop();
      // The process that died had written AT+CMGS and got the prompt; the modem now waits for a PDU.
      const dead = await rig.port.factory();
      const prompt = new Promise<void>((resolve) => dead.onData((b) => b.toString("latin1").includes(">") && resolve()));
      await dead.write("AT+CMGS=20\r");
      await prompt;
      const from = rig.sim.wire.length;
      await rig.restart();
      await rig.modem.waitReady(3000);
      const after = rig.sim.wire.slice(from);
      expect(after.startsWith("\x1bAT\r")).toBe(true);
      // One probe, answered at once: without the ESC it was read as the PDU and timed out.
      expect(after.split("AT\r").length - 1).toBe(1);
      await roundTrip(rig, "after");
      expect(rig.sim.sent.filter((m) => m.text === "after: Brand i byggnad")).toHaveLength(1);
    } finally {
      await rig.close();
    }
  });

  it("no network: health degraded, sends fail after their retries, recovers when registered again", async () => {
    const rig = await modemRig();
    try {
      rig.sim.setRegistration(0);
      await until(() => rig.modem.state.service === "not-registered", 1000, "not-registered");
      expect(rig.modem.health).toMatchObject({ state: "degraded", detail: expect.stringMatching(/no network/) as string });
      await expect(rig.modem.sendSms(TO, "x")).rejects.toMatchObject({ code: "SMS_SEND_FAILED", context: { cms: 331 } });
      rig.sim.setRegistration(1);
      await until(() => rig.modem.health.state === "ready", 1000, "ready again");
      await rig.modem.sendSms(TO, "y");
    } finally {
      await rig.close();
    }
  });

  it("reboot: the modem echoes again, the gateway re-initialises (indications restored) and carries on", async () => {
    const rig = await modemRig();
    try {
      await rig.sim.reboot(100);
      expect(rig.sim.state.v.cnmi.mt).toBe(0);
      await rig.modem.sendSms(TO, "after reboot");
      await until(() => rig.sim.state.v.cnmi.mt === 1 && rig.modem.health.state === "ready", 3000, "re-init");
      await roundTrip(rig, "rebooted");
    } finally {
      await rig.close();
    }
  });

  it("unplugged mid-send: the part is sent once after the modem is back", async () => {
    const rig = await modemRig({ sim: { config: { cmgsDelayMs: 150 } } });
    try {
      const health: string[] = [];
      rig.modem.on("health", (h) => health.push(h.state));
      const off = rig.sim.on("command", (line) => {
        if (!line.startsWith("AT+CMGS=")) return;
        off();
        setTimeout(() => {
          rig.port.unplug();
          setTimeout(() => rig.port.replug(), 100);
        }, 20);
      });
      const r = await rig.modem.sendSms(TO, "Larm under urkoppling", { statusReport: true });
      expect(health).toContain("disconnected");
      expect(rig.sim.sent.map((s) => s.text)).toEqual(["Larm under urkoppling"]);
      expect((await reached(rig, r.id, ["delivered"])).stage).toBe("delivered");
      expect(rig.modem.health.state).toBe("ready");
    } finally {
      await rig.close();
    }
  });

  it("unplugged for good: the message fails clearly after the link wait, health says disconnected", async () => {
    const rig = await modemRig({ adapter: { linkWaitMs: 300 } });
    try {
      rig.port.unplug();
      await until(() => rig.modem.health.state === "disconnected", 1000, "disconnected");
      await expect(rig.modem.sendSms(TO, "nobody home")).rejects.toMatchObject({ code: "SMS_QUEUE_EXPIRED" });
      expect(rig.progress.at(-1)).toMatchObject({ stage: "failed", error: { code: "SMS_QUEUE_EXPIRED" } });
    } finally {
      await rig.close();
    }
  });
});

describe("several modems, different operators", () => {
  it("each has its own link, queue, state and inbox", async () => {
    const a = await modemRig({ sim: { config: { operator: "Telia", iccid: "89460100000000000011" } } });
    const b = await modemRig({ sim: { config: { operator: "Tele2", iccid: "89460700000000000012" } }, stateDir: a.stateDir, adapter: { name: "modem-b" } });
    try {
      expect([a.modem.state.operator?.name, b.modem.state.operator?.name]).toEqual(["Telia", "Tele2"]);
      await Promise.all([a.modem.sendSms(TO, "via A"), b.modem.sendSms(TO, "via B")]);
      expect(a.sim.sent.map((s) => s.text)).toEqual(["via A"]);
      expect(b.sim.sent.map((s) => s.text)).toEqual(["via B"]);
      b.sim.deliverSms("+46709876543", "till B");
      await until(() => b.received.length === 1);
      expect(b.received[0]!.modem).toBe("modem-b");
      expect(a.received).toHaveLength(0);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
