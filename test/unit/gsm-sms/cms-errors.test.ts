import { describe, expect, it } from "vitest";
import { classifyCms, classifySendError, cmsText } from "../../../adapters/gsm-sms/cms-errors.js";
import { GatewayError } from "../../../src/shared/errors.js";

describe("classifyCms (27.005 §3.2.5, 24.011 E-2, 23.040 9.2.3.22)", () => {
  it.each([
    [1, "permanent"], // unassigned number
    [8, "permanent"], // operator determined barring
    [21, "permanent"], // transfer rejected
    [27, "transient"], // destination out of service
    [38, "transient"], // network out of order
    [41, "transient"], // temporary failure
    [42, "transient"], // congestion
    [96, "permanent"], // invalid mandatory information
    [192, "transient"], // SC busy
    [193, "permanent"], // no SC subscription
    [195, "permanent"], // invalid SME address
    [255, "transient"], // unspecified
    [300, "modem"], // ME failure
    [304, "permanent"], // invalid PDU mode parameter
    [310, "modem"], // SIM not inserted
    [314, "transient"], // SIM busy
    [330, "modem"], // SMSC address unknown
    [331, "modem"], // no network service
    [500, "transient"], // unknown (docs/reliability.md #16)
    [515, "transient"], // manufacturer specific
  ])("+CMS ERROR: %i is %s", (code, cls) => {
    expect(classifyCms(code)).toBe(cls);
  });

  it("classifies engine errors", () => {
    expect(classifySendError(new GatewayError("AT_CMS_ERROR", "x", { context: { cms: 42 } }))).toBe("transient");
    expect(classifySendError(new GatewayError("AT_TIMEOUT", "x", { context: { prompt: true } }))).toBe("transient");
    expect(classifySendError(new GatewayError("AT_TIMEOUT", "x"))).toBe("ambiguous");
    expect(classifySendError(new GatewayError("LINK_LOST", "x"))).toBe("ambiguous");
    expect(classifySendError(new GatewayError("AT_CME_ERROR", "x", { context: { cme: 10 } }))).toBe("modem");
    expect(classifySendError(new GatewayError("AT_UNSAFE_ARGUMENT", "x"))).toBe("permanent");
    expect(classifySendError(new Error("?"))).toBe("permanent");
  });

  it("names common codes", () => {
    expect(cmsText(331)).toBe("no network service");
    expect(cmsText(600)).toBe("manufacturer-specific error");
  });
});
