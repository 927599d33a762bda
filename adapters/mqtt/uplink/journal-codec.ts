import { decodeCrcLine, encodeCrcLine } from "../../../src/shared/crc-line.js";
import { fail, ok, type ParseResult } from "../../../src/shared/errors.js";

/**
 * One line of the upstream queue's journal: `<crc32 as 8 hex digits> <json>\n`. The CRC covers the JSON
 * bytes, so a torn write after a power cut (a half line, or a line of NULs, reliability R2) is detected and
 * the record discarded — it was never acknowledged to anyone.
 *
 *   m  one message:   {"t":"m","s":12,"tp":"region/x/alerts/7","p":"<base64>","q":1,"r":false,"at":"…"}
 *   h  head pointer:  {"t":"h","s":13}   every record with seq < 13 is done (sent and PUBACKed, or dropped)
 */
export type JournalRecord =
  | { t: "m"; s: number; tp: string; p: string; q: 0 | 1; r: boolean; at: string }
  | { t: "h"; s: number };

/** One journal line, newline included. */
export function encodeRecord(r: JournalRecord): Buffer {
  return encodeCrcLine(r);
}

/** Parses one journal line; never throws. */
export function decodeRecord(line: string): ParseResult<JournalRecord> {
  const decoded = decodeCrcLine(line);
  if (!decoded.ok) return decoded;
  if (typeof decoded.value !== "object" || decoded.value === null) return fail("unknown record shape");
  const r = decoded.value as Partial<Record<string, unknown>>;
  if (r["t"] === "h" && Number.isSafeInteger(r["s"])) return ok({ t: "h", s: r["s"] as number });
  if (r["t"] === "m" && Number.isSafeInteger(r["s"]) && typeof r["tp"] === "string" && typeof r["p"] === "string" && (r["q"] === 0 || r["q"] === 1)) {
    return ok({ t: "m", s: r["s"] as number, tp: r["tp"], p: r["p"], q: r["q"], r: r["r"] === true, at: typeof r["at"] === "string" ? r["at"] : "" });
  }
  return fail("unknown record shape");
}
