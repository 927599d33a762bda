import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";

describe("rakelgw sds encode/decode (no hardware)", () => {
  it("encodes a Swedish text to an individual with a received report as in golden vector V03, with service-selection bit 0", async () => {
    const r = await runCli(["sds", "encode", "--text", "Åsa åker över ön", "--report", "received", "--ref", "16", "--json"]);
    expect(r.code).toBe(0);
    // V03 is 82 06 10 01 …; toward an individual the service-selection bit is 0 (docs/pei.md §5.3): 06 -> 04.
    expect(JSON.parse(r.stdout)).toEqual({ aiService: 12, parts: [{ hex: "82041001C5736120E56B657220F676657220F66E", bits: 160 }] });
  });

  it("encodes a status with AI service 13 and 16 bits", async () => {
    const r = await runCli(["sds", "encode", "--status", "32770", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ aiService: 13, parts: [{ hex: "8002", bits: 16 }] });
  });

  it("splits a long text into several parts at --max-bits", async () => {
    const r = await runCli(["sds", "encode", "--text", "x".repeat(200), "--json"]);
    const out = JSON.parse(r.stdout) as { parts: { hex: string; bits: number }[] };
    expect(out.parts.length).toBe(3);
    expect(out.parts.every((p) => p.bits <= 668 && p.hex.startsWith("8A"))).toBe(true);
  });

  it("decodes a received SDS-TL text to the documented JSON shape", async () => {
    const r = await runCli(["sds", "decode", "--bits", "96", "82061101C5736120E56B6572", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "text", text: "Åsa åker", messageReference: 17, deliveryReportRequest: "received", codingScheme: 1, protocolId: 0x82 });
  });

  it("decodes a 16-bit status in the short-report range as a short report", async () => {
    const r = await runCli(["sds", "decode", "--ai-service", "13", "7E2A", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: "short-report", reportType: "received", messageReference: 42 });
  });

  it("answers a usage error with exit code 2 and one error line on stderr", async () => {
    const r = await runCli(["sds", "encode", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toMatch(/^error CLI_USAGE: give exactly one of --text or --status \(see --help\)$/);
  });

  it("refuses a status in the short-report range with SDS_INVALID", async () => {
    const r = await runCli(["sds", "encode", "--status", String(0x7c00)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SDS_INVALID: status 31744 /);
  });

  it("reports undecodable hex as an error, not a crash", async () => {
    const r = await runCli(["sds", "decode", "80ZZ"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error SDS_INVALID: cannot decode/);
  });
});
