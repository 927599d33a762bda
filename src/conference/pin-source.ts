import { readFileSync } from "node:fs";
import { GatewayError } from "../shared/errors.js";
import { parseDialString, type DialStep } from "./dial-string.js";
import type { PinConfig } from "./conference-config.js";

/**
 * Reads a conference PIN where the configuration says it is. Read at each join (a rotated PIN file takes
 * effect without a restart). Errors name the file or variable, never the value.
 */
export function readPin(conference: string, pin: PinConfig | undefined, env: NodeJS.ProcessEnv = process.env): DialStep[] {
  if (pin === undefined) return [];
  let text: string;
  if (typeof pin === "string") text = pin;
  else if ("file" in pin) {
    try {
      text = (readFileSync(pin.file, "utf8").split(/\r?\n/)[0] ?? "").trim();
    } catch (err) {
      throw new GatewayError("SIP_PIN_UNAVAILABLE", `conference ${conference}: cannot read the PIN file ${pin.file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { context: { conference } });
    }
  } else {
    const v = env[pin.env];
    if (v === undefined) throw new GatewayError("SIP_PIN_UNAVAILABLE", `conference ${conference}: environment variable ${pin.env} is not set`, { context: { conference } });
    text = v.trim();
  }
  try {
    return parseDialString(text);
  } catch (err) {
    throw new GatewayError("SIP_PIN_UNAVAILABLE", `conference ${conference}: the PIN is not a dial string (0-9, *, #, A-D, ',')`, { context: { conference }, cause: err });
  }
}

/** The PIN as text for a human (alert texts): pauses shown as ','. */
export function pinText(steps: readonly DialStep[]): string {
  return steps.map((s) => (s.kind === "key" ? s.key : ",")).join("");
}
