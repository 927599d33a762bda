import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import { connect, type MqttClient } from "mqtt";
import { MqttConfigSchema } from "../../adapters/mqtt/mqtt-config.js";
import { GatewayError } from "../shared/errors.js";

/**
 * Talks to a running daemon over MQTT exactly like any client would: publish on
 * `<base>/bridge/request/<verb>` with a transaction id, wait for `<base>/bridge/response/<verb>`.
 * Where: `--config FILE` (the daemon's own: base topic and first TCP listener), or `--mqtt URL --base TOPIC`;
 * the password comes from `--password-env VAR` (default RAKELGW_MQTT_PASSWORD), never from the command line
 * unless `--password` is given on purpose.
 */
export interface DaemonOpts {
  config?: string;
  mqtt?: string;
  base?: string;
  username?: string;
  password?: string;
  passwordEnv: string;
  timeout: string;
}

export function addDaemonOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "the daemon's config file (base topic and broker port are read from it)")
    .option("--mqtt <url>", "broker URL", process.env["RAKELGW_MQTT_URL"])
    .option("--base <topic>", "base topic, e.g. rakelgw/site1", process.env["RAKELGW_BASE"])
    .option("-u, --username <name>", "MQTT user", process.env["RAKELGW_MQTT_USER"])
    .option("--password <pw>", "MQTT password (prefer --password-env)")
    .option("--password-env <var>", "environment variable holding the MQTT password", "RAKELGW_MQTT_PASSWORD")
    .option("--timeout <s>", "longest wait for the daemon's answer, seconds", "15");
}

function target(o: DaemonOpts): { url: string; base: string } {
  let url = o.mqtt;
  let base = o.base;
  if (o.config) {
    const c = JSON.parse(readFileSync(o.config, "utf8")) as { mqtt?: { baseTopic?: string; broker?: { listeners?: { kind: string; host?: string; port?: number }[] } } };
    // The daemon's own default when the site file sets none (it was `rakelgw/<site>` here, another topic).
    base ??= c.mqtt?.baseTopic ?? (MqttConfigSchema.properties.baseTopic.default as string);
    const l = c.mqtt?.broker?.listeners?.find((x) => x.kind === "tcp");
    if (l) url ??= `mqtt://${l.host === "0.0.0.0" || !l.host ? "127.0.0.1" : l.host}:${l.port ?? 1883}`;
  }
  if (!base) throw new GatewayError("CLI_USAGE", "say where the daemon is: --config FILE, or --base rakelgw/<site> (and --mqtt URL)");
  return { url: url ?? "mqtt://127.0.0.1:1883", base };
}

/** The connection behind `withDaemon`, for commands that also follow retained state (`conference join --wait`). */
export interface DaemonConnection {
  client: MqttClient;
  base: string;
  timeoutMs: number;
}

export async function withDaemon<T>(o: DaemonOpts, fn: (request: (verb: string, payload: Record<string, unknown>) => Promise<unknown>, conn: DaemonConnection) => Promise<T>): Promise<T> {
  const { url, base } = target(o);
  const timeoutMs = Number(o.timeout) * 1000;
  const password = o.password ?? process.env[o.passwordEnv];
  const client: MqttClient = connect(url, { ...(o.username ? { username: o.username } : {}), ...(password ? { password } : {}), reconnectPeriod: 0, connectTimeout: Math.min(timeoutMs, 10_000), clientId: `rakelgw-cli-${randomUUID().slice(0, 8)}` });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", (err) => reject(new GatewayError("MQTT_NOT_CONNECTED", `cannot reach the daemon's broker at ${url}: ${err.message}`, { cause: err })));
      setTimeout(() => reject(new GatewayError("MQTT_NOT_CONNECTED", `no answer from the broker at ${url}`)), timeoutMs).unref();
    });
    const waiting = new Map<string, (body: Record<string, unknown>) => void>();
    client.on("message", (_topic, payload) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      const t = body["transaction"];
      if (typeof t === "string") waiting.get(t)?.(body);
    });
    await client.subscribeAsync(`${base}/bridge/response/#`, { qos: 1 });
    const request = async (verb: string, payload: Record<string, unknown>): Promise<unknown> => {
      const transaction = randomUUID();
      const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
        waiting.set(transaction, resolve);
        setTimeout(() => reject(new GatewayError("MQTT_NOT_CONNECTED", `the daemon did not answer ${verb} within ${o.timeout} s (is it running with base ${base}?)`)), timeoutMs).unref();
      });
      await client.publishAsync(`${base}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
      const body = await answer;
      if (body["status"] !== "ok") {
        const e = (body["error"] ?? {}) as { code?: string; message?: string };
        throw new GatewayError((e.code ?? "MQTT_HANDLER_FAILED") as never, e.message ?? "the daemon refused the request");
      }
      return body["data"];
    };
    return await fn(request, { client, base, timeoutMs });
  } finally {
    client.end(true);
  }
}
