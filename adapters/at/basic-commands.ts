import type { AtCommand } from "./at-command.js";

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
