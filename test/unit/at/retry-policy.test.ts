import { describe, expect, it } from "vitest";
import { ProbeTimeout } from "../../../adapters/at/link-supervisor.js";
import { retryDelay, retryPolicy } from "../../../adapters/at/retry-policy.js";
import { loadModemProfile } from "../../../adapters/gsm-sms/modem-profile.js";
import { loadProfile, terminalRetryPolicy } from "../../../adapters/rakel-pei/terminal-profile.js";
import { GatewayError } from "../../../src/shared/errors.js";

const cme = (code: number): GatewayError => new GatewayError("AT_CME_ERROR", `+CME ERROR: ${code}`, { context: { cme: code } });

describe("retry policy from the device profile", () => {
  it("a TETRA terminal retries CME 42 (busy) after at least the profile's busy pause", () => {
    const policy = terminalRetryPolicy(loadProfile("etsi-generic"));
    expect(policy.transientCme).toEqual([3, 42]);
    for (let attempt = 0; attempt < 6; attempt++) {
      const d = retryDelay(policy, cme(42), attempt);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });

  it("a 27.007 modem does not retry CME 42 (network personalisation PIN), but does retry 14 (SIM busy)", () => {
    const policy = retryPolicy(loadModemProfile("generic-27005").at.transientCme);
    expect(retryDelay(policy, cme(42), 0)).toBeUndefined();
    expect(retryDelay(policy, cme(3), 0)).toBeUndefined();
    expect(retryDelay(policy, cme(14), 0)).toBeGreaterThan(0);
  });

  it("timeouts are retried at once; other errors never", () => {
    const policy = retryPolicy([]);
    expect(retryDelay(policy, new GatewayError("AT_TIMEOUT", "t"), 0)).toBe(0);
    expect(retryDelay(policy, new GatewayError("AT_ERROR", "e"), 0)).toBeUndefined();
    expect(retryDelay(policy, new Error("plain"), 0)).toBeUndefined();
  });
});

describe("adaptive probe timeout", () => {
  it("doubles after a missed probe up to its ceiling and follows the slowest recent answer", () => {
    const t = new ProbeTimeout(1000, 4000);
    t.missed();
    expect(t.ms).toBe(2000);
    t.missed();
    t.missed();
    expect(t.ms).toBe(4000);
    t.answered(1200);
    expect(t.ms).toBe(3600);
    const fast = new ProbeTimeout(1000, 4000);
    fast.answered(20);
    expect(fast.ms).toBe(1000);
  });
});
