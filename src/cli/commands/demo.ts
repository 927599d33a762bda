import type { Command } from "commander";
import { RakelPeiAdapter } from "../../../adapters/rakel-pei/rakel-pei-adapter.js";
import { loadProfile } from "../../../adapters/rakel-pei/terminal-profile.js";
import { GatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { display, intOption } from "../output.js";
import { startInProcessSimulator } from "../sim-registry.js";
import { receivedJson } from "./sds-radio.js";

/**
 * `rakelgw demo` (what `npm start` runs): the gateway on a simulated site with no hardware. A simulated
 * Rakel terminal sits behind the real PEI adapter; a short scripted scenario sends and receives SDS so a
 * new user sees the whole path, then simulated peers keep sending a message now and then.
 */
interface DemoOpts {
  duration?: string;
}

const PEER = "2009999";

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
}

async function scenario(radio: RakelPeiAdapter, inject: (what: string) => void, signal: AbortSignal): Promise<void> {
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  say(`1. Sending an SDS text to ISSI ${PEER} with a delivery report ("received")`);
  const sent = await radio.sendSds({ kind: "issi", ssi: PEER }, { type: "text", text: "Samverkanskonferens 16:00, anslut via Rakel RSÄK Sthlm 1", report: "received" });
  await radio.waitForProgress(sent.id, ["delivered"], 10_000).catch(() => undefined);
  await pause(500);
  if (signal.aborted) return;
  say("2. Sending status 32770 to talk group 9001");
  await radio.sendSds({ kind: "gssi", ssi: "9001" }, { type: "status", value: 32770 });
  await pause(500);
  say(`3. The simulated peer ${PEER} answers with a text, a status and a position`);
  inject("text");
  await pause(300);
  inject("status");
  await pause(300);
  inject("position");
  await pause(800);
}

async function runDemo(o: DemoOpts, log: Logger): Promise<void> {
  const durationS = intOption(o.duration, "--duration", 1, 31_536_000);
  const { sim, factory, stop } = startInProcessSimulator("terminal", log);
  const profile = loadProfile("etsi-generic");
  const radio = new RakelPeiAdapter({ name: "sim-terminal", log, profile, linkFactory: factory });
  radio.on("progress", (p) => say(`   SDS ${p.id} to ${p.to.ssi}: ${p.stage}${p.deliveryStatus !== undefined ? ` (delivery status 0x${p.deliveryStatus.toString(16).padStart(2, "0")})` : ""}`));
  radio.on("sds", (s) => {
    const j = receivedJson(s);
    const body =
      j["kind"] === "text"
        ? JSON.stringify(j["text"])
        : j["kind"] === "position"
          ? `${Number(j["latitude"]).toFixed(5)}, ${Number(j["longitude"]).toFixed(5)}`
          : j["kind"] === "report" || j["kind"] === "short-report"
            ? `for message ref ${String(j["messageReference"])}, ${display(j["deliveryStatusName"] ?? j["reportType"])}`
            : display(j["value"]);
    say(`   received ${String(j["kind"])} from ${String(j["from"])}: ${body}`);
  });
  radio.on("health", (h) => say(`   terminal link: ${h.state} (${h.detail})`));
  process.stdout.write(
    [
      "",
      "rakel-edge-gateway demo: SIMULATED hardware, nothing here is a real radio",
      `  terminal: simulated Rakel terminal, ISSI ${sim.config.issi}, behind the real PEI adapter (in-process link)`,
      "  logs:     add --log-level info --pretty-log to see every AT line's lifecycle; --log-level trace shows the wire",
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
    await radio.start();
    await radio.waitReady(10_000);
    const s = radio.state;
    say(`Terminal ready: ${s.identity.manufacturer ?? "?"} ${s.identity.model ?? "?"} ITSI ${s.identity.itsi ?? "?"}, ${s.mode?.name.toUpperCase() ?? "?"}, group ${s.selectedGroup ?? "none"}`);
    const inject = (what: string): void => {
      if (what === "text") sim.injectText(PEER, "Uppfattat, TiB ansluter till konferensen");
      else if (what === "status") sim.injectStatus(PEER, 32773);
      else sim.injectLip(PEER, 59.3293, 18.0686);
    };
    await scenario(radio, inject, abort.signal);
    say("Scenario done. The simulated peer sends a message every 20 s; Ctrl-C to stop.");
    let n = 0;
    const every = setInterval(() => sim.injectText(PEER, `Lägesrapport ${++n}: inget nytt`), 20_000);
    await new Promise<void>((r) => (abort.signal.aborted ? r() : abort.signal.addEventListener("abort", () => r(), { once: true })));
    clearInterval(every);
  } catch (err) {
    throw err instanceof GatewayError ? err : new GatewayError("LINK_NOT_OPEN", `demo failed: ${(err as Error).message}`, { cause: err });
  } finally {
    if (timer) clearTimeout(timer);
    process.off("SIGINT", end);
    process.off("SIGTERM", end);
    await radio.stop();
    await stop();
  }
}

export function registerDemoCommand(program: Command, log: () => Logger): void {
  program
    .command("demo")
    .description("the gateway on a simulated site (what npm start runs)")
    .option("--duration <s>", "stop after s seconds (default: run until Ctrl-C)")
    .action((o: DemoOpts) => runDemo(o, log()));
}
