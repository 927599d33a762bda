import type { Command } from "commander";
import { tetraAddress } from "../../shared/addresses.js";
import { deliveryStatusName } from "../../../adapters/rakel-pei/sds/delivery-status.js";
import { receivedSdsJson } from "../../app/presenters.js";
import type { ReceivedSds, SdsBody, SdsProgress } from "../../ports/radio-terminal.js";
import { isGatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { ProblemExit, intOption, printJson, usage } from "../output.js";
import { withTerminal, type TerminalOptions } from "../terminal-session.js";
import { parseReport } from "./sds-codec.js";

interface SendOpts extends TerminalOptions {
  to: string;
  text?: string;
  status?: string;
  group?: boolean;
  report?: string;
  immediate?: boolean;
  simple?: boolean;
  wait?: string;
  json?: boolean;
}

/** Stages that settle a send: what we wait for depends on the report asked for. */
function targetStages(report: string): SdsProgress["stage"][] {
  if (report === "consumed" || report === "both") return ["consumed"];
  if (report === "received") return ["delivered"];
  return ["sent"];
}

export async function sdsSend(o: SendOpts, log: Logger): Promise<void> {
  if ((o.text === undefined) === (o.status === undefined)) throw usage("give exactly one of --text or --status");
  const to = tetraAddress(o.group ? "gssi" : "issi", o.to);
  const report = parseReport(o.report);
  const body: SdsBody =
    o.status !== undefined
      ? { type: "status", value: intOption(o.status, "--status", 0, 0xffff)! }
      : { type: "text", text: o.text!, report, immediate: o.immediate ?? false, simple: o.simple ?? false };
  const waitMs = (intOption(o.wait, "--wait", 1, 3600) ?? 30) * 1000;
  await withTerminal({ ...o, interruptible: true }, log, async (t) => {
    const progress: SdsProgress[] = [];
    const off = t.on("progress", (p) => progress.push(p));
    const out: Record<string, unknown> = { to: to.ssi, group: to.kind === "gssi" };
    try {
      // Bounded like everything else here: a cable pulled mid-send must not leave the command hanging.
      const accepted = await t.sendSds(to, body, { priority: "operator", timeoutMs: waitMs });
      Object.assign(out, { id: accepted.id, accepted: true, messageReferences: accepted.messageReferences, parts: accepted.parts });
      if (accepted.warnings) {
        out["warnings"] = accepted.warnings;
        if (!o.json) for (const w of accepted.warnings) process.stderr.write(`warning: ${w}\n`);
      }
      const already = progress.find((p) => p.id === accepted.id && (targetStages(report).includes(p.stage) || p.stage === "failed"));
      const final = already ?? (await t.waitForProgress(accepted.id, targetStages(report), waitMs));
      out["stage"] = final.stage;
      if (final.deliveryStatus !== undefined) out["deliveryStatus"] = final.deliveryStatus;
      if (final.detail) out["detail"] = final.detail;
    } catch (err) {
      // The terminal refused or the destination failed: a problem with the message (exit 1), not with us.
      if (!isGatewayError(err, ["AT_CME_ERROR", "AT_ERROR", "SDS_REPORT_TIMEOUT"])) throw err;
      const sentParts = err.context["sentParts"];
      if (typeof sentParts === "number" && sentParts > 0) {
        // Some parts went out before the terminal refused the rest: the recipient has part of the text.
        Object.assign(out, { id: err.context["id"], accepted: "partly", parts: err.context["parts"], sentParts, messageReferences: err.context["messageReferences"] });
        out["stage"] = "partly-sent";
      } else {
        out["accepted"] = out["accepted"] ?? false;
        out["stage"] = err.code === "SDS_REPORT_TIMEOUT" ? "no-report" : "rejected";
      }
      out["error"] = { code: err.code, message: err.message, cme: err.context["cme"] };
    } finally {
      off();
    }
    out["progress"] = progress.map((p) => ({ stage: p.stage, at: p.at.toISOString(), deliveryStatus: p.deliveryStatus }));
    if (o.json) printJson(out);
    else {
      const ds = out["deliveryStatus"] as number | undefined;
      process.stdout.write(`SDS to ${to.kind.toUpperCase()} ${to.ssi}: ${String(out["stage"])}${ds !== undefined ? ` (${deliveryStatusName(ds)})` : ""}\n`);
      for (const p of progress) process.stdout.write(`  ${p.at.toISOString()}  ${p.stage}\n`);
      if (out["error"]) process.stdout.write(`  ${(out["error"] as { message: string }).message}\n`);
    }
    if (out["stage"] === "failed" || out["stage"] === "rejected" || out["stage"] === "partly-sent" || out["stage"] === "no-report") throw new ProblemExit(`SDS ${String(out["stage"])}`);
  });
}

function humanLine(s: ReceivedSds): string {
  const p = s.payload;
  const head = `${s.receivedAt.toISOString()}  from ${s.from ?? "?"} to ${s.to}  ${p.kind}`;
  switch (p.kind) {
    case "text":
    case "concatenated-part":
      return `${head}: ${JSON.stringify(p["text"])}`;
    case "status":
    case "emergency":
      return `${head}: ${String(p["value"])} (0x${Number(p["value"]).toString(16).toUpperCase().padStart(4, "0")})`;
    case "report":
    case "ack":
      return `${head}: ref ${String(p["messageReference"])} ${deliveryStatusName(Number(p["deliveryStatus"]))}`;
    case "short-report":
      return `${head}: ref ${String(p["messageReference"])} ${String(p["reportType"])}`;
    case "position":
      return `${head}: ${String(p["latitude"])}, ${String(p["longitude"])}`;
    default:
      return `${head}: ${s.hex}`;
  }
}

export async function sdsListen(o: TerminalOptions & { json?: boolean; count?: string; timeout?: string }, log: Logger): Promise<void> {
  const count = intOption(o.count, "--count", 1, 1_000_000);
  const timeoutMs = (intOption(o.timeout, "--timeout", 1, 31_536_000) ?? 0) * 1000;
  await withTerminal({ ...o, heartbeat: true }, log, (t) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      const finish = (): void => {
        off();
        process.off("SIGINT", finish);
        process.off("SIGTERM", finish);
        if (timer) clearTimeout(timer);
        resolve();
      };
      const off = t.on("sds", (s) => {
        // The reassembled text follows its parts; people read the whole text, programs (--json) get both.
        if (!o.json && s.payload.kind === "concatenated-part") return;
        process.stdout.write((o.json ? JSON.stringify(receivedSdsJson(s)) : humanLine(s)) + "\n");
        if (count !== undefined && ++seen >= count) finish();
      });
      const timer = timeoutMs > 0 ? setTimeout(finish, timeoutMs) : undefined;
      process.once("SIGINT", finish);
      process.once("SIGTERM", finish);
      if (!o.json) process.stderr.write(`listening on ${o.port} (ISSI ${t.state.identity.issi ?? "unknown"}); Ctrl-C to stop\n`);
    }),
  );
}

