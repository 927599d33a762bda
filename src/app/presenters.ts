import type { ReceivedSds, TerminalState } from "../ports/radio-terminal.js";

/**
 * JSON views shared by the CLI and MQTT, so `rakelgw terminal info --json` and `<base>/terminals/<id>` (and
 * `sds listen --json` and `<base>/sds/received`) carry the same fields.
 */
export function terminalStateJson(s: TerminalState): Record<string, unknown> {
  return {
    itsi: s.identity.itsi ?? null,
    issi: s.identity.issi ?? null,
    manufacturer: s.identity.manufacturer ?? null,
    model: s.identity.model ?? null,
    firmware: s.identity.firmware ?? null,
    registration: s.registration ?? null,
    signal: s.signal ?? null,
    mode: s.mode ?? null,
    selectedGroup: s.selectedGroup ?? null,
    callActive: s.callActive,
    maxSdsBits: s.maxSdsBits ?? null,
  };
}

export function receivedSdsJson(s: ReceivedSds): Record<string, unknown> {
  return { receivedAt: s.receivedAt.toISOString(), from: s.from ?? null, ...(s.fromTsi ? { fromTsi: s.fromTsi } : {}), to: s.to, aiService: s.aiService, bits: s.bits, hex: s.hex, ...s.payload };
}
