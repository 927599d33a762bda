import type { SendStatus } from "../ports/message-bus.js";
import type { ReceivedSds, SdsProgress, TerminalState } from "../ports/radio-terminal.js";
import type { ReceivedSms, SmsProgress } from "../ports/sms-modem.js";

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

/** `<base>/sms/received`: one incoming SMS as the modem reassembled it. */
export function receivedSmsJson(s: ReceivedSms): Record<string, unknown> {
  return { modem: s.modem, id: s.id, from: s.from, text: s.text, complete: s.complete, parts: s.parts, ...(s.missing ? { missing: s.missing } : {}), sentAt: s.sentAt, receivedAt: s.receivedAt.toISOString() };
}

/** `<base>/sds/status`: one stage of a sent SDS, keyed by the id the `sds/send` response gave. */
export function sdsStatusJson(terminal: string, p: SdsProgress): SendStatus {
  return {
    terminal,
    id: p.id,
    to: `${p.to.kind}:${p.to.ssi}`,
    stage: p.stage,
    references: p.messageReferences,
    at: p.at.toISOString(),
    ...(p.detail !== undefined ? { detail: p.detail } : {}),
    ...(p.deliveryStatus !== undefined ? { deliveryStatus: p.deliveryStatus } : {}),
  };
}

/** `<base>/sms/status`: one stage of a sent SMS, keyed by the id the `sms/send` response gave. */
export function smsStatusJson(modem: string, p: SmsProgress): SendStatus {
  const last = [...p.parts].reverse().find((x) => x.deliveryStatus !== undefined)?.deliveryStatus;
  return {
    modem,
    id: p.id,
    to: p.to,
    stage: p.stage,
    references: p.parts.flatMap((x) => (x.reference !== undefined ? [x.reference] : [])),
    at: p.at.toISOString(),
    ...(p.detail !== undefined ? { detail: p.detail } : {}),
    ...(last !== undefined ? { deliveryStatus: last } : {}),
    ...(p.error ? { error: p.error } : {}),
  };
}