function terminalOptions(c: Command): Command {
  return c
    .requiredOption("--port <port>", "serial device, tcp://host:port or sim:<name>")
    .option("--baud <rate>", "baud rate (default from the profile)")
    .option("--profile <id>", "terminal profile in firmware-config/terminals", "etsi-generic")
    .option("--connect-timeout <s>", "seconds to wait for the terminal", "10")
    .option("--json", "JSON output");
}

export function registerSdsRadioCommands(sds: Command, log: () => Logger): void {
  terminalOptions(sds.command("send").description("send one SDS text or status and wait for its outcome"))
    .requiredOption("--to <ssi>", "destination ISSI (or GSSI with --group)")
    .option("--text <text>", "text message")
    .option("--status <n>", "16-bit pre-coded status")
    .option("--group", "destination is a talk group (GSSI)")
    .option("--report <kind>", "delivery report: none|received|consumed|both", "none")
    .option("--immediate", "immediate text: shown at once on the receiving terminal")
    .option("--simple", "simple text messaging (no SDS-TL header, no reports)")
    .option("--wait <s>", "seconds to wait for transmission or the delivery report", "30")
    .action((o: SendOpts) => sdsSend(o, log()));
  terminalOptions(sds.command("listen").description("print each incoming SDS (text, status, report, position)"))
    .option("--count <n>", "exit after n messages")
    .option("--timeout <s>", "exit after s seconds")
    .action((o: TerminalOptions & { json?: boolean; count?: string; timeout?: string }) => sdsListen(o, log()));
}
