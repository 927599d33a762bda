import { type ParseResult, fail, ok } from "../../../src/shared/errors.js";
import { type UrcDefinition, lineValue, splitFields } from "../../at/at-command.js";
import { isCmgsTransmissionReport, parseCmgsFields, type CmgsAnswer } from "../commands/sds-send.js";
import { registrationStat } from "../commands/identity.js";
import { parseCtgs, parseCtom } from "../commands/mode-and-group.js";
import { parseCtsdsrHeader, type CtsdsrHeader } from "../sds/ctsdsr-header.js";

/**
 * The unsolicited result codes of a PEI terminal (docs/pei.md §1.4): their headers, how many data lines follow,
 * and their parsers. Everything here may arrive at any time, also between a response and its `OK`.
 */
export interface IncomingSdsUrc {
  header: CtsdsrHeader;
  hex: string;
}

/** `+CTSDSR: …` + one hex line (EN 300 392-5 clause 6.13.3). Hex is checked, not decoded, here. */
export const ctsdsrUrc: UrcDefinition<IncomingSdsUrc> = {
  name: "CTSDSR",
  prefix: "+CTSDSR",
  trailingLines: 1,
  // A header followed by anything but hex means the data line was lost (unplug, reboot): docs/reliability.md #8.
  trailingPattern: /^[0-9A-Fa-f\s]*$/,
  parse(lines): ParseResult<IncomingSdsUrc> {
    const header = parseCtsdsrHeader(lines[0] ?? "");
    if (!header.ok) return header;
    const hex = (lines[1] ?? "").replace(/\s+/g, "").toUpperCase();
    if (!/^[0-9A-F]*$/.test(hex)) return fail("SDS data line is not hexadecimal");
    // Catalogue #9: the data may only differ from the declared length by the padding to a whole octet
    // (Sepura sends 84 bits as 21 digits, Motorola as 22). Anything else is not this header's data, e.g. a
    // hex-looking answer (`AT+GMR` → `20240101`) taken for the data line of a truncated header: drop it
    // instead of passing a phantom SDS on (found by test/integration/rakel-pei/receive-malformed.test.ts).
    const need = Math.ceil(header.value.bits / 4);
    if (hex.length < need || hex.length > need + 1) return fail(`SDS data has ${hex.length} hex digits for a length of ${header.value.bits} bits`);
    return ok({ header: header.value, hex });
  },
};

/** `+CMGS: <instance>,<status>,<ref>`: transmission result (4 sent over the air, 5 failed), docs/pei.md §3.2. */
export const cmgsReportUrc: UrcDefinition<CmgsAnswer> = {
  name: "CMGS-REPORT",
  prefix: "+CMGS",
  match: isCmgsTransmissionReport,
  trailingLines: 0,
  parse: (lines) => ok(parseCmgsFields(lines[0] ?? "")),
};

export const ctgsUrc: UrcDefinition<{ gssi: string | undefined }> = {
  name: "CTGS",
  prefix: "+CTGS",
  trailingLines: 0,
  parse: (lines) => ok({ gssi: parseCtgs(lines[0] ?? "") }),
};

export const ctomUrc: UrcDefinition<{ code: number; name: string }> = {
  name: "CTOM",
  prefix: "+CTOM",
  trailingLines: 0,
  parse(lines) {
    const m = parseCtom(lines[0] ?? "");
    return m ? ok(m) : fail("unreadable +CTOM");
  },
};

function cregDefinition(match?: (line: string) => boolean): UrcDefinition<{ stat: number; registered: boolean }> {
  return {
    name: "CREG",
    prefix: "+CREG",
    trailingLines: 0,
    ...(match ? { match } : {}),
    parse(lines) {
      const stat = registrationStat(splitFields(lineValue(lines[0] ?? "")));
      return stat !== undefined ? ok({ stat, registered: stat === 1 || stat === 5 }) : fail("unreadable +CREG");
    },
  };
}

/**
 * Unsolicited `+CREG`. Only the shapes that cannot be a read answer win over `AT+CREG?` while it runs:
 * `+CREG: <stat>` and 27.007's `+CREG: <stat>,"<lac>","<ci>"` (quoted hex). The TETRA form
 * `+CREG: <stat>,<LA>,<MNI>` is also the TETRA read answer, so during `AT+CREG?` it is the answer (its
 * content is the same) and otherwise a report.
 */
export const cregUrc = cregDefinition((line) => {
  const f = splitFields(lineValue(line));
  return f.length === 1 || (f.length === 3 && /^"/.test(lineValue(line).split(",")[1]?.trim() ?? ""));
});
const cregTetraUrc = cregDefinition();

/** Call signalling (docs/pei.md §8.2): only whether a call is active matters to the gateway today. */
function callUrc(name: string, prefix: string, active: boolean | undefined): UrcDefinition<{ cc: number | undefined; active: boolean | undefined; fields: string[] }> {
  return {
    name,
    prefix,
    trailingLines: 0,
    parse(lines) {
      const fields = splitFields(lineValue(lines[0] ?? ""));
      // Number("") is 0: an empty `+CTICN:` marked call 0 active for good (callActive stuck true, which
      // blocks talk-group probing). Only digits are a CC instance (receive-malformed.test.ts).
      const cc = /^\d+$/.test(fields[0] ?? "") ? Number(fields[0]) : undefined;
      return ok({ cc, active, fields });
    },
  };
}

export const PEI_URCS: readonly UrcDefinition[] = [
  ctsdsrUrc,
  cmgsReportUrc,
  ctgsUrc,
  ctomUrc,
  cregUrc,
  cregTetraUrc,
  callUrc("CTICN", "+CTICN", true),
  callUrc("CTOCP", "+CTOCP", true),
  callUrc("CTCC", "+CTCC", true),
  callUrc("CTXG", "+CTXG", true),
  callUrc("CDTXC", "+CDTXC", undefined),
  callUrc("CTCR", "+CTCR", false),
  callUrc("CTXI", "+CTXI", undefined),
  callUrc("CTXW", "+CTXW", undefined),
  callUrc("CTDGR", "+CTDGR", undefined),
];
