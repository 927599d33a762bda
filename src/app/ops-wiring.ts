import { UserAuthority } from "../../adapters/mqtt/auth/user-authority.js";
import { StatusServer } from "../../adapters/http/status-server.js";
import { GatewayMetrics, type SendResult } from "../ops/metrics.js";
import { readiness } from "../ops/readiness.js";
import { StateView } from "../ops/state-view.js";
import type { SdsStage } from "../ports/radio-terminal.js";
import type { ModemState, SmsStage } from "../ports/sms-modem.js";
import type { Gateway } from "./gateway.js";
import { receivedSdsJson } from "./presenters.js";
import { isGatewayError } from "../shared/errors.js";

/**
 * Field operations, wired in the composition root: the state view fed by what the gateway publishes (plus
 * modem state and each terminal's last SDS, which have no retained topic), the Prometheus metrics fed by
 * the devices' progress events, and the status page server. Started after the verbs are registered.
 */
export interface Ops {
  view: StateView;
  metrics: GatewayMetrics;
  server: StatusServer | undefined;
  stop(): Promise<void>;
}

const SDS_RESULT: Partial<Record<SdsStage, SendResult>> = { sent: "sent", delivered: "delivered", consumed: "delivered", failed: "failed" };
const SMS_RESULT: Partial<Record<SmsStage, SendResult>> = { submitted: "sent", delivered: "delivered", failed: "failed" };

function modemDoc(id: string, s: ModemState, queue: { depth: number }, health: string): Record<string, unknown> {
  return {
    id,
    health,
    signal: s.signal ?? null,
    operator: s.operator?.name ?? null,
    registered: s.registration.cs?.registered ?? s.registration.eps?.registered ?? false,
    sim: s.sim.status,
    queue: queue.depth,
    checkedAt: s.checkedAt?.toISOString() ?? null,
  };
}

export async function startOps(gw: Gateway, configPath: string | undefined): Promise<Ops> {
  const { config, log } = gw.opts;
  const api = gw.mqtt.topicApi;
  const view = new StateView({ recentAlerts: config.http.recentAlerts });
  const offs: (() => void)[] = [];
  for (const [topic, payload] of api.retainedState()) view.apply(topic, payload);
  offs.push(api.onState((topic, payload) => view.apply(topic, payload)));

  const metrics = new GatewayMetrics({
    links: () => gw.links.snapshot(),
    queues: () => ({
      ...Object.fromEntries([...gw.modems].map(([id, m]) => [`sms:${id}`, m.queueStats().depth])),
      ...(gw.mqtt.uplink ? { uplink: gw.mqtt.uplink.queued } : {}),
    }),
    broker: async () => {
      // An external broker (mqtt.broker.external) has no supervisor here: no figures rather than a failed scrape.
      if (Object.keys(gw.mqtt.ports).length === 0) return { connections: undefined, restarts: 0 };
      const b = gw.mqtt.broker;
      return { connections: await b.stats().then((s) => s.connections, () => undefined), restarts: b.restarts };
    },
  });
  offs.push(metrics.followAlerts(view));

  for (const [id, radio] of gw.terminals) {
    offs.push(radio.on("progress", (p) => SDS_RESULT[p.stage] && metrics.countSds(id, SDS_RESULT[p.stage]!)));
    offs.push(radio.on("sds", (s) => view.apply(`sds/last/${id}`, receivedSdsJson(s))));
  }
  for (const [id, modem] of gw.modems) {
    const publish = (): void => view.apply(`modems/${id}`, modemDoc(id, modem.state, modem.queueStats(), modem.health.state));
    publish();
    offs.push(modem.on("state", publish));
    offs.push(modem.on("health", publish));
    offs.push(modem.on("progress", (p) => {
      publish();
      if (SMS_RESULT[p.stage]) metrics.countSms(id, SMS_RESULT[p.stage]!);
    }));
  }

  let server: StatusServer | undefined;
  if (config.http.enabled) {
    const users = new UserAuthority(config.mqtt.broker, config.mqtt.baseTopic);
    server = await StatusServer.start({
      config: config.http,
      log,
      info: { site: config.site, version: gw.opts.version, simulated: gw.simulated },
      view,
      users,
      request: (verb, payload) => api.request(verb, payload),
      metrics,
      readiness: () =>
        readiness({
          configPath: configPath ?? "(given in-process)",
          stateDir: config.stateDir,
          channels: () => Object.fromEntries([...gw.terminals.keys(), ...gw.modems.keys()].map((id) => [id, gw.links.get(id)?.state ?? "disconnected"])),
        }),
      testAlert: config.testAlert,
    }).catch((err: unknown) => {
      // The page is a window on the gateway, not part of alerting: a taken port must not stop the radios.
      if (!isGatewayError(err, "HTTP_LISTEN_FAILED")) throw err;
      log.error({ err, listen: config.http.listen }, "status page not started; the gateway runs without it");
      return undefined;
    });
  }
  return {
    view,
    metrics,
    server,
    async stop() {
      for (const off of offs) off();
      await server?.stop();
    },
  };
}
