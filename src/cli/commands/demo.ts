import { join } from "node:path";
import type { Command } from "commander";
import { untilProgress, untilReady } from "../../app/devices/device-readiness.js";
import type { TerminalSimulator } from "../../app/devices/simulated-devices.js";
import { Gateway } from "../../app/gateway.js";
import type { RadioTerminal } from "../../ports/radio-terminal.js";
import { firmwareConfigDir } from "../../config/firmware-config.js";
import { loadGatewayConfig } from "../../app/gateway-config.js";
import { receivedSdsJson } from "../../app/presenters.js";
import { GatewayError, isGatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { display, intOption } from "../output.js";
import { startProbeTarget, type ProbeTarget } from "./demo-probe-target.js";
import { attachAnsweringPeers } from "../../app/answering-peers.js";
import { publicAlert } from "../../dispatch/alert-model.js";
import { statusTable } from "./alert.js";
import { SimTerminal } from "../../../adapters/rakel-pei/sim/index.js";

/**
 * `rakelgw demo` (what `npm start` runs): the daemon on the simulated site
 * (`firmware-config/sites/simulated.json`: a simulated Rakel terminal and GSM modem behind the real adapters,
 * and the embedded broker on 127.0.0.1:1883 with a read-only `demo` account), plus a short scripted scenario
 * so a new user sees SDS, SMS and MQTT at work. Nothing here talks to real hardware.
 */
interface DemoOpts {
  duration?: string;
  mqttPort?: string;
  httpPort?: string;
  site?: string;
}

const PEER = "2009999";

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
}

async function scenario(gw: Gateway, radio: RadioTerminal, sim: TerminalSimulator, signal: AbortSignal): Promise<void> {
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  say(`1. SDS text to ISSI ${PEER} with a delivery report ("received")`);
  // Listen before sending: the delivery report may arrive before sendSds() resolves.
  const sent: { id?: string } = {};
  const delivered = untilProgress(radio, () => sent.id, ["delivered"], 10_000);
  sent.id = (await radio.sendSds({ kind: "issi", ssi: PEER }, { type: "text", text: "Samverkanskonferens 16:00, anslut via Rakel RSÄK Sthlm 1", report: "received" })).id;
  await delivered;
  await pause(500);
  if (signal.aborted) return;
  say("2. Status 32770 to talk group 9001");
  await radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 32770 });
  await pause(500);
  say(`3. The simulated peer ${PEER} answers with a text, a status and a position`);
  sim.injectText(PEER, "Uppfattat, TiB ansluter till konferensen");
  await pause(300);
  sim.injectStatus(PEER, 32773);
  await pause(300);
  sim.injectLip(PEER, 59.3293, 18.0686);
  await pause(800);
  const modem = gw.modems.values().next().value;
  if (modem && !signal.aborted) {
    say("4. SMS fallback: a text to +46701234567 through the simulated modem, with a status report");
    await modem.sendSms("+46701234567", "Larm: samverkanskonferens 16:00, ring 08-123 456 78", { statusReport: true }).catch((err: unknown) => say(`   SMS failed: ${(err as Error).message}`));
    await pause(1500);
  }
  if (gw.dispatch && !signal.aborted) await alertScene(gw, sim, signal);
}

/**
 * 5. An activation to three roles: simulated people answer by SDS, Rakel status and SMS; one does not
 * answer and is escalated (SDS → SMS → the next person of the role); the summary is printed.
 */
