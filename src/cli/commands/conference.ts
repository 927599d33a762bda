import type { Command } from "commander";
import type { MqttClient } from "mqtt";
import type { ConferenceStateJson } from "../../conference/conference-state.js";
import { GatewayError } from "../../shared/errors.js";
import { addDaemonOptions, withDaemon, type DaemonOpts } from "../daemon-client.js";
import { printJson, ProblemExit } from "../output.js";

/**
 * `rakelgw conference join|leave|status`: asks the running daemon over MQTT (its `conference/*` verbs), like
 * any other client would; the CLI never dials itself. Where the daemon is: see daemon-client.ts.
 */
interface ConferenceOpts extends DaemonOpts {
  json?: boolean;
  wait?: boolean;
}

/** Waits on the retained state until the conference settles (in-conference or failed). */
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

export function registerConferenceCommands(program: Command): void {
  const conf = program.command("conference").description("telephone conferences of the running daemon (over MQTT)");
  addDaemonOptions(conf.command("join <id>").description("dial into a configured conference (sends the PIN)"))
    .option("--wait", "wait until in-conference or failed (exit 1 when failed)")
    .option("--json", "JSON output")
    .action(async (id: string, o: ConferenceOpts) => {
      await withDaemon(o, async (request, { client, base, timeoutMs }) => {
        const settled = o.wait ? waitSettled(client, base, id, Math.max(timeoutMs, 120_000)) : undefined;
        show((await request("conference/join", { conference: id })) as ConferenceStateJson, o.json);
        if (!settled) return;
        const s = await settled;
        show(s, o.json);
        if (s.state === "failed") throw new ProblemExit(`conference ${id} failed`);
      });
    });
  addDaemonOptions(conf.command("leave <id>").description("hang up a conference (and de-key its talk-group patch)"))
    .option("--json", "JSON output")
    .action(async (id: string, o: ConferenceOpts) => {
      await withDaemon(o, async (request) => show((await request("conference/leave", { conference: id })) as ConferenceStateJson, o.json));
    });
  addDaemonOptions(conf.command("status [id]").description("state of every configured conference, or of one"))
    .option("--json", "JSON output")
    .action(async (id: string | undefined, o: ConferenceOpts) => {
      await withDaemon(o, async (request) => {
        const data = await request("conference/status", id ? { conference: id } : {});
        const list = id ? [data as ConferenceStateJson] : (data as { conferences: ConferenceStateJson[] }).conferences;
        if (o.json) return printJson(id ? list[0] : { conferences: list });
        for (const s of list) show(s, false);
      });
    });
}
