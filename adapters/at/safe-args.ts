import { GatewayError } from "../../src/shared/errors.js";

/**
 * The AT-injection guard. Every value that comes from outside (MQTT, CLI, SDS, config) and goes into a
 * command line passes one of these functions; the engine checks the finished line once more.
 * CR, LF, Ctrl-Z, ESC and anything outside printable ASCII can therefore never reach the wire, so a text
 * like "Brand\rAT+CFUN=0" cannot become a second command (docs/reliability.md #1-#6, goal S2).
 */
function unsafe(what: string, value: unknown, rule: string): GatewayError {
  return new GatewayError("AT_UNSAFE_ARGUMENT", `${what} ${JSON.stringify(String(value)).slice(0, 60)} rejected: ${rule}`, { context: { what } });
}

/** A decimal number within bounds, as digits. */
export function atInt(value: number, what: string, min: number, max: number): string {
  if (!Number.isInteger(value) || value < min || value > max) throw unsafe(what, value, `must be an integer ${min}-${max}`);
  return String(value);
}

/** A string of decimal digits (SSI, TSI, MSISDN without '+'). */
export function atDigits(value: string, what: string, minLen: number, maxLen: number): string {
  if (typeof value !== "string" || !new RegExp(`^\\d{${minLen},${maxLen}}$`).test(value)) {
    throw unsafe(what, value, `must be ${minLen}-${maxLen} decimal digits`);
  }
  return value;
}

/** Uppercase hex user data; lower case is upper-cased, anything else rejected. */
export function atHex(value: string, what: string): string {
  if (typeof value !== "string" || !/^[0-9A-Fa-f]*$/.test(value)) throw unsafe(what, value, "must be hexadecimal digits only");
  return value.toUpperCase();
}

/**
 * A quoted string parameter (V.250 §5.4.2.2): printable ASCII without `"` and `\`. Callers needing other
 * characters must use a hex/PDU representation instead.
 */
export function atQuoted(value: string, what: string, maxLen = 64): string {
  if (typeof value !== "string" || value.length > maxLen || !/^[\x20-\x7e]*$/.test(value) || /["\\]/.test(value)) {
    throw unsafe(what, value, `must be at most ${maxLen} printable ASCII characters without quotes or backslashes`);
  }
  return `"${value}"`;
}

/** Final check of a whole command line, applied by the engine to everything it writes. */
export function assertSafeCommandLine(line: string): void {
  if (!/^AT[\x20-\x7e]*$/i.test(line)) throw unsafe("command line", line, "must start with AT and contain only printable ASCII");
}

/** Final check of user data before Ctrl-Z is appended. */
export function assertSafeBody(body: string): void {
  if (!/^[0-9A-F]*$/.test(body)) throw unsafe("user data", body, "must be uppercase hexadecimal");
}
