/**
 * `+CTSDSR:` header of an incoming SDS (EN 300 392-5 clause 6.13.3; docs/pei.md §4.1):
 * `+CTSDSR: <AI service>,[<calling id>],[<calling id type>],<called id>,<called id type>,<length>[,<e2ee>]`
 * followed by one line of hex user data.
 */
import { fail, ok } from "../../../src/shared/errors.js";
import type { ParseResult } from "../../../src/shared/errors.js";

/** Parsed `+CTSDSR:` header. */
export interface CtsdsrHeader {
  /** AI service: 9–11 SDS types 1–3, 12 SDS type 4, 13 status (docs/pei.md §3.1). */
  aiService: number;
  /** Calling party identity (absent in the 3/4-field forms or when the field is empty). */
  source?: string;
  /** Calling party identity type: 0 SSI, 1 TSI, … (docs/pei.md §3.1). */
  sourceType?: number;
  /** Called party identity (our ITSI, or a GSSI for group messages). */
  destination: string;
  destinationType?: number;
  /** Length of the following hex data in bits. */
  bits: number;
  /** End-to-end encryption flag (7-field form only). */
  e2ee?: boolean;
}

const PREFIX = "+CTSDSR:";

function field(raw: string | undefined): string {
  return (raw ?? "").trim().replace(/^"(.*)"$/, "$1").trim();
}

function uint(raw: string, what: string): ParseResult<number> {
  if (!/^\d+$/.test(raw)) return fail(`${what} is not a non-negative integer: ${JSON.stringify(raw)}`);
  return ok(Number.parseInt(raw, 10));
}

function optionalUint(raw: string, what: string): ParseResult<number | undefined> {
  return raw === "" ? ok(undefined) : uint(raw, what);
}

/**
 * Parse a `+CTSDSR:` line. Accepts 3 fields (service, called, length), 4 (service, called, called type,
 * length), 6 (service, calling, calling type, called, called type, length) and 7 (plus e2ee), as ftl-pei does
 * (docs/pei.md §4.1); more than 7 fields are tolerated and the extras ignored. The space after the colon is
 * optional (Azart radios omit it, docs/pei.md §1.4), the prefix is matched case-insensitively, and empty calling
 * fields (`12,,,2345678,0,120`) are allowed. Never throws.
 */
export function parseCtsdsrHeader(line: string): ParseResult<CtsdsrHeader> {
  const trimmed = line.trim();
  if (trimmed.slice(0, PREFIX.length).toUpperCase() !== PREFIX) return fail(`not a +CTSDSR header: ${JSON.stringify(line.slice(0, 40))}`);
  const fields = trimmed.slice(PREFIX.length).split(",").map(field);
  const n = fields.length;
  if (n !== 3 && n !== 4 && n < 6) return fail(`+CTSDSR header has ${n} fields; expected 3, 4, 6 or 7`);

  const service = uint(fields[0]!, "AI service");
  if (!service.ok) return service;

  let source: string | undefined;
  let sourceType: ParseResult<number | undefined> = ok(undefined);
  let destination: string;
  let destinationType: ParseResult<number | undefined> = ok(undefined);
  let lengthField: string;
  let e2eeField = "";
  if (n === 3) {
    destination = fields[1]!;
    lengthField = fields[2]!;
  } else if (n === 4) {
    destination = fields[1]!;
    destinationType = optionalUint(fields[2]!, "called party identity type");
    lengthField = fields[3]!;
  } else {
    source = fields[1]! === "" ? undefined : fields[1]!;
    sourceType = optionalUint(fields[2]!, "calling party identity type");
    destination = fields[3]!;
    destinationType = optionalUint(fields[4]!, "called party identity type");
    lengthField = fields[5]!;
    e2eeField = fields[6] ?? "";
  }
  if (!sourceType.ok) return sourceType;
  if (!destinationType.ok) return destinationType;
  if (destination === "") return fail("+CTSDSR header has an empty called party identity");
  const bits = uint(lengthField, "length");
  if (!bits.ok) return bits;
  const e2ee = optionalUint(e2eeField, "end-to-end encryption flag");
  if (!e2ee.ok) return e2ee;

  const header: CtsdsrHeader = { aiService: service.value, destination, bits: bits.value };
  if (source !== undefined) header.source = source;
  if (sourceType.value !== undefined) header.sourceType = sourceType.value;
  if (destinationType.value !== undefined) header.destinationType = destinationType.value;
  if (e2ee.value !== undefined) header.e2ee = e2ee.value !== 0;
  return ok(header);
}
