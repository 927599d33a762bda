import type { Static } from "@sinclair/typebox";
import type { LinkHealthRegistry } from "../link-health/link-registry.js";
import type { ConferenceDirectory } from "../ports/conference-directory.js";
import type { MessageBus } from "../ports/message-bus.js";
import type { RadioTerminal } from "../ports/radio-terminal.js";
import type { SmsModem } from "../ports/sms-modem.js";
import type { Clock } from "../shared/clock.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { publicAlert, summarise, type StoredAlert } from "./alert-model.js";
import { AlertStore } from "./alert-store.js";
import { ALERT_VERBS } from "./alert-verbs.js";
import { ChannelPorts } from "./channel-ports.js";
import type { DispatchConfig } from "./dispatch-config.js";
import { owedReceiptFile, ReceiptQueue } from "./receipt-queue.js";
import { Dispatcher } from "./dispatcher.js";
import { IncomingRouter } from "./incoming.js";
import { RosterStore } from "./roster-store.js";

/**
 * Alert dispatch as one service for the composition root: roster, durable store, dispatcher, incoming
 * SDS/SMS, and the MQTT verbs `alert/send|ack|cancel|get|list`, `roster/get|set`.
 */
export interface DispatchServiceDeps {
  config: DispatchConfig;
  stateDir: string;
  radios: ReadonlyMap<string, RadioTerminal>;
  modems: ReadonlyMap<string, SmsModem>;
  links: LinkHealthRegistry;
  bus: MessageBus;
  clock: Clock;
  log: Logger;
  publishDevice?: (topic: string, payload: Record<string, unknown>) => Promise<void>;
  mqttLink?: string;
  /** The site's conferences, for alerts with a `conference` (absent: such alerts are refused). */
  conferences?: ConferenceDirectory;
}

type V<K extends keyof typeof ALERT_VERBS> = Static<(typeof ALERT_VERBS)[K]>;

export class DispatchService {
  private constructor(
    readonly dispatcher: Dispatcher,
    readonly store: AlertStore,
    readonly roster: RosterStore,
    readonly incoming: IncomingRouter,
    private readonly offs: (() => void)[],
  ) {}

  static async start(d: DispatchServiceDeps): Promise<DispatchService> {
    const log = d.log.child({ mod: "dispatch" });
    const roster = await RosterStore.open(d.config.roster, log);
    const store = await AlertStore.open({ dir: `${d.stateDir}/dispatch`, log, alertsPerFile: d.config.archive.alertsPerFile, keepFiles: d.config.archive.keepFiles });
    const ports = new ChannelPorts({ radios: d.radios, modems: d.modems, links: d.links, ...(d.publishDevice ? { publishDevice: d.publishDevice } : {}), ...(d.mqttLink ? { mqttLink: d.mqttLink } : {}) });
    const receipts = new ReceiptQueue({ file: owedReceiptFile(`${d.stateDir}/dispatch`, log), ports, clock: d.clock, log });
    const dispatcher = new Dispatcher({ config: d.config, roster: () => roster.index, store, ports, clock: d.clock, log, receipts, publish: (id, doc) => d.bus.publishAlertState(id, doc), unpublish: (id) => d.bus.clearAlertState(id), ...(d.conferences ? { conferences: d.conferences } : {}) });
    const incoming = new IncomingRouter({ config: d.config, dispatcher, roster: () => roster.index, ports, log });
    const offs = [ports.onIncoming((m) => incoming.handle(m))];
    const svc = new DispatchService(dispatcher, store, roster, incoming, offs);
    svc.registerVerbs(d.bus);
    // Loud and retained: the status page and `health` show it until the operator has looked at the moved file.
    if (store.corruption) d.links.set("alert-store", "degraded", `alert journal was damaged (${store.corruption.badLines} bad records); moved to ${store.corruption.movedTo}`);
    await dispatcher.start();
    log.info({ active: dispatcher.activeAlerts().length, archived: store.archivedCount }, "alert dispatch started");
    return svc;
  }

  async stop(): Promise<void> {
    for (const o of this.offs) o();
    this.dispatcher.stop();
    await this.store.close();
  }

  private async find(id: string): Promise<StoredAlert> {
    const a = await this.dispatcher.get(id);
    if (!a) throw new GatewayError("ALERT_NOT_FOUND", `no alert "${id}"`);
    return a;
  }

  private registerVerbs(bus: MessageBus): void {
    const reply = (a: StoredAlert, existing = false): Record<string, unknown> => ({ id: a.id, code: a.code, state: a.state, ...(existing ? { existing: true } : {}) });
    this.offs.push(
      bus.registerCustomVerb("alert/send", ALERT_VERBS["alert/send"], async (p: V<"alert/send">) => {
        const { alert, existing } = await this.dispatcher.send(
          { kind: p.kind, text: p.text, recipients: p.recipients, ...(p.id ? { id: p.id } : {}), ...(p.priority ? { priority: p.priority } : {}), ...(p.ackTimeoutS ? { ackTimeoutS: p.ackTimeoutS } : {}), ...(p.deadlineS ? { deadlineS: p.deadlineS } : {}), ...(p.conference ? { conference: p.conference } : {}) },
          { via: "mqtt" },
        );
        return reply(alert, existing);
      }),
      bus.registerCustomVerb("alert/ack", ALERT_VERBS["alert/ack"], async (p: V<"alert/ack">) => {
        const key = p.id ?? p.code;
        if (!key) throw new GatewayError("MQTT_BAD_PAYLOAD", "alert/ack needs id or code", { context: { problems: ["/: id or code is required"] } });
        const a = await this.find(key);
        const ok = await this.dispatcher.answer(a, (st) => st.person === p.person, p.answer, `mqtt:${p.person}`);
        if (!ok) throw new GatewayError("ALERT_NOT_RECIPIENT", `"${p.person}" is not a recipient of alert ${a.id}`);
        return { ...reply(a), summary: summarise(a) };
      }),
      bus.registerCustomVerb("alert/cancel", ALERT_VERBS["alert/cancel"], async (p: V<"alert/cancel">) => {
        const a = await this.find(p.id);
        await this.dispatcher.cancel(a);
        return reply(a);
      }),
      bus.registerCustomVerb("alert/get", ALERT_VERBS["alert/get"], async (p: V<"alert/get">) => publicAlert(await this.find(p.id))),
      bus.registerCustomVerb("alert/list", ALERT_VERBS["alert/list"], (p: V<"alert/list">) =>
        Promise.resolve({
          alerts: this.dispatcher.list(p.state, p.limit ?? 100),
        }),
      ),
      bus.registerCustomVerb("roster/get", ALERT_VERBS["roster/get"], () => Promise.resolve({ roster: this.roster.roster })),
      bus.registerCustomVerb("roster/set", ALERT_VERBS["roster/set"], async (p: V<"roster/set">) => {
        const r = await this.roster.set(p.roster, "mqtt");
        return { people: r.people.length, roles: r.roles.length };
      }),
    );
  }
}
