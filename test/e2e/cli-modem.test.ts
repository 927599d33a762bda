import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runModemCli, startModemCli } from "../helpers/run-modem-cli.js";

const stateDir = mkdtempSync(join(tmpdir(), "rakelgw-cli-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
const TO = "+46701234567";

describe("rakelgw sms / modem (docs/mqtt-interface.md, command line)", () => {
  it("sms encode prints exactly what follows AT+CMGS=<length>; sms decode reads it back", async () => {
    const enc = await runModemCli(["sms", "encode", "--to", TO, "--text", "Hej", "--report", "--json"]);
    expect(enc.code).toBe(0);
    const doc = JSON.parse(enc.stdout) as { pdus: { hex: string; length: number }[]; coding: string; parts: number };
    expect(doc).toEqual({ pdus: [{ hex: "0031000B916407214365F70000A703C8B21A", length: 17 }], coding: "gsm7", parts: 1 });
    const dec = await runModemCli(["sms", "decode", "--json", doc.pdus[0]!.hex]);
    expect(dec.code).toBe(0);
    expect(JSON.parse(dec.stdout)).toMatchObject({ type: "submit", destination: { address: TO }, text: "Hej", statusReportRequest: true });
  });

  it("sms send through sim:modem waits for the status report (exit 0); undeliverable is exit 1", async () => {
    const ok = await runModemCli(["sms", "send", "--port", "sim:modem", "--to", TO, "--text", "Brand\rAT+CFUN=0\r", "--report", "--json", "--state-dir", stateDir]);
    expect(ok.stderr).toMatch(/SIMULATED modem/);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ to: TO, parts: 1, stage: "delivered" });
    const bad = await runModemCli(["sms", "send", "--port", "sim:modem-undeliverable", "--to", TO, "--text", "x", "--report", "--state-dir", stateDir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/failed/);
  });

  it("Ctrl-C during sms send (3 s per AT+CMGS on sim:modem-slow) ends with exit 2 and one AT_ABORTED line", async () => {
    const cli = startModemCli(["sms", "send", "--port", "sim:modem-slow", "--to", "+46701234567", "--text", "Avbryt", "--state-dir", stateDir]);
    const t0 = Date.now();
    // The modem needs a moment to initialise; the send then sits in its 3 s AT+CMGS.
    while (!cli.stderr().includes("SIMULATED") && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    const code = await cli.stop();
    expect(code).toBe(2);
    expect(cli.stderr().trim().split("\n").at(-1)).toMatch(/^error AT_ABORTED: interrupted by a signal; the port was closed \(/);
  });

  it("a bad recipient is a usage problem: exit 2 and one error line with what to do", async () => {
    const r = await runModemCli(["sms", "send", "--port", "sim:modem", "--to", "0701234567;AT+CMGD=1,4", "--text", "x", "--state-dir", stateDir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^error SMS_INVALID: invalid recipient.* \(.+\)$/);
  });

  it("modem info shows CREG and CEREG; a modem without network is exit 1", async () => {
    const ok = await runModemCli(["modem", "info", "--port", "sim:modem", "--json", "--state-dir", stateDir]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ sim: { status: "ready", iccid: "89460000000000000017" }, registration: { creg: { registered: true }, cereg: { registered: true } }, service: "ready", health: { state: "ready" } });
    const nonet = await runModemCli(["modem", "info", "--port", "sim:modem-nonet", "--state-dir", stateDir]);
    expect(nonet.code).toBe(1);
    expect(nonet.stdout).toMatch(/Can send SMS\s+no \(not-registered\)/);
  });
});

describe("a simulated modem on a pseudo-terminal", () => {
  it("rakelgw simulate modem --link PATH serves modem info over the pty", async () => {
    const path = join(stateDir, "modem-cli");
    const sim = startModemCli(["simulate", "modem", "--link", path, "--preset", "modem"]);
    try {
      await waitFor(() => /simulated modem/.test(sim.stderr()), 8000, "the simulator banner");
      const r = await runModemCli(["modem", "info", "--port", path, "--json", "--state-dir", stateDir]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ port: path, manufacturer: "Rakelgw Sim", service: "ready" });
    } finally {
      expect(await sim.stop()).toBe(0);
    }
  });
});

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