async function alertScene(gw: Gateway, sim: TerminalSimulator, signal: AbortSignal): Promise<void> {
  const dispatch = gw.dispatch!;
  const modem = gw.modemSimulators.values().next().value;
  if (!(sim instanceof SimTerminal)) return;
  const detach = attachAnsweringPeers(
    [
      { issi: "2001001", answer: { by: "none" } },
      { msisdn: "+46701000001", answer: { by: "sms", text: "OK {code}", delayMs: 1500 } },
      { msisdn: "+46701000003", answer: { by: "sms", text: "Ja {code}", delayMs: 2000 } },
      { issi: "2001004", answer: { by: "none" } },
      { msisdn: "+46701000004", answer: { by: "none" } },
      { issi: "2001005", answer: { by: "status", value: 32772, delayMs: 1500 } },
    ],
    { terminal: sim, ...(modem ? { modem } : {}) },
    (who, by) => say(`   ${who} answers by ${by === "status" ? "Rakel status" : by.toUpperCase()}`),
  );
  try {
    say("5. ACTIVATION to roles tib, kib, rcb (answer timeout 5 s): who is coming?");
    const { alert } = await dispatch.dispatcher.send({ kind: "activation", text: "Samverkanskonferens 14:30, ring 08-123 45 67", recipients: ["role:tib", "role:kib", "role:rcb"], ackTimeoutS: 5 }, { via: "cli" });
    say(`   alert ${alert.id} code ${alert.code}; retained on ${gw.opts.config.mqtt.baseTopic}/alerts/${alert.id}`);
    const seen = new Set<string>();
    const end = Date.now() + 40_000;
    for (;;) {
      const a = await dispatch.dispatcher.get(alert.id);
      if (!a) return;
      for (const r of a.recipients) {
        r.attempts.forEach((t, i) => {
          const k = `${r.person ?? r.address}/${i}/${t.result}`;
          if (!seen.has(k)) say(`   ${(r.person ?? r.address ?? "").padEnd(9)} ${t.channel.toUpperCase()} ${t.address} ${t.result}`);
          seen.add(k);
        });
        const k = `${r.person ?? r.address}/answer/${r.answer ?? ""}`;
        if (r.answer && !seen.has(k)) say(`   ${(r.person ?? "").padEnd(9)} answered: ${r.answer}`);
        seen.add(k);
      }
      if (a.state !== "active" || Date.now() > end || signal.aborted) {
        process.stdout.write(`\n${statusTable(publicAlert(a) as never)}\n\n`);
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    detach();
  }
}

/**
 * The field-operations scenes: a talk-group check through the same request path as MQTT and the status
 * page, and an IP outage: the `ip` link's probe target (a stand-in for the regional service, started by
 * the demo) goes away and comes back, and the real IP-health monitor reports it on every page.
 */
async function opsScenes(gw: Gateway, terminalId: string, probe: ProbeTarget, signal: AbortSignal): Promise<void> {
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  if (signal.aborted) return;
  say(`5. Talk-group check of ${terminalId} (the status page's button runs the same talkgroups/check verb)`);
  const r = await gw.mqtt.topicApi.request("talkgroups/check", { terminal: terminalId }, "demo");
  if (r.status === "ok") {
    const data = r.data as { summary?: { present?: number; missing?: number; total?: number } };
    say(`   ${data.summary?.present ?? "?"} of ${data.summary?.total ?? "?"} groups present, ${data.summary?.missing ?? "?"} missing`);
  } else say(`   check refused: ${r.error.code} ${r.error.message}`);
  if (signal.aborted) return;
  say("6. IP outage: the regional service stops answering (watch the ip link turn red on the status page)");
  await probe.down();
  await waitForLink(gw, "ip", "disconnected", 15_000, signal);
  say(`   ip link: ${gw.links.get("ip")?.state ?? "?"}; radio and SMS keep working without IP`);
  await pause(4000);
  if (signal.aborted) return;
  say("7. IP is back");
  await probe.up();
  await waitForLink(gw, "ip", "ready", 15_000, signal);
  say(`   ip link: ${gw.links.get("ip")?.state ?? "?"}`);
}

function waitForLink(gw: Gateway, link: string, state: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      off();
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const off = gw.links.on("change", (id, h) => id === link && h.state === state && done());
    const timer = setTimeout(done, timeoutMs);
    signal.addEventListener("abort", done, { once: true });
    if (gw.links.get(link)?.state === state) done();
  });
}

function describeSds(j: Record<string, unknown>): string {
  switch (j["kind"]) {
    case "text":
      return JSON.stringify(j["text"]);
    case "position":
      return `${Number(j["latitude"]).toFixed(5)}, ${Number(j["longitude"]).toFixed(5)}`;
    case "report":
    case "short-report":
      return `for message ref ${display(j["messageReference"])}, ${display(j["deliveryStatusName"] ?? j["reportType"])}`;
    default:
      return display(j["value"]);
  }
}

