import { GatewayError } from "../../src/shared/errors.js";
import { type AtCommand, lineHeader, lineValue } from "./at-command.js";

/** `AT`: is anyone there? (V.250 §5.2.1) */
export const probeCommand: AtCommand<void, void> = {
  name: "AT",
  build: () => "AT",
  timeoutMs: 1500,
  idempotent: true,
  parse: () => undefined,
};

/** A fixed setting command whose answer is just OK (ATE0, AT+CTSP=…). */
export function simpleCommand(line: string, timeoutMs = 3000): AtCommand<void, void> {
  return { name: line, build: () => line, timeoutMs, idempotent: true, parse: () => undefined };
}

/**
 * A free-text information command (V.250 `+GMI/+GMM/+GMR`, 27.007 `+CGMI/+CGMM/+CGMR/+CGSN`): the answer
 * with or without its header, quotes removed. Line noise or boot text before the answer arrives as an
 * earlier line, so the answer is the header line, else the last non-empty line before the final result.
 */
export function infoTextCommand(command: string, timeoutMs: number): AtCommand<void, string> {
  const header = command.slice(2).toUpperCase();
  return {
    name: header.replace(/^\+/, ""),
    build: () => command,
    // A bare answer line is an intermediate line of the active command anyway; the header matcher never
    // matches "OK", so the final result is never taken for data.
    expect: [header],
    timeoutMs,
    idempotent: true,
    parse(lines) {
      const line = lines.find((l) => lineHeader(l) === header) ?? lines.filter((l) => l.trim() !== "").at(-1);
      if (line === undefined) throw new GatewayError("AT_BAD_RESPONSE", `${command}: no answer text`, { context: { lines } });
      return (lineHeader(line) === header ? lineValue(line) : line.trim()).replace(/^"|"$/g, "");
    },
  };
}
