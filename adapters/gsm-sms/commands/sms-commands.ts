import { GatewayError } from "../../../src/shared/errors.js";
import { type AtCommand, lineHeader, lineValue, splitFields } from "../../at/at-command.js";
import { atHex, atInt } from "../../at/safe-args.js";
import { assertSafeHex } from "../pdu/index.js";
import { badResponse, intField, pduLineAfter, valueOf } from "./response.js";

/**
 * SMS commands in PDU mode (3GPP TS 27.005 §3.4-3.5). The message text never reaches a command line:
 * `AT+CMGS=<length>` carries digits only and the PDU is uppercase hex checked twice (here and by the engine),
 * so CR, Ctrl-Z or ESC in a text cannot end the PDU early or start a command (docs/reliability.md #1-#3, goal S2).
 */

export interface SubmitArgs {
  /** TPDU octets (without the SMSC field), the `<length>` of `AT+CMGS`. */
  length: number;
  /** SMSC field + TPDU in hex, as `encodeSubmit` makes it. */
  hex: string;
}

/**
 * `AT+CMGS=<length>` ⏎ wait for `> ` ⏎ `<pdu>` Ctrl-Z → `+CMGS: <mr>[,<ackpdu>]` (27.005 §3.5.1). The
 * prompt has no line end, so the tokenizer reports it as its own token (docs/pei.md §1.7). Not
 * idempotent: a repeated CMGS is a second SMS on the handset.
 */
export const submitPdu: AtCommand<SubmitArgs, { reference: number }> = {
  name: "CMGS",
  build: ({ length }) => `AT+CMGS=${atInt(length, "TPDU length", 7, 176)}`,
  body: ({ hex, length }) => {
    const safe = atHex(hex, "SMS PDU");
    assertSafeHex(safe);
    const smscOctets = 1 + parseInt(safe.slice(0, 2), 16);
    if (safe.length / 2 !== smscOctets + length) {
      throw new GatewayError("SMS_INVALID", `PDU has ${safe.length / 2} octets, expected ${smscOctets} (SMSC) + ${length} (TPDU)`);
    }
    return safe;
  },
  awaitPrompt: true,
  expect: ["+CMGS"],
  timeoutMs: 30_000,
  idempotent: false,
  parse(lines) {
    const mr = intField(splitFields(valueOf("CMGS", "+CMGS", lines))[0]);
    if (mr === undefined || mr < 0 || mr > 255) throw badResponse("CMGS", lines);
    return { reference: mr };
  },
};

/** One stored message as `+CMGR`/`+CMGL` give it: index (CMGL only), status, TPDU length and PDU hex. */
export interface StoredPdu {
  index: number | undefined;
  /** 27.005 §3.1 `<stat>`: 0 received unread, 1 received read, 2 stored unsent, 3 stored sent. */
  stat: number | undefined;
  length: number | undefined;
  hex: string;
}

/** `AT+CMGR=<index>` → `+CMGR: <stat>,[<alpha>],<length>` + PDU line (27.005 §3.4.3); `undefined` if empty. */
export const readStored: AtCommand<{ index: number }, StoredPdu | undefined> = {
  name: "CMGR",
  build: ({ index }) => `AT+CMGR=${atInt(index, "message index", 0, 65535)}`,
  expect: ["+CMGR"],
  timeoutMs: 5000,
  idempotent: true,
  parse(lines) {
    const i = lines.findIndex((l) => lineHeader(l) === "+CMGR");
    if (i < 0) return undefined; // some modems answer a bare OK for an empty slot
    const f = splitFields(lineValue(lines[i]!));
    const hex = pduLineAfter(lines, i);
    if (hex === undefined) throw badResponse("CMGR", lines);
    return { index: undefined, stat: intField(f[0]), length: intField(f.at(-1)), hex };
  },
};

/** `AT+CMGL=<stat>` (4 = all) → pairs of `+CMGL: <index>,<stat>,[<alpha>],<length>` + PDU (27.005 §3.4.2). */
export const listStored: AtCommand<{ stat: 0 | 1 | 4 }, StoredPdu[]> = {
  name: "CMGL",
  build: ({ stat }) => `AT+CMGL=${atInt(stat, "status", 0, 4)}`,
  expect: ["+CMGL"],
  timeoutMs: 20_000,
  idempotent: true,
  parse(lines) {
    const out: StoredPdu[] = [];
    lines.forEach((l, i) => {
      if (lineHeader(l) !== "+CMGL") return;
      const f = splitFields(lineValue(l));
      const hex = pduLineAfter(lines, i);
      // A header without its PDU line is skipped, not fatal: the message stays stored for the next sweep.
      if (hex !== undefined) out.push({ index: intField(f[0]), stat: intField(f[1]), length: intField(f.at(-1)), hex });
    });
    return out;
  },
};

/** `AT+CMGD=<index>` (27.005 §3.5.4). Idempotent: deleting an empty slot again is harmless. */
export const deleteStored: AtCommand<{ index: number }, void> = {
  name: "CMGD",
  build: ({ index }) => `AT+CMGD=${atInt(index, "message index", 0, 65535)}`,
  timeoutMs: 5000,
  idempotent: true,
  parse: () => undefined,
};

/** `AT+CMMS=<n>` (27.005 §3.5.6): 2 keeps the relay link open between the parts of a callout. */
export const moreMessagesToSend: AtCommand<{ mode: 0 | 1 | 2 }, void> = {
  name: "CMMS",
  build: ({ mode }) => `AT+CMMS=${atInt(mode, "CMMS mode", 0, 2)}`,
  timeoutMs: 3000,
  idempotent: true,
  parse: () => undefined,
};

/** `AT+CNMA` (27.005 §3.4.4): acknowledges a `+CMT`/`+CDS` routed directly when `AT+CSMS=1`. */
export const acknowledgeNew: AtCommand<void, void> = {
  name: "CNMA",
  build: () => "AT+CNMA",
  timeoutMs: 3000,
  idempotent: false,
  parse: () => undefined,
};
