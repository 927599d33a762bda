import type { LinkHealthRegistry } from "../link-health/link-registry.js";
import type { RadioTerminal } from "../ports/radio-terminal.js";
import type { SmsModem } from "../ports/sms-modem.js";
import { GatewayError } from "../shared/errors.js";
import type { Unsubscribe } from "../shared/typed-emitter.js";
import type { ChannelKind } from "./addresses.js";

/**
 * The dispatcher's view of the channels, over the ports only: which channel is ready now, send on it,
 * delivery progress, and what comes in. A channel is ready when one of its links is `ready` in the link
 * registry (a terminal with the wrong ISSI is `degraded` there and is not used); the `mqtt` channel follows
 * the link named by `mqttLink` (the uplink when devices are reached through the regional broker), or is
 * always ready when none is named.
 */
export interface ChannelPortsDeps {
  radios: ReadonlyMap<string, RadioTerminal>;
  modems: ReadonlyMap<string, SmsModem>;
  links: LinkHealthRegistry;
  publishDevice?: (topic: string, payload: Record<string, unknown>) => Promise<void>;
  mqttLink?: string;
}

export type Priority = "emergency" | "operator" | "normal";

export type Incoming =
  | { channel: "sds"; from: string; text: string; via: string }
  | { channel: "sds"; from: string; status: number; via: string }
  | { channel: "sms"; from: string; text: string; via: string };

export interface Progress {
  ref: string;
  stage: "delivered" | "failed";
  detail?: string;
}

export class ChannelPorts {
  constructor(private readonly d: ChannelPortsDeps) {}

  private isReady(id: string, fallback: string): boolean {
    return (this.d.links.get(id)?.state ?? fallback) === "ready";
  }

  private radio(): RadioTerminal | undefined {
    for (const [id, r] of this.d.radios) if (this.isReady(id, r.health.state)) return r;
    return undefined;
  }

  private modem(): SmsModem | undefined {
    for (const [id, m] of this.d.modems) if (this.isReady(id, m.health.state) && m.state.service === "ready") return m;
    return undefined;
  }

  ready(channel: ChannelKind): boolean {
    if (channel === "sds") return this.radio() !== undefined;
    if (channel === "sms") return this.modem() !== undefined;
    if (!this.d.publishDevice) return false;
    return this.d.mqttLink === undefined || this.d.links.get(this.d.mqttLink)?.state === "ready";
  }

  /**
   * Sends one alert text; resolves with the port's id for progress events once the link accepted it.
   * `timeoutMs` bounds how long the send may wait to start (queue, link coming back); `signal` ends the
   * send earlier, even on the wire (the dispatcher aborts when the channel's link stops being ready);
   * `withdraw` takes it back only while it waits to start (its alert ended).
   */
  async send(channel: ChannelKind, address: string, text: string, o: { group?: boolean; priority: Priority; id: string; timeoutMs: number; report: boolean; signal?: AbortSignal; withdraw?: AbortSignal }): Promise<string> {
    if (channel === "sds") {
      const r = this.radio();
      if (!r) throw new GatewayError("LINK_NOT_OPEN", "no terminal is ready");
      const res = await r.sendSds({ kind: o.group ? "gssi" : "issi", ssi: address }, { type: "text", text, report: o.group || !o.report ? "none" : "received" }, { priority: o.priority, timeoutMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}), ...(o.withdraw ? { withdraw: o.withdraw } : {}) });
      return res.id;
    }
    if (channel === "sms") {
      const m = this.modem();
      if (!m) throw new GatewayError("SMS_MODEM_NOT_READY", "no modem is ready");
      const res = await m.sendSms(address, text, { priority: o.priority, statusReport: o.report, id: o.id, deadlineMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}), ...(o.withdraw ? { withdraw: o.withdraw } : {}) });
      return res.id;
    }
    if (!this.d.publishDevice) throw new GatewayError("MQTT_NOT_CONNECTED", "no MQTT device channel on this gateway");
    await this.d.publishDevice(address, { id: o.id, text });
    return o.id;
  }

  /** Delivery progress of sends (SDS-TL reports, SMS status reports). */
  onProgress(fn: (p: Progress) => void): Unsubscribe {
    const offs: Unsubscribe[] = [];
    for (const r of this.d.radios.values()) {
      offs.push(
        r.on("progress", (p) => {
          if (p.stage === "delivered" || p.stage === "consumed") fn({ ref: p.id, stage: "delivered" });
          else if (p.stage === "failed") fn({ ref: p.id, stage: "failed", detail: p.detail ?? `delivery status ${p.deliveryStatus ?? "?"}` });
        }),
      );
    }
    for (const m of this.d.modems.values()) {
      offs.push(
        m.on("progress", (p) => {
          if (p.stage === "delivered") fn({ ref: p.id, stage: "delivered" });
          else if (p.stage === "failed") fn({ ref: p.id, stage: "failed", detail: p.detail ?? p.error?.code ?? "failed" });
        }),
      );
    }
    return () => offs.forEach((o) => o());
  }

  /** Incoming texts and statuses from every terminal and modem. */
  onIncoming(fn: (m: Incoming) => Promise<void> | void): Unsubscribe {
    const offs: Unsubscribe[] = [];
    for (const [id, r] of this.d.radios) {
      offs.push(
        r.on("sds", (s) => {
          if (!s.from) return;
          const p = s.payload;
          if (p.kind === "text" && typeof p["text"] === "string") void fn({ channel: "sds", from: s.from, text: p["text"], via: id });
          else if (p.kind === "status" && typeof p["value"] === "number") void fn({ channel: "sds", from: s.from, status: p["value"], via: id });
        }),
      );
    }
    for (const [id, m] of this.d.modems) {
      offs.push(
        m.on("sms", (s) => {
          // The inbox forgets the SMS only once its handling (an activation's alert) is durable.
          const handled = fn({ channel: "sms", from: s.from, text: s.text, via: id });
          if (handled) s.waitUntil?.(handled);
        }),
      );
    }
    return () => offs.forEach((o) => o());
  }

  /** Registers for link changes (a link coming up lets skipped steps go; the mqtt link going down escalates). */
  onLinkChange(fn: () => void): Unsubscribe {
    return this.d.links.on("change", () => fn());
  }
}
