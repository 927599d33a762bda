/**
 * Helpers for the PDU codec tests: unwrap decode results, and an independent septet-packing oracle
 * written as plain bit strings (so the packer is not checked against itself).
 */
import { expect } from "vitest";
import { isGatewayError } from "../../../src/shared/errors.js";
import {
  decodePdu,
  type DecodedDeliver,
  type DecodedSms,
  type DecodedStatusReport,
  type DecodedSubmit,
} from "../../../adapters/gsm-sms/pdu/index.js";

export function decodeOk(hex: string, tpduLength?: number): DecodedSms {
  const r = decodePdu(hex, tpduLength);
  if (!r.ok) throw new Error(`expected ${hex} to decode: ${r.reason}`);
  return r.value;
}

export function asSubmit(d: DecodedSms): DecodedSubmit {
  if (d.type !== "submit") throw new Error(`expected submit, got ${d.type}`);
  return d;
}

export function asDeliver(d: DecodedSms): DecodedDeliver {
  if (d.type !== "deliver") throw new Error(`expected deliver, got ${d.type}`);
  return d;
}

export function asStatusReport(d: DecodedSms): DecodedStatusReport {
  if (d.type !== "status-report") throw new Error(`expected status-report, got ${d.type}`);
  return d;
}

/** Septets packed LSB-first after `fill` zero bits, built bit by bit as a string of 0/1. */
export function oraclePack(septets: readonly number[], fill = 0): string {
  let bits = "0".repeat(fill);
  for (const s of septets) for (let b = 0; b < 7; b++) bits += String((s >> b) & 1);
  while (bits.length % 8 !== 0) bits += "0";
  let hex = "";
  for (let i = 0; i < bits.length; i += 8) {
    let v = 0;
    for (let b = 0; b < 8; b++) v |= Number(bits[i + b]) << b;
    hex += v.toString(16).padStart(2, "0").toUpperCase();
  }
  return hex;
}

/** Asserts that `fn` throws a GatewayError with `code` and a message matching `message`. */
export function expectGatewayError(fn: () => unknown, code: "SMS_INVALID" | "AT_UNSAFE_ARGUMENT", message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isGatewayError(thrown, code), `expected GatewayError ${code}, got ${String(thrown)}`).toBe(true);
  if (message !== undefined) expect((thrown as Error).message).toMatch(message);
}

/** Concatenated text of all PDUs of one encode result, decoded again. */
export function decodedTexts(pdus: readonly { hex: string }[]): string[] {
  return pdus.map((p) => {
    const d = asSubmit(decodeOk(p.hex));
    if (d.text === null) throw new Error("no text");
    return d.text;
  });
}
