import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { LINK_STATES } from "../link-health/link-state.js";
import { AlertLatencyTracker } from "./alert-latency.js";
import type { StateView } from "./state-view.js";

/**
 * The Prometheus figures of `/metrics` (prom-client). Counters are fed by the composition root from the
 * terminals' and modems' progress events; gauges are read when Prometheus scrapes; alert latencies and
 * answers come from the alert documents in the state view. Node's defaults (event-loop lag, heap, CPU,
 * file descriptors) are included with the `rakelgw_` prefix.
 */
export interface MetricsSources {
  /** Every link's state, e.g. from the link registry's snapshot. */
  links: () => Record<string, { state: string }>;
  /** Queue depths by name (`sms:modem-1`, `at:terminal-1`, `uplink`). */
  queues: () => Record<string, number>;
  /** Broker connections (undefined when the broker does not answer) and restarts. */
  broker: () => Promise<{ connections: number | undefined; restarts: number }>;
}

export type SendResult = "sent" | "failed" | "delivered";

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly sds: Counter<"terminal" | "result">;
  private readonly sms: Counter<"modem" | "result">;
  private readonly answers: Counter<"answer">;
  private readonly firstSend: Histogram;
  private readonly firstAnswer: Histogram;
  private readonly tracker = new AlertLatencyTracker();

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "rakelgw_", eventLoopMonitoringPrecision: 20 });
    new Gauge({
      name: "rakelgw_link_state",
      help: "1 for the state each link is in (ready, degraded, unresponsive, disconnected), 0 for the others",
      labelNames: ["link", "state"],
      registers,
      collect() {
        this.reset();
        for (const [link, h] of Object.entries(sources.links())) for (const s of LINK_STATES) this.set({ link, state: s }, h.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: "rakelgw_queue_depth",
      help: "messages or commands waiting, by queue",
      labelNames: ["queue"],
      registers,
      collect() {
        this.reset();
        for (const [queue, n] of Object.entries(sources.queues())) this.set({ queue }, n);
      },
    });
    const restarts = new Gauge({ name: "rakelgw_broker_restarts", help: "restarts of the embedded broker process since the gateway started", registers });
    new Gauge({
      name: "rakelgw_broker_clients",
      help: "client connections the embedded broker counts on its listeners",
      registers,
      async collect() {
        const b = await sources.broker();
        restarts.set(b.restarts);
        if (b.connections !== undefined) this.set(b.connections);
      },
    });
    this.sds = new Counter({ name: "rakelgw_sds_total", help: "SDS sent, failed and delivered, by terminal", labelNames: ["terminal", "result"], registers });
    this.sms = new Counter({ name: "rakelgw_sms_total", help: "SMS sent, failed and delivered, by modem", labelNames: ["modem", "result"], registers });
    this.answers = new Counter({ name: "rakelgw_alert_answers_total", help: "answers to alerts (coming, not-coming, delayed)", labelNames: ["answer"], registers });
    const buckets = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
    this.firstSend = new Histogram({ name: "rakelgw_alert_first_send_seconds", help: "alert accepted → first send attempt", buckets, registers });
    this.firstAnswer = new Histogram({ name: "rakelgw_alert_first_answer_seconds", help: "alert accepted → first answer", buckets, registers });
  }

  countSds(terminal: string, result: SendResult): void {
    this.sds.inc({ terminal, result });
  }

  countSms(modem: string, result: SendResult): void {
    this.sms.inc({ modem, result });
  }

  /** Follows the alert documents of a state view. */
  followAlerts(view: StateView): () => void {
    return view.onChange(({ topic, doc }) => {
      if (!topic.startsWith("alerts/")) return;
      if (!doc) return this.tracker.forget(topic.slice("alerts/".length));
      const o = this.tracker.observe(doc);
      if (o.firstSendS !== undefined) this.firstSend.observe(o.firstSendS);
      if (o.firstAnswerS !== undefined) this.firstAnswer.observe(o.firstAnswerS);
      for (const a of o.answers) this.answers.inc({ answer: a });
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
