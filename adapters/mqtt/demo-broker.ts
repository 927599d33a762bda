import type { Logger } from "../../src/shared/logger.js";
import { hashPassword } from "./auth/password-hash.js";
import { parseMqttConfig } from "./mqtt-config.js";
import { startMqttGateway, type MqttGateway } from "./mqtt-gateway.js";

/**
 * The broker of `rakelgw demo`: 127.0.0.1:1883, base topic `rakelgw/demo`, and one read-only account
 * `demo`/`demo`, so this works as written:
 *
 *   mosquitto_sub -h 127.0.0.1 -p 1883 -u demo -P demo -t 'rakelgw/demo/#' -v
 *
 * The demo password is public on purpose; the account can only read the demo's topics.
 */
export interface DemoBrokerOptions {
  log: Logger;
  version: string;
  /** Default 1883. Tests pass 0 for a free port. */
  port?: number;
  stateDir?: string;
  logFd?: 1 | 2;
}

/** Base topic of the demo site. */
export const DEMO_BASE_TOPIC = "rakelgw/demo";
/** The demo's read-only account (password "demo"). */
export const DEMO_USER = "demo";

/** Starts the MQTT side for `rakelgw demo` (see above); stop it with `stop()`. */
export async function startDemoBroker(opts: DemoBrokerOptions): Promise<MqttGateway> {
  const config = parseMqttConfig(
    {
      baseTopic: DEMO_BASE_TOPIC,
      broker: {
        listeners: [{ kind: "tcp", host: "127.0.0.1", port: opts.port ?? 1883 }],
        users: [{ username: DEMO_USER, hash: await hashPassword("demo") }],
        acl: `user ${DEMO_USER}\ntopic read ${DEMO_BASE_TOPIC}/#\n`,
        allowAnonymous: "off",
        logLevel: "warn",
        ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
      },
    },
    "demo mqtt config",
  );
  return startMqttGateway({ config, log: opts.log, version: opts.version, simulated: true, ...(opts.logFd ? { logFd: opts.logFd } : {}) });
}
