import type { RegistrationInfo } from "../../../src/ports/sms-modem.js";
import { type ParseResult, fail, ok } from "../../../src/shared/errors.js";
import { type UrcDefinition, lineValue, splitFields } from "../../at/at-command.js";
import { registrationOf } from "../commands/network-commands.js";
import { intField } from "../commands/response.js";

/**
 * Unsolicited result codes of a 27.005/27.007 modem in PDU mode. `+CMT` and `+CDS` carry the PDU on the
 * next line (27.005 §3.4.1), so they declare one trailing hex line: a header whose PDU line never comes
 * (unplug, reboot) is dropped after the engine's owed-line timeout instead of eating the next answer.
 */

/** `+CMTI: <mem>,<index>` / `+CDSI: <mem>,<index>`: a message (or status report) was stored. */
export interface StoredIndication {
  memory: string;
  index: number;
}

/** `+CMT: [<alpha>],<length>` / `+CDS: <length>` + PDU: routed directly, not stored. */
export interface DirectPdu {
  length: number | undefined;
  hex: string;
}

function stored(name: string, prefix: string): UrcDefinition<StoredIndication> {
  return {
    name,
    prefix,
    trailingLines: 0,
    parse(lines): ParseResult<StoredIndication> {
      const f = splitFields(lineValue(lines[0] ?? ""));
      const index = intField(f[1]);
      return index === undefined ? fail(`unreadable ${prefix}`) : ok({ memory: f[0] ?? "", index });
    },
  };
}

function direct(name: string, prefix: string): UrcDefinition<DirectPdu> {
  return {
    name,
    prefix,
    trailingLines: 1,
    trailingPattern: /^[0-9A-Fa-f]+$/,
    parse(lines): ParseResult<DirectPdu> {
      const hex = (lines[1] ?? "").trim().toUpperCase();
      if (!/^(?:[0-9A-F]{2})+$/.test(hex)) return fail(`${prefix} PDU line is not even-length hex`);
      return ok({ length: intField(splitFields(lineValue(lines[0] ?? "")).at(-1)), hex });
    },
  };
}

/**
 * `+CREG: <stat>[,<lac>,<ci>[,<AcT>]]` / `+CEREG: <stat>[,…]` (27.007 §7.2, §10.1.22). The solicited read
 * (`<n>,<stat>`) is owned by `AT+CREG?` through `expect`, so whatever reaches here is the unsolicited form.
 */
function registration(kind: "CREG" | "CEREG"): UrcDefinition<{ kind: "CREG" | "CEREG"; info: RegistrationInfo }> {
  return {
    name: kind,
    prefix: `+${kind}`,
    trailingLines: 0,
    parse(lines) {
      const stat = intField(splitFields(lineValue(lines[0] ?? ""))[0]);
      return stat === undefined ? fail(`unreadable +${kind}`) : ok({ kind, info: registrationOf(stat) });
    },
  };
}

/** `+CMTI: <mem>,<index>`: an SMS was stored. */
export const cmtiUrc = stored("CMTI", "+CMTI");
/** `+CDSI: <mem>,<index>`: a status report was stored. */
export const cdsiUrc = stored("CDSI", "+CDSI");
/** `+CMT: [<alpha>],<length>` + PDU: an SMS routed directly. */
export const cmtUrc = direct("CMT", "+CMT");
/** `+CDS: <length>` + PDU: a status report routed directly. */
export const cdsUrc = direct("CDS", "+CDS");

/** Incoming call indications: logged so they are not counted as unknown lines (the gateway never answers). */
const ringUrc: UrcDefinition<null> = { name: "RING", prefix: "RING", trailingLines: 0, parse: () => ok(null) };

/** The registry the modem's AT engine classifies with. */
export const MODEM_URCS: readonly UrcDefinition[] = [cmtiUrc, cdsiUrc, cmtUrc, cdsUrc, registration("CREG"), registration("CEREG"), ringUrc];
