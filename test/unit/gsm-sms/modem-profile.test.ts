import { describe, expect, it } from "vitest";
import { listModemProfiles, loadModemProfile, modemProfileProblems } from "../../../adapters/gsm-sms/modem-profile.js";

describe("modem profiles (firmware-config/modems)", () => {
  it("every shipped profile loads and passes the semantic checks", () => {
    expect(listModemProfiles()).toContain("generic-27005");
    for (const id of listModemProfiles()) {
      const p = loadModemProfile(id);
      expect(p.id).toBe(id);
      expect(modemProfileProblems(p)).toEqual([]);
    }
  });

  it("fills defaults and rejects what must never be in a profile", () => {
    const p = structuredClone(loadModemProfile("generic-27005"));
    expect(p.sms.maxPerMinute).toBe(10);
    p.init = [{ command: "ATE1", optional: false }, { command: 'AT+CPIN="1234"', optional: false }];
    p.sms.init = [{ command: "AT+CMGF=1", optional: false }, { command: "AT+CFUN=1,1", optional: true }];
    const problems = modemProfileProblems(p).join("\n");
    expect(problems).toMatch(/ATE0/);
    expect(problems).toMatch(/PIN never goes in a profile/);
    expect(problems).toMatch(/AT\+CMGF=0/);
    expect(problems).toMatch(/resets the modem/);
    expect(problems).toMatch(/text mode/);
  });

  it("names the known profiles when one is missing", () => {
    expect(() => loadModemProfile("no-such-modem")).toThrow(/generic-27005/);
  });
});
