import { GatewayError } from "../../../src/shared/errors.js";

/**
 * Topic names of the public MQTT interface (docs/mqtt-interface.md, "MQTT topics"). Every topic the gateway
 * publishes or subscribes to is built here, so a rename is one diff. `<base>` is `rakelgw/<site>` by default.
 */
export const topics = {
  bridgeState: (base: string) => `${base}/bridge/state`,
  request: (base: string, verb: string) => `${base}/bridge/request/${verb}`,
  requestFilter: (base: string) => `${base}/bridge/request/#`,
  response: (base: string, verb: string) => `${base}/bridge/response/${verb}`,
  link: (base: string, link: string) => `${base}/links/${segment(link, "link")}`,
  terminal: (base: string, id: string) => `${base}/terminals/${segment(id, "terminal")}`,
  sdsReceived: (base: string) => `${base}/sds/received`,
  sdsStatus: (base: string) => `${base}/sds/status`,
  smsReceived: (base: string) => `${base}/sms/received`,
  smsStatus: (base: string) => `${base}/sms/status`,
  alert: (base: string, id: string) => `${base}/alerts/${segment(id, "alert id")}`,
  talkgroupCheck: (base: string, terminal: string) => `${base}/talkgroups/${segment(terminal, "terminal")}/check`,
  conference: (base: string, id: string) => `${base}/conferences/${segment(id, "conference id")}`,
} as const;

/** Longest verb answered; verbs are short words like `talkgroups/check`. */
const MAX_VERB = 64;

/** Extracts `<verb>` from `<base>/bridge/request/<verb>`; undefined if the topic is not a request. */
export function verbOf(base: string, topic: string): string | undefined {
  const prefix = `${base}/bridge/request/`;
  if (!topic.startsWith(prefix)) return undefined;
  const verb = topic.slice(prefix.length);
  return verb.length > 0 ? verb : undefined;
}

/**
 * True for verbs we are willing to echo into a response topic: at most 64 characters and 4 levels, no empty
 * level. (A received topic never holds wildcards, [MQTT-3.3.2-2].) Anything else is dropped unanswered.
 */
export function isAnswerableVerb(verb: string): boolean {
  const levels = verb.split("/");
  return verb.length <= MAX_VERB && levels.length <= 4 && levels.every((l) => l.length > 0) && !verb.includes("\0");
}

/**
 * Checks one topic segment taken from configuration or a device id: non-empty, no `/`, `+`, `#` or NUL,
 * at most 64 characters. A `+` in a terminal id would otherwise publish to a wildcard topic, which the
 * broker refuses ([MQTT-3.3.2-2]) and which closes our own connection.
 */
export function segment(value: string, what: string): string {
  if (!/^[^/+#]{1,64}$/.test(value) || value.includes("\0")) {
    throw new GatewayError("MQTT_BAD_TOPIC", `${what} "${value.slice(0, 80)}" cannot be a topic segment`, { context: { what } });
  }
  return value;
}

/** Checks a base topic such as `rakelgw/site1`: 1-8 levels, no wildcards, no leading `$` or `/`. */
export function checkBaseTopic(base: string): string {
  const levels = base.split("/");
  if (base.startsWith("$") || levels.length > 8 || base.includes("\0") || levels.some((l) => !/^[^/+#]{1,64}$/.test(l))) {
    throw new GatewayError("MQTT_BAD_TOPIC", `base topic "${base.slice(0, 80)}" is not valid`, { context: { what: "baseTopic" } });
  }
  return base;
}
