/**
 * Addresses a recipient can be reached at. An ISSI/GSSI is a TETRA short subscriber identity of 24 bits,
 * written as 1-8 decimal digits (ETSI EN 300 392-1 clause 7); an MSISDN is E.164 (ITU-T E.164: at most 15
 * digits, here always with the leading `+`).
 */
import { MAX_SSI } from "../shared/addresses.js";

export const SSI_PATTERN = "^[0-9]{1,8}$";
export const E164_PATTERN = "^\\+[1-9][0-9]{5,14}$";

const SSI = new RegExp(SSI_PATTERN);
const E164 = new RegExp(E164_PATTERN);

export const isSsi = (s: string): boolean => SSI.test(s) && Number(s) <= MAX_SSI;
export const isE164 = (s: string): boolean => E164.test(s);

/** One SSI written two ways ("02001001" from an ITSI tail, "2001001" in the roster) compares equal. */
export function sameSsi(a: string, b: string): boolean {
  return /^[0-9]+$/.test(a) && /^[0-9]+$/.test(b) && Number(a) === Number(b);
}

/** `0046701…`, `46701…` and `+46701…` are one number; other originators compare as written. */
export function normaliseMsisdn(s: string): string {
  const t = s.replace(/[\s-]/g, "");
  if (t.startsWith("+")) return t;
  if (t.startsWith("00")) return `+${t.slice(2)}`;
  return /^[1-9][0-9]{6,14}$/.test(t) ? `+${t}` : t;
}

export const sameMsisdn = (a: string, b: string): boolean => normaliseMsisdn(a) === normaliseMsisdn(b);

/** Channels a person can be reached on. `mqtt` names a device topic on the local broker. */
export type ChannelKind = "sds" | "sms" | "mqtt";

/** One contact path (exactly one key): `{sds: "2001001"}`, `{sms: "+46701000001"}` or `{mqtt: "devices/pager-7"}`. */
export interface Channel {
  sds?: string;
  sms?: string;
  mqtt?: string;
}

export function channelOf(c: Channel): { channel: ChannelKind; address: string } {
  if (c.sds !== undefined) return { channel: "sds", address: c.sds };
  if (c.sms !== undefined) return { channel: "sms", address: c.sms };
  return { channel: "mqtt", address: c.mqtt ?? "" };
}

/** True when an incoming message from `from` on `channel` comes from the contact path `address`. */
export function sameAddress(channel: ChannelKind, a: string, b: string): boolean {
  if (channel === "sds") return sameSsi(a, b);
  if (channel === "sms") return sameMsisdn(a, b);
  return a === b;
}
