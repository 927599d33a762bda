import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { connect, type MqttClient } from "mqtt";
import { loadGatewayConfig } from "../../app/gateway-config.js";
import type { ConferenceStateJson } from "../../conference/conference-state.js";
import { GatewayError, type ErrorCode } from "../../shared/errors.js";
import { intOption, printJson, ProblemExit } from "../output.js";

/**
 * `rakelgw conference join|leave|status`: asks the running daemon over MQTT (its `conference/*` verbs), like
 * any other client would; the CLI never dials itself. Where the broker is comes from `--config` (the
 * daemon's file: base topic and first tcp listener) or from `--url` and `--base`.
 */
interface ConnOpts {
  config?: string;
  url?: string;
  base?: string;
  username?: string;
  passwordFile?: string;
  passwordEnv: string;
  timeout: string;
  json?: boolean;
  wait?: boolean;
}

function target(o: ConnOpts): { url: string; base: string } {
  if (o.config) {
    const { config } = loadGatewayConfig(o.config, true);
    const tcp = config.mqtt.broker.listeners.find((l) => l.kind === "tcp");
    const host = !tcp || tcp.host === "0.0.0.0" ? "127.0.0.1" : tcp.host;
    return { url: o.url ?? `mqtt://${host}:${tcp?.port ?? 1883}`, base: o.base ?? config.mqtt.baseTopic };
  }
  if (!o.base) throw new GatewayError("CLI_USAGE", "give --config FILE or --base <topic> (e.g. rakelgw/site1)");
  return { url: o.url ?? "mqtt://127.0.0.1:1883", base: o.base };
}

function password(o: ConnOpts): string | undefined {
  if (o.passwordFile) return (readFileSync(o.passwordFile, "utf8").split(/\r?\n/)[0] ?? "").trim();
  return process.env[o.passwordEnv];
}

async function withClient<T>(o: ConnOpts, fn: (c: MqttClient, base: string, timeoutMs: number) => Promise<T>): Promise<T> {
  const { url, base } = target(o);
  const timeoutMs = (intOption(o.timeout, "--timeout", 1, 3600) ?? 10) * 1000;
  const pass = password(o);
  const client = connect(url, { ...(o.username ? { username: o.username } : {}), ...(pass !== undefined ? { password: pass } : {}), reconnectPeriod: 0, connectTimeout: timeoutMs, clientId: `rakelgw-cli-${process.pid}` });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("error", (err) => reject(new GatewayError("MQTT_NOT_CONNECTED", `cannot reach the daemon's broker at ${url}: ${err.message}`)));
    });
    return await fn(client, base, timeoutMs);
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

async function request(client: MqttClient, base: string, verb: string, payload: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
  const transaction = `cli-${process.pid}-${Date.now()}`;
  await client.subscribeAsync(`${base}/bridge/response/${verb}`, { qos: 1 });
  const answer = new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GatewayError("MQTT_NOT_CONNECTED", `no answer to ${verb} within ${timeoutMs / 1000} s (is the daemon running with conferences configured?)`)), timeoutMs);
    client.on("message", (topic, buf) => {
      if (topic !== `${base}/bridge/response/${verb}`) return;
      let body: { transaction?: unknown; status?: string; data?: unknown; error?: { code?: string; message?: string } };
      try {
        body = JSON.parse(buf.toString()) as typeof body;
      } catch {
        return;
      }
      if (body.transaction !== transaction) return;
      clearTimeout(timer);
      if (body.status === "ok") resolve(body.data);
      else reject(new GatewayError((body.error?.code ?? "MQTT_HANDLER_FAILED") as ErrorCode, body.error?.message ?? "request failed"));
    });
  });
  await client.publishAsync(`${base}/bridge/request/${verb}`, JSON.stringify({ transaction, ...payload }), { qos: 1 });
  return answer;
}

/** Waits on the retained state until the conference settles (in-conference, failed, idle). */
function waitSettled(client: MqttClient, base: string, id: string, timeoutMs: number): Promise<ConferenceStateJson> {
  const topic = `${base}/conferences/${id}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new GatewayError("MQTT_NOT_CONNECTED", `conference ${id} did not settle within ${timeoutMs / 1000} s`)), timeoutMs);
    client.on("message", (t, buf) => {
      if (t !== topic) return;
      const s = JSON.parse(buf.toString()) as ConferenceStateJson;
      if (s.state === "in-conference" || s.state === "failed") {
        clearTimeout(timer);
        resolve(s);
      }
    });
    void client.subscribeAsync(topic, { qos: 1 });
  });
}

function show(s: ConferenceStateJson, json: boolean | undefined): void {
  if (json) return printJson(s);
  const extra = [s.detail, s.patchedTalkgroup ? `patched to talk group ${s.patchedTalkgroup}` : undefined].filter(Boolean).join("; ");
  process.stdout.write(`${s.id.padEnd(12)} ${s.state.padEnd(14)} since ${s.since}${extra ? `  ${extra}` : ""}  (${s.name})\n`);
}

function connOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "the daemon's configuration (finds the broker and base topic)")
    .option("--url <url>", "broker URL, e.g. mqtt://127.0.0.1:1883")
    .option("--base <topic>", "the daemon's base topic, e.g. rakelgw/site1")
    .option("--username <name>", "broker user (needs the ACL to write bridge/request/# and read the responses)")
    .option("--password-file <file>", "file holding the broker password")
    .option("--password-env <var>", "environment variable holding the broker password", "RAKELGW_MQTT_PASSWORD")
    .option("--timeout <s>", "seconds to wait for the daemon", "10")
    .option("--json", "JSON output");
}

export function registerConferenceCommands(program: Command): void {
  const conf = program.command("conference").description("telephone conferences of the running daemon (over MQTT)");
  connOptions(conf.command("join <id>").description("dial into a configured conference (sends the PIN)"))
    .option("--wait", "wait until in-conference or failed (exit 1 when failed)")
    .action(async (id: string, o: ConnOpts) => {
      await withClient(o, async (client, base, timeoutMs) => {
        const settled = o.wait ? waitSettled(client, base, id, Math.max(timeoutMs, 120_000)) : undefined;
        show((await request(client, base, "conference/join", { conference: id }, timeoutMs)) as ConferenceStateJson, o.json);
        if (!settled) return;
        const s = await settled;
        show(s, o.json);
        if (s.state === "failed") throw new ProblemExit(`conference ${id} failed`);
      });
    });
  connOptions(conf.command("leave <id>").description("hang up a conference (and de-key its talk-group patch)")).action(async (id: string, o: ConnOpts) => {
    await withClient(o, async (client, base, timeoutMs) => show((await request(client, base, "conference/leave", { conference: id }, timeoutMs)) as ConferenceStateJson, o.json));
  });
  connOptions(conf.command("status [id]").description("state of every configured conference, or of one")).action(async (id: string | undefined, o: ConnOpts) => {
    await withClient(o, async (client, base, timeoutMs) => {
      const data = await request(client, base, "conference/status", id ? { conference: id } : {}, timeoutMs);
      const list = id ? [data as ConferenceStateJson] : (data as { conferences: ConferenceStateJson[] }).conferences;
      if (o.json) return printJson(id ? list[0] : { conferences: list });
      for (const s of list) show(s, false);
    });
  });
}