async function runDemo(o: DemoOpts, log: Logger, version: string): Promise<void> {
  const durationS = intOption(o.duration, "--duration", 1, 31_536_000);
  const mqttPort = intOption(o.mqttPort, "--mqtt-port", 0, 65535) ?? 1883;
  const sitePath = o.site ?? join(firmwareConfigDir("sites"), "simulated.json");
  const httpPort = intOption(o.httpPort, "--http-port", 0, 65535);
  const { config } = loadGatewayConfig(sitePath, true);
  for (const l of config.mqtt.broker.listeners) if (l.kind === "tcp") l.port = mqttPort;
  if (httpPort !== undefined) config.http.listen = `127.0.0.1:${httpPort}`;
  // The `ip` link watches a stand-in for the regional service, so the demo can take IP away and back.
  const probe = await startProbeTarget();
  config.mqtt.linkHealth.probes = [{ kind: "tcp", name: "regional-service", host: "127.0.0.1", port: probe.port }];
  let gw: Gateway;
  try {
    gw = await Gateway.start({ config, log, version, allowSim: true, configPath: sitePath });
  } catch (err) {
    await probe.close();
    if (isGatewayError(err, "MQTT_BROKER_FAILED") && err.context["errno"] === "EADDRINUSE") throw new GatewayError("CFG_INVALID", `MQTT port ${mqttPort} is in use (is another broker running?); try --mqtt-port 18830`, { cause: err });
    throw err;
  }
  const port = gw.mqtt.ports["tcp-0"] ?? mqttPort;
  const [terminalId, radio] = [...gw.terminals][0]!;
  const sim = gw.terminalSimulators.get(terminalId)!;
  radio.on("progress", (p) => say(`   SDS ${p.id} to ${p.to.ssi}: ${p.stage}${p.deliveryStatus !== undefined ? ` (delivery status 0x${p.deliveryStatus.toString(16).padStart(2, "0")})` : ""}`));
  radio.on("sds", (s) => {
    const j = receivedSdsJson(s);
    if (j["kind"] !== "concatenated-part") say(`   received ${display(j["kind"])} from ${display(j["from"])}: ${describeSds(j)}`);
  });
  for (const m of gw.modems.values()) m.on("progress", (p) => say(`   SMS ${p.id} to ${p.to}: ${p.stage}`));
  process.stdout.write(
    [
      "",
      "rakel-edge-gateway demo: SIMULATED hardware, nothing here is a real radio or modem",
      `  site:     ${config.site} (${sitePath})`,
      `  terminal: ${terminalId}, simulated Rakel terminal ISSI ${sim.config.issi}, behind the real PEI adapter`,
      `  modem:    ${[...gw.modems.keys()].join(", ") || "none"}, simulated GSM modem`,
      `  page:     ${gw.ops?.server ? `${gw.ops.server.url}  (log in as operator / operator, or demo / demo to only watch)` : `not running (${config.http.listen} taken? try --http-port 0)`}`,
      `  SIP:      ${gw.sipBridge ? `${gw.sipBridge.name}, simulated conference bridge; conferences ${config.conferences.map((c) => c.id).join(", ")}` : "none"}`,
      `  MQTT:     mosquitto_sub -h 127.0.0.1 -p ${port} -u demo -P demo -t '${config.mqtt.baseTopic}/#' -v`,
      "  logs:     --log-level info --pretty-log for lifecycle events, --log-level trace for the wire",
      "  stop:     Ctrl-C",
      "",
    ].join("\n") + "\n",
  );
  const abort = new AbortController();
  const end = (): void => abort.abort();
  process.once("SIGINT", end);
  process.once("SIGTERM", end);
  const timer = durationS ? setTimeout(end, durationS * 1000) : undefined;
  try {
    await untilReady(radio, 10_000);
    const s = radio.state;
    say(`Terminal ready: ${s.identity.manufacturer ?? "?"} ${s.identity.model ?? "?"} ITSI ${s.identity.itsi ?? "?"}, ${s.mode?.name.toUpperCase() ?? "?"}, group ${s.selectedGroup ?? "none"}`);
    await scenario(gw, radio, sim, abort.signal);
    await opsScenes(gw, terminalId, probe, abort.signal);
    await conferenceScene(gw, abort.signal);
    say("Scenario done. The simulated peer sends a report every 20 s; Ctrl-C to stop.");
    let n = 0;
    const every = setInterval(() => sim.injectText(PEER, `Lägesrapport ${++n}: inget nytt`), 20_000);
    await new Promise<void>((r) => (abort.signal.aborted ? r() : abort.signal.addEventListener("abort", () => r(), { once: true })));
    clearInterval(every);
  } finally {
    if (timer) clearTimeout(timer);
    process.off("SIGINT", end);
    process.off("SIGTERM", end);
    await gw.stop();
    await probe.close();
  }
}

/** Dials the first conference on the simulated bridge and reports its states (the PIN is never shown). */
async function conferenceScene(gw: Gateway, signal: AbortSignal): Promise<void> {
  const service = gw.conferences;
  const first = gw.opts.config.conferences[0];
  if (!service || !first || signal.aborted) return;
  say(`Joining conference ${first.id} (${first.name}) on the simulated bridge`);
  let last = service.join(first.id).state;
  say(`   conference ${first.id}: ${last}`);
  const end = Date.now() + 15_000;
  while (last !== "in-conference" && last !== "failed" && Date.now() < end && !signal.aborted) {
    await new Promise((r) => setTimeout(r, 100));
    const s = service.get(first.id);
    if (s.state !== last) say(`   conference ${first.id}: ${(last = s.state)}${s.patchedTalkgroup ? ` (talk group ${s.patchedTalkgroup} patched)` : ""}`);
  }
}

export function registerDemoCommand(program: Command, log: () => Logger, version: string): void {
  program
    .command("demo")
    .description("the gateway on a simulated site (what npm start runs)")
    .option("--duration <s>", "stop after s seconds (default: run until Ctrl-C)")
    .option("--mqtt-port <port>", "port of the embedded broker (default 1883; 0 picks a free one)")
    .option("--http-port <port>", "port of the status page (default from the site file, 8088; 0 picks a free one)")
    .option("--site <file>", "site configuration (default firmware-config/sites/simulated.json)")
    .action((o: DemoOpts) => runDemo(o, log(), version));
}
