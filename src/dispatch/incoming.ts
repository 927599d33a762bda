import type { Logger } from "../shared/logger.js";
import { parseActivation, type ParsedActivation } from "./activation-parser.js";
import type { StoredAlert } from "./alert-model.js";
import { parseAnswer } from "./answer-parser.js";
import type { ChannelPorts, Incoming } from "./channel-ports.js";
import type { DispatchConfig } from "./dispatch-config.js";
import type { Dispatcher } from "./dispatcher.js";
import { sameAddress } from "./addresses.js";
import { stepReaches } from "./ladder.js";
import type { RosterIndex } from "./roster.js";
import { fill } from "./templates.js";

/**
 * Routes what comes in by SDS and SMS: an activation from an allow-listed activator starts an alert (from
 * anyone else it is refused and logged, and alerts nobody); an answer with a code, or a configured Rakel
 * status, answers an alert; anything else is not ours. Message bodies are never logged at info or above.
 */
export interface IncomingDeps {
  config: DispatchConfig;
  dispatcher: Dispatcher;
  roster: () => RosterIndex;
  ports: ChannelPorts;
  log: Logger;
}

export class IncomingRouter {
  private readonly log: Logger;

  constructor(private readonly d: IncomingDeps) {
    this.log = d.log.child({ mod: "dispatch-in" });
  }

  isActivator(channel: "sds" | "sms", from: string): boolean {
    return this.d.config.activators.some((a) => ("sds" in a ? channel === "sds" && sameAddress("sds", a.sds, from) : channel === "sms" && sameAddress("sms", a.sms, from)));
  }

  async handle(m: Incoming): Promise<void> {
    try {
      if ("status" in m) return await this.status(m.from, m.status);
      const act = parseActivation(m.text);
      if (act) return await this.activation(m.channel, m.from, act);
      const ans = parseAnswer(m.text);
      if (!ans) return void this.log.debug({ channel: m.channel, from: m.from }, "incoming message is not an answer");
      const alert = this.d.dispatcher.byCode(ans.code);
      if (!alert) return void this.log.warn({ event: "answer-unknown-code", channel: m.channel, from: m.from, code: ans.code }, "answer names no active alert; ignored");
      const ok = await this.d.dispatcher.answer(alert, stepReaches(m.channel, m.from), ans.answer, `${m.channel}:${m.from}`);
      if (!ok) this.log.warn({ event: "answer-not-recipient", alert: alert.id, channel: m.channel, from: m.from }, "answer from an address not on the alert; ignored");
    } catch (err) {
      this.log.error({ err, channel: m.channel, from: m.from }, "incoming message could not be handled");
    }
  }

  private async status(from: string, value: number): Promise<void> {
    const answer = this.d.config.answers.status[String(value)];
    if (!answer) return void this.log.debug({ from, status: value }, "status is not an answer");
    // The person's most recent active alert that reaches this ISSI.
    const alerts: StoredAlert[] = this.d.dispatcher
      .activeAlerts()
      .filter((a) => a.slots.some((s) => s.ladder.some(stepReaches("sds", from))))
      .sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt));
    const alert = alerts[0];
    if (!alert) return void this.log.warn({ event: "answer-not-recipient", from, status: value }, "status answer from an ISSI with no active alert; ignored");
    await this.d.dispatcher.answer(alert, stepReaches("sds", from), answer, `status:${from}`);
  }

  private async activation(channel: "sds" | "sms", from: string, act: ParsedActivation): Promise<void> {
    if (!this.isActivator(channel, from)) {
      return void this.log.warn({ event: "activation-refused", channel, from }, "activation from an address that is not an activator: refused, nobody alerted");
    }
    if (!act.ok) return this.refuse(channel, from, act.reason);
    const roster = this.d.roster();
    const roles = act.roles === "all" ? [...roster.roles.values()].map((r) => r.id) : act.roles;
    const unknown = roles.filter((r) => !roster.role(r));
    if (unknown.length > 0) return this.refuse(channel, from, `okänd roll ${unknown.join(",")}`);
    if (roles.length === 0) return this.refuse(channel, from, "inga roller");
    const { alert, existing } = await this.d.dispatcher.send({ kind: act.kind, text: act.text, recipients: roles.map((r) => `role:${r}`) }, { via: channel, from });
    this.log.info({ event: "activation-accepted", channel, from, alert: alert.id, existing }, "activation accepted");
  }

  private async refuse(channel: "sds" | "sms", from: string, reason: string): Promise<void> {
    this.log.warn({ event: "activation-invalid", channel, from, reason }, "activation from an activator could not be read");
    if (this.d.config.reportTo !== "activator" || !this.d.ports.ready(channel)) return;
    const text = fill(this.d.config.templates.activationRefused, { reason });
    await this.d.ports.send(channel, from, text, { priority: "operator", id: `refused:${Date.now()}`, timeoutMs: 60_000, report: false }).catch((err: unknown) => this.log.warn({ err }, "refusal not sent"));
  }
}
