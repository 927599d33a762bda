import { crc32 } from "node:zlib";
import { fail, ok, type ParseResult } from "./errors.js";

/**
 * One record of an append-only journal: `<crc32 of the JSON as 8 hex digits> <json>\n`. A torn write after
 * a power cut (half a line, or a run of NULs) fails the CRC and is detected instead of being half-read.
 * Used by the upstream queue and the alert journal.
 */
export function encodeCrcLine(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), "utf8");
  const crc = crc32(json).toString(16).padStart(8, "0");
  return Buffer.concat([Buffer.from(`${crc} `, "latin1"), json, Buffer.from("\n", "latin1")]);
}

/** Parses one line (without its newline); never throws. */
export function decodeCrcLine(line: string): ParseResult<unknown> {
  if (line.length < 10 || line[8] !== " ") return fail("no CRC prefix");
  const json = line.slice(9);
  if (crc32(Buffer.from(json, "utf8")).toString(16).padStart(8, "0") !== line.slice(0, 8)) return fail("CRC mismatch");
  try {
    return ok(JSON.parse(json) as unknown);
  } catch {
    return fail("not JSON");
  }
}
