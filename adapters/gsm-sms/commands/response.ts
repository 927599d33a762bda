import { GatewayError } from "../../../src/shared/errors.js";
import { lineHeader, lineValue } from "../../at/at-command.js";

/** Shared helpers for reading modem answers; parsers throw AT_BAD_RESPONSE, as the engine expects. */
export function badResponse(name: string, lines: readonly string[]): GatewayError {
  return new GatewayError("AT_BAD_RESPONSE", `${name}: unexpected answer ${JSON.stringify(lines.slice(0, 3))}`, { context: { lines } });
}

/** The value of the first line with `header` (`+CSQ: 20,99` → `20,99`); throws when there is none. */
export function valueOf(name: string, header: string, lines: readonly string[]): string {
  const line = lines.find((l) => lineHeader(l) === header);
  if (line === undefined) throw badResponse(name, lines);
  return lineValue(line);
}

/** Integer or undefined for an empty / non-numeric field. */
export function intField(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

/** The `+CMGR`/`+CMGL` data line: the first line after `headerIndex` that is hex (TS 27.005 §3.4.2/3.4.3). */
export function pduLineAfter(lines: readonly string[], headerIndex: number): string | undefined {
  const next = lines[headerIndex + 1];
  return next !== undefined && /^[0-9A-Fa-f]+$/.test(next.trim()) ? next.trim().toUpperCase() : undefined;
}
