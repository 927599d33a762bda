import type { SdsBody } from "../ports/radio-terminal.js";
import { GatewayError } from "../shared/errors.js";
import type { Gateway } from "./gateway.js";
import { terminalStateJson } from "./presenters.js";

/**
 * The request verbs this gateway answers on `<base>/bridge/request/<verb>` (docs/mqtt-interface.md). Payloads arrive
 * validated by the bus (schemas in src/ports/message-bus.ts); a handler either returns the response data or
 * throws a GatewayError whose code the requester sees. Nothing here blocks on hardware longer than its bound.
 */
const SEND_ACCEPT_TIMEOUT_MS = 30_000;

function pick<T>(map: ReadonlyMap<string, T>, id: string | undefined, what: string): [string, T] {
  if (id !== undefined) {
    const found = map.get(id);
    if (!found) throw new GatewayError("CFG_UNKNOWN_TARGET", `no ${what} "${id}" (known: ${[...map.keys()].join(", ") || "none"})`);
    return [id, found];
  }
  const first = map.entries().next();
  if (first.done) throw new GatewayError("CFG_UNKNOWN_TARGET", `this gateway has no ${what}`);
  return first.value;
}

export function registerVerbs(gw: Gateway): void {
  const { bus, links } = gw;
  const started = performance.now();

  // The MQTT side's health (links, broker process, uplink) plus the devices this gateway drives.
  bus.registerVerb("health", () =>
    Promise.resolve({
      ...gw.mqtt.health(),
      site: gw.opts.config.site,
      simulated: gw.simulated,
      uptimeS: Math.round((performance.now() - started) / 1000),
      links: links.snapshot(),
      terminals: Object.fromEntries([...gw.terminals].map(([id, t]) => [id, terminalStateJson(t.state)])),
      modems: Object.fromEntries([...gw.modems].map(([id, m]) => [id, { ...m.queueStats(), health: m.health.state }])),
    }),
  );

  bus.registerVerb("sds/send", async (p) => {
    const [id, radio] = pick(gw.terminals, p.terminal, "terminal");
    const [kind, ssi] = p.to.split(":") as ["issi" | "gssi", string];
    const body: SdsBody =
      p.status !== undefined
        ? { type: "status", value: p.status }
        : { type: "text", text: p.text ?? "", report: p.report ?? "none", immediate: p.immediate ?? false };
    const r = await radio.sendSds({ kind, ssi }, body, { priority: p.priority ?? "normal", timeoutMs: SEND_ACCEPT_TIMEOUT_MS });
    return { terminal: id, id: r.id, messageReferences: r.messageReferences, parts: r.parts, acceptedAt: r.acceptedAt.toISOString(), ...(r.warnings ? { warnings: r.warnings } : {}) };
  });

  bus.registerVerb("talkgroups/check", async (p) => {
    const service = gw.talkgroups;
    if (!service) throw new GatewayError("CFG_UNKNOWN_TARGET", "no terminal of this gateway has a talk-group plan configured");
    return service.checkNow(p.terminal, { ...(p.plan ? { plan: p.plan } : {}), ...(p.method ? { method: p.method } : {}) });
  });

  bus.registerVerb("sms/send", async (p) => {
    const [id, modem] = pick(gw.modems, p.modem, "modem");
    const r = await modem.sendSms(p.to, p.text, { statusReport: p.report ?? false, deadlineMs: SEND_ACCEPT_TIMEOUT_MS, priority: "operator" });
    return { modem: id, ...r };
  });
}
