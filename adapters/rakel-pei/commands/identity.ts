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

/**
 * `AT+CREG?`. Two shapes exist: 27.007 §7.2 `+CREG: <n>,<stat>[,<lac>,<ci>[,…]]` (even field count) and
 * EN 300 392-5's `+CREG: <stat>,<LA>,<MNI>` (no `<n>`, three fields), which TETRA terminals use. Reading the
 * TETRA form as 27.007 took the location area for the status and made an out-of-service terminal look
 * registered. stat 1 home, 5 roaming = registered.
 */
export const readRegistration: AtCommand<void, { stat: number; registered: boolean }> = {
  name: "CREG?",
  build: () => "AT+CREG?",
  expect: ["+CREG"],
  timeoutMs: 3000,
  idempotent: true,
  parse(lines) {
    const answers = lines.filter((l) => lineHeader(l) === "+CREG");
    // A 27.007 read answer wins over an unsolicited change that arrived during the read.
    const answer = answers.find((l) => splitFields(lineValue(l)).length % 2 === 0) ?? answers.at(-1);
    if (answer === undefined) throw bad("CREG?", lines);
    const stat = registrationStat(splitFields(lineValue(answer)));
    if (stat === undefined) throw bad("CREG?", lines);
    return { stat, registered: stat === 1 || stat === 5 };
  },
};

/** `<stat>` of a `+CREG` line's fields: the second of an even count (27.007 read), else the first. */
export function registrationStat(fields: readonly string[]): number | undefined {
  const stat = Number(fields.length % 2 === 0 ? fields[1] : fields[0]);
  return Number.isInteger(stat) ? stat : undefined;
}

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
