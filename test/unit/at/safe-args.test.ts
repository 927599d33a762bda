import { describe, expect, it } from "vitest";
import { assertSafeBody, assertSafeCommandLine, atDigits, atHex, atInt, atQuoted } from "../../../adapters/at/safe-args.js";
import { GatewayError } from "../../../src/shared/errors.js";

/** Runs fn and returns the GatewayError it threw; fails the test if it did not throw one. */
function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected a GatewayError, nothing was thrown");
}

/** C0 controls (JSON.stringify escapes these; DEL is passed through and is harmless in a log line). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this check
const CONTROL = /[\x00-\x1f]/;

describe("atQuoted rejects injection attempts (docs/reliability.md #1-#3)", () => {
  const bad: { title: string; value: string }[] = [
    { title: "a CR followed by a second command", value: "Brand\rAT+CFUN=0\r" },
    { title: "an LF", value: "line1\nline2" },
    { title: "Ctrl-Z followed by a dial command", value: "del1\x1AATD112;" },
    { title: "ESC", value: "abc\x1bdef" },
    { title: "NUL", value: "abc\x00" },
    { title: "DEL", value: "abc\x7f" },
    { title: "a double quote that would close the string", value: 'say "hi"' },
    { title: "a closing quote followed by another command", value: 'x";AT+CFUN=0;"' },
    { title: "a backslash escape", value: "C:\\temp" },
    { title: "non-ASCII letters", value: "Brand på väg" },
    { title: "an emoji", value: "fire 🔥" },
    { title: "a string longer than the limit", value: "x".repeat(65) },
  ];
  it.each(bad)("$title is rejected with AT_UNSAFE_ARGUMENT", ({ value }) => {
    const err = thrown(() => atQuoted(value, "status text"));
    expect(err.code).toBe("AT_UNSAFE_ARGUMENT");
    expect(err.context).toEqual({ what: "status text" });
  });

  it.each(bad)("the error message for $title contains no raw control characters (log injection)", ({ value }) => {
    expect(thrown(() => atQuoted(value, "text")).message).not.toMatch(CONTROL);
  });

  it("printable ASCII with punctuation is quoted", () => {
    expect(atQuoted("Fire at Main St. 12; unit 3", "text")).toBe('"Fire at Main St. 12; unit 3"');
  });

  it("the empty string and a string of exactly the limit are accepted", () => {
    expect(atQuoted("", "text")).toBe('""');
    expect(atQuoted("x".repeat(10), "text", 10)).toBe(`"${"x".repeat(10)}"`);
    expect(thrown(() => atQuoted("x".repeat(11), "text", 10)).code).toBe("AT_UNSAFE_ARGUMENT");
  });

  it("a value that is not a string at run time is rejected", () => {
    expect(thrown(() => atQuoted(42 as unknown as string, "text")).code).toBe("AT_UNSAFE_ARGUMENT");
  });
});

describe("atDigits rejects bad identities (docs/reliability.md #4, #5)", () => {
  const bad: { title: string; value: string; min: number; max: number }[] = [
    { title: "an ISSI followed by a second command", value: "2345678;AT+CTOM=1", min: 1, max: 8 },
    { title: "an international number with +", value: "+46701234567", min: 1, max: 8 },
    { title: "a 9-digit ISSI", value: "123456789", min: 1, max: 8 },
    { title: "an empty ISSI", value: "", min: 1, max: 8 },
    { title: "an MSISDN followed by CR LF and a delete command", value: "0701234567\r\nAT+CMGD=1,4", min: 3, max: 20 },
    { title: "an ISSI with a trailing CR", value: "2345678\r", min: 1, max: 8 },
    { title: "an ISSI with a trailing LF", value: "2345678\n", min: 1, max: 8 },
    { title: "an ISSI with spaces", value: "234 5678", min: 1, max: 8 },
    { title: "Arabic-Indic digits", value: "١٢٣", min: 1, max: 8 },
    { title: "full-width digits", value: "１２３", min: 1, max: 8 },
    { title: "a quoted number", value: '"123"', min: 1, max: 8 },
    { title: "a negative number", value: "-1", min: 1, max: 8 },
  ];
  it.each(bad)("$title is rejected with AT_UNSAFE_ARGUMENT", ({ value, min, max }) => {
    const err = thrown(() => atDigits(value, "ISSI", min, max));
    expect(err.code).toBe("AT_UNSAFE_ARGUMENT");
    expect(err.message).not.toMatch(CONTROL);
  });

  it.each(["1", "2345678", "12345678", "00000001"])("%s is a valid 1-8 digit ISSI", (v) => {
    expect(atDigits(v, "ISSI", 1, 8)).toBe(v);
  });

  it("a number passed where a string is required is rejected", () => {
    expect(thrown(() => atDigits(1234 as unknown as string, "ISSI", 1, 8)).code).toBe("AT_UNSAFE_ARGUMENT");
  });
});

describe("atHex", () => {
  const bad: { title: string; value: string }[] = [
    { title: "non-hex letters from a device (docs/reliability.md #11)", value: "80ZZ" },
    { title: "a g", value: "8g" },
    { title: "a Ctrl-Z inside the data", value: "82\x1a04" },
    { title: "a CR inside the data", value: "82\r04" },
    { title: "a 0x prefix", value: "0x8204" },
    { title: "spaces", value: "82 04" },
  ];
  it.each(bad)("$title is rejected with AT_UNSAFE_ARGUMENT", ({ value }) => {
    expect(thrown(() => atHex(value, "user data")).code).toBe("AT_UNSAFE_ARGUMENT");
  });

  it("lower-case hex is upper-cased", () => {
    expect(atHex("82abCDef", "user data")).toBe("82ABCDEF");
  });

  it("the empty string is accepted", () => {
    expect(atHex("", "user data")).toBe("");
  });
});

describe("atInt", () => {
  const bad: { title: string; value: number }[] = [
    { title: "a fraction", value: 1.5 },
    { title: "NaN", value: Number.NaN },
    { title: "Infinity", value: Number.POSITIVE_INFINITY },
    { title: "a value below the minimum", value: -1 },
    { title: "a value above the maximum", value: 256 },
  ];
  it.each(bad)("$title is rejected with AT_UNSAFE_ARGUMENT", ({ value }) => {
    expect(thrown(() => atInt(value, "PID", 0, 255)).code).toBe("AT_UNSAFE_ARGUMENT");
  });

  it.each([0, 130, 255])("%i within 0-255 is written as decimal digits", (v) => {
    expect(atInt(v, "PID", 0, 255)).toBe(String(v));
  });

  it("a numeric string at run time is rejected", () => {
    expect(thrown(() => atInt("12" as unknown as number, "PID", 0, 255)).code).toBe("AT_UNSAFE_ARGUMENT");
  });
});

describe("assertSafeCommandLine (the engine's last check)", () => {
  const bad: { title: string; line: string }[] = [
    { title: "a line with an embedded CR and second command", line: "AT+CTGS=1\rAT+CFUN=0" },
    { title: "a line with a trailing CR", line: "AT+CTGS?\r" },
    { title: "a line with a trailing LF (JS $ is end of input)", line: "AT+CTGS?\n" },
    { title: "a line with Ctrl-Z", line: "ATD112;\x1a" },
    { title: "a line with ESC", line: "AT\x1b" },
    { title: "a line with NUL", line: "AT\x00" },
    { title: "a line with non-ASCII", line: "AT+CTSDS=\"é\"" },
    { title: "an empty line", line: "" },
    { title: "a line not starting with AT", line: "+CMGS=1" },
    { title: "a line starting with a space", line: " AT" },
  ];
  it.each(bad)("$title is rejected with AT_UNSAFE_ARGUMENT", ({ line }) => {
    const err = thrown(() => assertSafeCommandLine(line));
    expect(err.code).toBe("AT_UNSAFE_ARGUMENT");
    expect(err.message).not.toMatch(CONTROL);
  });

  it.each(["AT", "at+cgmi", "AT+CTSP=1,3,130", 'AT+CTSDS="x"', "ATE0"])("%s is accepted", (line) => {
    expect(() => assertSafeCommandLine(line)).not.toThrow();
  });
});

describe("assertSafeBody", () => {
  it.each(["82a4", "82 04", "8204\x1a", "80ZZ", "8204\r\n"])("%j is rejected with AT_UNSAFE_ARGUMENT", (body) => {
    expect(thrown(() => assertSafeBody(body)).code).toBe("AT_UNSAFE_ARGUMENT");
  });

  it.each(["", "8204", "0123456789ABCDEF"])("%j is accepted", (body) => {
    expect(() => assertSafeBody(body)).not.toThrow();
  });
});
