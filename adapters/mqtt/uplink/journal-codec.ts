import { crc32 } from "node:zlib";
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
  const json = Buffer.from(JSON.stringify(r), "utf8");
  const crc = crc32(json).toString(16).padStart(8, "0");
  return Buffer.concat([Buffer.from(`${crc} `, "latin1"), json, Buffer.from("\n", "latin1")]);
}

/** Parses one journal line; never throws. */
export function decodeRecord(line: string): ParseResult<JournalRecord> {
  if (line.length < 10 || line[8] !== " ") return fail("no CRC prefix");
  const json = line.slice(9);
  const want = line.slice(0, 8);
  if (crc32(Buffer.from(json, "utf8")).toString(16).padStart(8, "0") !== want) return fail("CRC mismatch");
  let rec: unknown;
  try {
    rec = JSON.parse(json);
  } catch {
    return fail("not JSON");
  }
  const r = rec as Partial<Record<string, unknown>>;
  if (r["t"] === "h" && Number.isSafeInteger(r["s"])) return ok({ t: "h", s: r["s"] as number });
  if (r["t"] === "m" && Number.isSafeInteger(r["s"]) && typeof r["tp"] === "string" && typeof r["p"] === "string" && (r["q"] === 0 || r["q"] === 1)) {
    return ok({ t: "m", s: r["s"] as number, tp: r["tp"], p: r["p"], q: r["q"], r: r["r"] === true, at: typeof r["at"] === "string" ? r["at"] : "" });
  }
  return fail("unknown record shape");
}
