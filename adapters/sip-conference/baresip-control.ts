import { connect, type MqttClient } from "mqtt";
import { GatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { Mutex } from "../../src/shared/mutex.js";
import { TypedEmitter } from "../../src/shared/typed-emitter.js";
import { parseBaresipEvent, type BaresipEvent } from "./baresip-events.js";

/**
 * The gateway's side of baresip's mqtt control module: commands are JSON on `/<base>/command/<token>`,
 * each answered on `/<base>/command_resp/<token>`; events arrive on `/<base>/event`.
 *
 * Commands run one at a time: `uafind` selects the account (the line) that the following `dial`,
 * `sndcode` or `hangup` acts on, and nothing may come between the two. baresip 1.0 answers `ok: true`
 * even for an unknown command and reports problems only as text in `data`, so that text is checked too.
 * Tokens are `c<n>`: they become a topic level, so `#` or `+` (DTMF keys!) must never be in them.
 * Command parameters are never logged (a `sndcode` parameter is a PIN digit).
 */
export interface ControlEndpoint {
  host: string;
  port: number;
  username: string;
  password: string;
}

export interface BaresipControlEvents {
  event: (e: BaresipEvent) => void;
  connection: (connected: boolean) => void;
}

const FAILURE_TEXT = /command not found|not found|failed|error|invalid/i;

export class BaresipControl extends TypedEmitter<BaresipControlEvents> {
  private client: MqttClient | undefined;
  private readonly lock = new Mutex();
  private seq = 0;
  private readonly waiting = new Map<string, (data: { ok: boolean; data: string }) => void>();

  constructor(
    private readonly o: { endpoint: ControlEndpoint; baseTopic: string; log: Logger; clientId: string; timeoutMs?: number },
  ) {
    super((err, ev) => o.log.error({ err, ev }, "baresip control listener failed"));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): Promise<void> {
    const { endpoint, baseTopic } = this.o;
    const client = connect({ host: endpoint.host, port: endpoint.port, protocol: "mqtt", username: endpoint.username, password: endpoint.password, clientId: this.o.clientId, clean: true, keepalive: 10, reconnectPeriod: 500, connectTimeout: 5000 });
    this.client = client;
    client.on("error", (err) => this.o.log.debug({ err: err.message }, "control client error"));
    client.on("close", () => this.emit("connection", false));
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new GatewayError("SIP_AGENT_DOWN", "SIP control: broker not reachable within 10 s")), 10_000);
      client.on("connect", () => {
        client.subscribe([`/${baseTopic}/event`, `/${baseTopic}/command_resp/+`], { qos: 0 }, (err) => {
          if (err) return this.o.log.warn({ err: err.message }, "control subscribe failed");
          this.emit("connection", true);
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    for (const [, w] of this.waiting) w({ ok: false, data: "control stopped" });
    this.waiting.clear();
    if (c) await c.endAsync(true).catch(() => undefined);
  }

  /** When the agent last answered a command (performance.now()); any answer proves it is alive. */
  lastAnswerAt = -Infinity;

  /**
   * Runs `steps` with nothing in between (e.g. `uafind` + `sndcode`). They are published back to back:
   * baresip handles control messages in arrival order, so the second need not wait for the first answer.
   */
  sequence(steps: readonly { command: string; params?: string; secret?: boolean }[]): Promise<string[]> {
    return this.lock.run(() => Promise.all(steps.map((s) => this.send(s.command, s.params, s.secret ?? false))));
  }

  private send(command: string, params: string | undefined, secret: boolean): Promise<string> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new GatewayError("SIP_AGENT_DOWN", "SIP control is not connected to the broker", { context: { command } }));
    const token = `c${++this.seq}`;
    const timeoutMs = this.o.timeoutMs ?? 3000;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new GatewayError("SIP_COMMAND_FAILED", `SIP agent did not answer ${command} within ${timeoutMs} ms`, { context: { command } }));
      }, timeoutMs);
      this.waiting.set(token, (r) => {
        clearTimeout(timer);
        if (r.ok) this.lastAnswerAt = performance.now();
        if (!r.ok || FAILURE_TEXT.test(r.data)) {
          // Never the parameters: for sndcode they are a PIN digit.
          reject(new GatewayError("SIP_COMMAND_FAILED", `SIP agent refused ${command}: ${secret ? "(detail withheld)" : r.data.trim()}`, { context: { command } }));
        } else resolve(r.data);
      });
      const body = JSON.stringify({ command, ...(params !== undefined ? { params } : {}), token });
      this.o.log.trace({ command, token, params: secret ? "[redacted]" : params }, "sip command");
      client.publish(`/${this.o.baseTopic}/command/${token}`, body, { qos: 0 });
    });
  }

  private onMessage(topic: string, payload: Buffer): void {
    const base = `/${this.o.baseTopic}/`;
    if (topic === `${base}event`) {
      const e = parseBaresipEvent(payload);
      if (!e.ok) return this.o.log.warn({ reason: e.reason, bytes: payload.length }, "unreadable SIP agent event");
      if (e.value.type !== "CALL_RTCP" && !e.value.type.startsWith("VU_")) this.o.log.debug({ type: e.value.type, account: e.value.accountaor, callId: e.value.id }, "sip event");
      return this.emit("event", e.value);
    }
    if (topic.startsWith(`${base}command_resp/`)) {
      const token = topic.slice(`${base}command_resp/`.length);
      const w = this.waiting.get(token);
      if (!w) return;
      this.waiting.delete(token);
      let r: { ok?: unknown; data?: unknown } = {};
      try {
        r = JSON.parse(payload.toString()) as typeof r;
      } catch {
        r = { ok: false, data: "unreadable response" };
      }
      w({ ok: r.ok === true, data: typeof r.data === "string" ? r.data : "" });
    }
  }
}
