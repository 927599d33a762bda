import { GatewayError } from "../../../src/shared/errors.js";
import { type AtCommand, lineHeader, lineValue } from "../../at/at-command.js";
import { atInt } from "../../at/safe-args.js";
import { issiFromItsi } from "../../../src/shared/addresses.js";

/**
 * The PEI identity lists that name the programmed talk groups (EN 300 392-5 clause 6.11.5, docs/pei.md §7.2):
 * `AT+CNUMS` static identities (codeplug groups with their aliases) and `AT+CNUMD` dynamic identities (DGNA,
 * assigned over the air). ftl-pei's range dance: `=?` gives the supported num types and index ranges, `=<type>,
 * <from>,<to>` selects a range, `?` lists `+CNUMx: <count>` then one `[+CNUMx: ]<n>,<GTSI>,<alias>` per group.
 * Plus Motorola's proprietary DMO list `+CXDCL: <index>,<id>,<alias>,<x>,<y>` (p8gr; the read form of the
 * command was not observed and is assumed to be `AT+CXDCL?`).
 */
export type IdentityList = "+CNUMS" | "+CNUMD";

/** One listed group: GSSI (last 8 digits of the GTSI, docs/pei.md §10.11) and alias. */
export interface ListEntry {
  gssi: string;
  name: string;
}

/** Answer of `AT+CNUMx=?`: the num types and the index range the terminal accepts. */
export interface ListRanges {
  numTypes: number[];
  min: number;
  max: number;
}

/** One page of `AT+CNUMx?`: the count line (when sent) and the entries. */
export interface ListPage {
  count: number | undefined;
  entries: ListEntry[];
}

function bad(name: string, lines: readonly string[]): GatewayError {
  return new GatewayError("AT_BAD_RESPONSE", `${name}: unexpected answer ${JSON.stringify(lines.slice(0, 3))}`, { context: { lines: lines.slice(0, 20) } });
}

/** Parses `(0),(1-2000),(1-2000)` or `(0,1,3),(1-10000),(1-10000)` (ftl-pei tests). */
export function parseListRanges(value: string): ListRanges | undefined {
  const parts = [...value.matchAll(/\(([^)]*)\)/g)].map((m) => m[1] ?? "");
  if (parts.length < 2) return undefined;
  const numTypes = (parts[0] ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => /^\d+$/.test(t))
    .map(Number);
  const range = /^(\d+)\s*-\s*(\d+)$/.exec((parts[2] ?? parts[1] ?? "").trim());
  const start = /^(\d+)/.exec((parts[1] ?? "").trim());
  if (!range || !start) return undefined;
  const min = Number(start[1]);
  const max = Number(range[2]);
  return min >= 0 && max >= min ? { numTypes, min, max } : undefined;
}

/**
 * Parses one entry line `<n>,<GTSI>,<alias>` (header optional). The alias is everything after the second
 * comma — it may itself contain commas — unquoted and trimmed; the GTSI may carry spaces (p8gr:
 * `1,2620100103100998 ,Gruppe 1`). Returns undefined for anything else.
 */
export function parseListEntry(line: string, header: IdentityList | "+CXDCL"): ListEntry | undefined {
  const body = lineHeader(line) === header ? lineValue(line) : line.trim();
  const first = body.indexOf(",");
  const second = first < 0 ? -1 : body.indexOf(",", first + 1);
  if (first < 0) return undefined;
  const identity = (second < 0 ? body.slice(first + 1) : body.slice(first + 1, second)).trim().replace(/^"|"$/g, "");
  if (!/^\d{1,24}$/.test(identity)) return undefined;
  let name = second < 0 ? "" : body.slice(second + 1).trim();
  if (header === "+CXDCL") name = name.split(",")[0]?.trim() ?? "";
  name = name.replace(/^"(.*)"$/, "$1").trim();
  return { gssi: issiFromItsi(identity), name };
}

/** Parses the lines of `AT+CNUMx?`: an optional count line, then entries. Unreadable lines fail the parse. */
export function parseListPage(lines: readonly string[], header: IdentityList): ListPage {
  let count: number | undefined;
  const entries: ListEntry[] = [];
  for (const line of lines) {
    const isHeader = lineHeader(line) === header;
    if (isHeader && /^\d+$/.test(lineValue(line))) {
      count = Number(lineValue(line));
      continue;
    }
    if (!isHeader && line.trim() === "") continue;
    const entry = parseListEntry(line, header);
    if (!entry) throw bad(`${header.slice(1)}?`, lines);
    entries.push(entry);
  }
  return { count, entries };
}

/** `AT+CNUMx=?` → supported num types and index range. */
export function listRangesCommand(list: IdentityList): AtCommand<void, ListRanges> {
  return {
    name: `${list.slice(1)}=?`,
    build: () => `AT${list}=?`,
    expect: [list],
    timeoutMs: 3000,
    idempotent: true,
    parse(lines) {
      const line = lines.find((l) => lineHeader(l) === list);
      const ranges = line === undefined ? undefined : parseListRanges(lineValue(line));
      if (!ranges) throw bad(`${list.slice(1)}=?`, lines);
      return ranges;
    },
  };
}

/** `AT+CNUMx=<num type>,<from>,<to>`: selects the index range the next read lists. */
export function selectRangeCommand(list: IdentityList): AtCommand<{ numType: number; from: number; to: number }, void> {
  return {
    name: `${list.slice(1)}=`,
    build: ({ numType, from, to }) => `AT${list}=${atInt(numType, "num type", 0, 9)},${atInt(from, "index", 0, 65535)},${atInt(to, "index", 0, 65535)}`,
    timeoutMs: 3000,
    idempotent: true,
    parse: () => undefined,
  };
}

/** `AT+CNUMx?` → one page of the list. A long list takes a while to print: 10 s. */
export function readListCommand(list: IdentityList): AtCommand<void, ListPage> {
  return {
    name: `${list.slice(1)}?`,
    build: () => `AT${list}?`,
    expect: [list],
    timeoutMs: 10_000,
    idempotent: true,
    parse: (lines) => parseListPage(lines, list),
  };
}

/** Motorola `AT+CXDCL?` → DMO talk groups (`+CXDCL: <index>,<id>,<alias>,<x>,<y>`, p8gr). */
export const readMotorolaDmoList: AtCommand<void, ListEntry[]> = {
  name: "CXDCL?",
  build: () => "AT+CXDCL?",
  expect: ["+CXDCL"],
  timeoutMs: 10_000,
  idempotent: true,
  parse(lines) {
    return lines.filter((l) => l.trim() !== "").map((l) => parseListEntry(l, "+CXDCL") ?? throwBad(lines));
  },
};

function throwBad(lines: readonly string[]): never {
  throw bad("CXDCL?", lines);
}
