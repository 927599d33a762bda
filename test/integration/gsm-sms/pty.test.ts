import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GsmSmsAdapter } from "../../../adapters/gsm-sms/gsm-sms-adapter.js";
import { SimModem } from "../../../adapters/gsm-sms/sim/sim-modem.js";
import { runOnPty } from "../../../adapters/shared-kits/simulator/pty-runner.js";
import { serialPortFactory } from "../../../adapters/serial-link/serialport-link.js";
import type { ReceivedSms, SmsProgress } from "../../../src/ports/sms-modem.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { fastProfile, HANG_MS, onlySubmissions, until } from "./modem-harness.js";

const dir = mkdtempSync(join(tmpdir(), "rakelgw-modem-pty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TO = "+46701234567";

describe("through a real pseudo-terminal with the serialport binding", () => {
  it("init, hostile text, status report, multipart receive; socat dies and comes back", async () => {
    const path = join(dir, "modem-a");
    const sim = new SimModem();
    let session = await runOnPty(path, sim);
    const modem = new GsmSmsAdapter({ name: "pty", log: silentLogger(), profile: fastProfile(), linkFactory: serialPortFactory({ path, baudRate: 115200 }), stateDir: dir, heartbeatMs: 300, statusPollMs: 0, receivePollMs: 0, maxPerMinute: 600 });
    const received: ReceivedSms[] = [];
    const progress: SmsProgress[] = [];
    modem.on("sms", (s) => received.push(s));
    modem.on("progress", (p) => progress.push(p));
    try {
      await modem.start();
      await modem.waitReady(5000);
      expect(modem.state.operator?.name).toBe("Sim Telecom");
      await until(() => modem.engine.queueLength === 0, HANG_MS, "idle");
      sim.clearWire();
      const r = await modem.sendSms(TO, "Brand\rAT+CFUN=0\r\x1a\x1b", { statusReport: true });
      expect(onlySubmissions(sim.wire)).toBe(true);
      expect(sim.sent[0]!.text).toBe("Brand\rAT+CFUN=0\r\x1a\x1b");
      await until(() => progress.some((p) => p.id === r.id && p.stage === "delivered"), HANG_MS, "delivered");
      sim.deliverSms("+46709876543", "JA ".repeat(100), { order: [2, 1] });
      await until(() => received.length === 1, HANG_MS, "reassembled");
      expect(received[0]!.text).toBe("JA ".repeat(100));

      // The tty vanishes (port server restart, USB re-enumeration) and returns at the same path.
      await session.stop();
      await until(() => modem.health.state === "disconnected" || modem.health.state === "unresponsive", HANG_MS, "link loss noticed");
      session = await runOnPty(path, sim);
      await until(() => modem.health.state === "ready", HANG_MS, "ready again");
      await modem.sendSms(TO, "efter återanslutning");
      expect(sim.sent.at(-1)!.text).toBe("efter återanslutning");
    } finally {
      await modem.stop();
      await session.stop();
      sim.stop();
    }
  }, 60_000);
});
