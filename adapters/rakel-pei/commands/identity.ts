import { GatewayError } from "../../../src/shared/errors.js";
import { type AtCommand, lineHeader, lineValue, splitFields } from "../../at/at-command.js";
import { infoTextCommand } from "../../at/basic-commands.js";

/**
 * Read-only identity and state queries (EN 300 392-5 clause 6.11 identities, 6.14 MT settings; docs/pei.md §8.1).
 * All are idempotent and retried once by the engine.
 */
function bad(name: string, lines: readonly string[]): GatewayError {
  return new GatewayError("AT_BAD_RESPONSE", `${name}: unexpected answer ${JSON.stringify(lines.slice(0, 3))}`, { context: { lines } });
}

function valueOf(name: string, header: string, lines: readonly string[]): string {
  const line = lines.find((l) => lineHeader(l) === header);
  if (line === undefined) throw bad(name, lines);
  return lineValue(line);
}

/** `AT+CNUMF?` → `+CNUMF: <num type>,<ITSI>` (type 6 = individual extended TSI); own identity. */
export const readOwnIdentity: AtCommand<void, { numType: number; itsi: string }> = {
  name: "CNUMF?",
  build: () => "AT+CNUMF?",
  expect: ["+CNUMF"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    // Some terminals list several fixed identities; the individual one (type 0 or 6) is ours.
    const entries = lines
      .map((l) => splitFields(lineHeader(l) === "+CNUMF" ? lineValue(l) : l.trim()))
      .filter((f) => f.length >= 2 && /^\d+$/.test(f[0]!) && /^\d{1,20}$/.test(f[1]!));
    const own = entries.find((f) => f[0] === "0" || f[0] === "6") ?? entries[0];
    if (!own) throw bad("CNUMF?", lines);
    return { numType: Number(own[0]), itsi: own[1]! };
  },
};

/** `AT+GMI`, `AT+GMM`, `AT+GMR`: manufacturer, model, firmware as free text (docs/pei.md §8.1). */
export function infoText(command: "AT+GMI" | "AT+GMM" | "AT+GMR"): AtCommand<void, string> {
  return infoTextCommand(command, 3000);
}

/** `AT+CREG?` → `+CREG: <n>,<stat>[,…]` (27.007 §7.2 form; stat 1 home, 5 roaming = registered). */
export const readRegistration: AtCommand<void, { stat: number; registered: boolean }> = {
  name: "CREG?",
  build: () => "AT+CREG?",
  expect: ["+CREG"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    const answer = lines.filter((l) => lineHeader(l) === "+CREG").find((l) => splitFields(lineValue(l)).length % 2 === 0);
    const f = splitFields(answer === undefined ? valueOf("CREG?", "+CREG", lines) : lineValue(answer));
    const stat = Number(f.length >= 2 ? f[1] : f[0]);
    if (!Number.isInteger(stat)) throw bad("CREG?", lines);
    return { stat, registered: stat === 1 || stat === 5 };
  },
};

/** `AT+CSQ?` → `+CSQ: <rssi>,<ber>`; dBm = −113 + 2·rssi, 99 unknown (docs/pei.md §8.1). */
export const readSignal: AtCommand<void, { rssi: number; dbm: number | null }> = {
  name: "CSQ?",
  build: () => "AT+CSQ?",
  expect: ["+CSQ"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    const rssi = Number(splitFields(valueOf("CSQ?", "+CSQ", lines))[0]);
    if (!Number.isInteger(rssi)) throw bad("CSQ?", lines);
    return { rssi, dbm: rssi === 99 ? null : -113 + 2 * rssi };
  },
};

/** `AT+CMGS=?` → `+CMGS: (…),(8-1184)`: the advertised maximum SDS length in bits (docs/pei.md §3.2). */
export const readSdsLimits: AtCommand<void, { maxBits: number }> = {
  name: "CMGS=?",
  build: () => "AT+CMGS=?",
  expect: ["+CMGS"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    const ranges = [...valueOf("CMGS=?", "+CMGS", lines).matchAll(/\((\d+)-(\d+)\)/g)];
    const last = ranges.at(-1);
    if (!last) throw bad("CMGS=?", lines);
    return { maxBits: Number(last[2]) };
  },
};
