import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/shared/errors.js";
import { radioRig } from "../../helpers/radio-rig.js";

/** Issue 14 item 4: a terminal that rate-limits SDS (CME 42) after part 1 of a long text. */
describe("a partly sent SDS against a rate-limiting terminal", () => {
  it("is reported with its id, references and the parts that went out, after paced retries", async () => {
    // One SDS per minute: part 1 is accepted, part 2 is refused with CME 42 until the send's 2.5 s bound.
    const rig = await radioRig({ sim: { maxSdsPerMinute: 1 } });
    try {
      const text = "Larm: brand i byggnad. Samling vid Åkervägen 12, infart från norr. Kvittera med JA eller NEJ.";
      const from = rig.commands.length;
      const err = await rig.radio.sendSds({ kind: "issi", ssi: "2001235" }, { type: "text", text }, { timeoutMs: 2500 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      const e = err as GatewayError;
      expect(e.code).toBe("AT_CME_ERROR");
      expect(e.context["cme"]).toBe(42);
      expect(e.context).toMatchObject({ parts: 2, sentParts: 1 });
      expect(typeof e.context["id"]).toBe("string");
      expect(e.context["messageReferences"]).toHaveLength(2);
      const failed = rig.progress.find((p) => p.id === e.context["id"] && p.stage === "failed");
      expect(failed?.detail).toMatch(/^1 of 2 parts accepted/);
      // Busy pauses of at least the profile's 1 s: part 1 plus at most three tries of part 2 within 2.5 s
      // (the old sender made six within 3 s).
      const cmgs = rig.count(/^AT\+CMGS=/, from);
      expect(cmgs).toBeGreaterThanOrEqual(2);
      expect(cmgs).toBeLessThanOrEqual(4);
    } finally {
      await rig.close();
    }
  });
});
