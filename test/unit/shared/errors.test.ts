import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode, GatewayError, fail, isGatewayError, isLinkLost, ok } from "../../../src/shared/errors.js";

describe("GatewayError", () => {
  it("carries code, context, cause and the class name", () => {
    const cause = new Error("EIO");
    const e = new GatewayError("LINK_LOST", "gone", { context: { link: "radio" }, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("GatewayError");
    expect(e.code).toBe("LINK_LOST");
    expect(e.message).toBe("gone");
    expect(e.context).toEqual({ link: "radio" });
    expect(e.cause).toBe(cause);
  });

  it("defaults to an empty context and no cause property", () => {
    const e = new GatewayError("AT_TIMEOUT", "slow");
    expect(e.context).toEqual({});
    expect("cause" in e).toBe(false);
  });

  it("every error code maps to itself, so codes can be compared as strings", () => {
    for (const [k, v] of Object.entries(ERROR_CODES)) expect(v).toBe(k);
  });
});

describe("isGatewayError", () => {
  const e = new GatewayError("AT_CME_ERROR", "x", { context: { cme: 42 } });
  it.each([
    ["any GatewayError without a code filter", e, undefined, true],
    ["a matching single code", e, "AT_CME_ERROR", true],
    ["a different single code", e, "AT_TIMEOUT", false],
    ["a list containing the code", e, ["AT_TIMEOUT", "AT_CME_ERROR"], true],
    ["a list without the code", e, ["AT_TIMEOUT"], false],
    ["an empty list", e, [], false],
    ["a plain Error", new Error("AT_CME_ERROR"), undefined, false],
    ["an object that looks like one", { code: "AT_CME_ERROR", name: "GatewayError" }, "AT_CME_ERROR", false],
    ["undefined", undefined, undefined, false],
  ] as [string, unknown, ErrorCode | ErrorCode[] | undefined, boolean][])("%s gives %s", (_t, value, code, want) => {
    expect(isGatewayError(value, code)).toBe(want);
  });
});

describe("isLinkLost", () => {
  it.each([
    ["LINK_LOST", true],
    ["LINK_NOT_OPEN", true],
    ["LINK_OPEN_FAILED", true],
    ["AT_TIMEOUT", false],
    ["AT_ABORTED", false],
  ] as [ErrorCode, boolean][])("%s is a link loss: %s", (code, want) => {
    expect(isLinkLost(new GatewayError(code, "x"))).toBe(want);
  });

  it("a plain Error is not a link loss", () => {
    expect(isLinkLost(new Error("LINK_LOST"))).toBe(false);
  });
});

describe("ParseResult helpers", () => {
  it("ok and fail build the two result shapes", () => {
    expect(ok(5)).toEqual({ ok: true, value: 5 });
    expect(fail("bad hex")).toEqual({ ok: false, reason: "bad hex" });
  });
});
