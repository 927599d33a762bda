import type { Command } from "commander";
import { decodePdu, encodeSubmit, partFromDeliver, SmsReassembler, type DecodedSms } from "../../../adapters/gsm-sms/pdu/index.js";
import type { SmsProgress, SmsStage } from "../../ports/sms-modem.js";
import { GatewayError, isGatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { ProblemExit, intOption, printJson, usage } from "../output.js";
import { modemOptions, openModem, type ModemCliOptions } from "./modem.js";

/**
 * `rakelgw sms encode|decode|send` (docs/mqtt-interface.md). `encode` prints exactly what follows `AT+CMGS=<length>`
 * (SMSC field `00` first); `decode` reads SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT PDUs; `send` goes
 * through a modem and waits for the service centre's acceptance and, with --report, the status report.
 */
interface EncodeOpts {
  to: string;
  text: string;
  report?: boolean;
  flash?: boolean;
  ref?: string;
  maxParts?: string;
  json?: boolean;
}

/** `rakelgw sms encode`: `{"pdus": [{"hex", "length"}], "coding", "parts"}` with --json. */
export function smsEncode(o: EncodeOpts): void {
  const ref = intOption(o.ref, "--ref", 0, 255) ?? Math.floor(Math.random() * 256);
  const r = encodeSubmit({ to: o.to, text: o.text, statusReport: o.report ?? false, flash: o.flash ?? false, reference: ref, maxParts: intOption(o.maxParts, "--max-parts", 1, 255) ?? 6 });
  if (o.json) return printJson(r);
  process.stdout.write(`${r.parts} part(s), ${r.coding === "gsm7" ? "GSM 7-bit" : "UCS-2"}${r.parts > 1 ? `, concatenation reference ${ref}` : ""}\n`);
  r.pdus.forEach((p, i) => process.stdout.write(`  part ${i + 1}: AT+CMGS=${p.length}\n          ${p.hex}\n`));
}

function summary(d: DecodedSms): string {
  switch (d.type) {
    case "deliver":
      return `SMS-DELIVER from ${d.originator.address} at ${d.timestamp.iso}${d.concat ? ` (part ${d.concat.sequence}/${d.concat.total}, ref ${d.concat.reference})` : ""}: ${JSON.stringify(d.text ?? d.dataHex)}`;
    case "submit":
      return `SMS-SUBMIT to ${d.destination.address}${d.statusReportRequest ? " (status report requested)" : ""}${d.concat ? ` (part ${d.concat.sequence}/${d.concat.total}, ref ${d.concat.reference})` : ""}: ${JSON.stringify(d.text ?? d.dataHex)}`;
    case "status-report":
      return `SMS-STATUS-REPORT for TP-MR ${d.messageReference} to ${d.recipient.address}: ${d.status.class} (0x${d.status.code.toString(16).padStart(2, "0")} ${d.status.text}) at ${d.dischargeTime.iso}`;
  }
}

/** `rakelgw sms decode HEX…`: one object (or an array for several PDUs) with --json. */
export function smsDecode(hexes: string[], o: { length?: string; json?: boolean }): void {
  const length = intOption(o.length, "--length", 1, 200);
  const decoded = hexes.map((hex, i) => {
    const r = decodePdu(hex.replace(/\s+/g, ""), length);
    if (!r.ok) throw new GatewayError("SMS_INVALID", `cannot decode PDU ${i + 1}: ${r.reason} (give the hex as the modem printed it, SMSC field first, or the TPDU with --length)`);
    return r.value;
  });
  if (o.json) return printJson(decoded.length === 1 ? decoded[0] : decoded);
  for (const d of decoded) process.stdout.write(summary(d) + "\n");
  // Parts given together are joined as a handset would show them.
  const ra = new SmsReassembler({ now: () => 0 });
  for (const d of decoded) {
    const part = d.type === "deliver" ? partFromDeliver(d) : null;
    const r = part ? ra.add(part) : undefined;
    if (r?.status === "complete") process.stdout.write(`joined ${r.message.total} parts from ${r.message.originator}: ${JSON.stringify(r.message.text)}\n`);
  }
}

interface SendOpts extends ModemCliOptions {
  to: string;
  text: string;
  report?: boolean;
  flash?: boolean;
  wait?: string;
}

/** `rakelgw sms send`: exit 0 submitted/delivered, 1 rejected/failed/no report, 2 could not run. */
export async function smsSend(o: SendOpts, log: Logger): Promise<void> {
  const waitMs = (intOption(o.wait, "--wait", 1, 86_400) ?? 60) * 1000;
  // Validate before touching the port: a bad number or text is a usage error (exit 2).
  encodeSubmit({ to: o.to, text: o.text, reference: 0, maxParts: 10 });
  await openModem(o, log, async ({ modem }) => {
    const progress: SmsProgress[] = [];
    const off = modem.on("progress", (p) => progress.push(p));
    const id = `cli-${Date.now().toString(36)}`;
    const out: Record<string, unknown> = { to: o.to, id };
    const target: SmsStage[] = o.report ? ["delivered"] : ["submitted"];
    try {
      const r = await modem.sendSms(o.to, o.text, { id, priority: "operator", statusReport: o.report ?? false, flash: o.flash ?? false });
      Object.assign(out, { parts: r.parts, coding: r.coding, references: r.references, stage: "submitted" });
      const done = progress.find((p) => p.id === r.id && (target.includes(p.stage) || p.stage === "failed")) ?? (await modem.waitForProgress(r.id, target, waitMs));
      out["stage"] = done.stage;
      if (done.detail) out["detail"] = done.detail;
    } catch (err) {
      // The modem could not be used at all: could not run (exit 2). The message was refused: a finding (exit 1).
      if (!isGatewayError(err, ["SMS_REJECTED", "SMS_SEND_FAILED", "SMS_REPORT_TIMEOUT", "SMS_QUEUE_EXPIRED"])) throw err;
      out["stage"] = err.code === "SMS_REPORT_TIMEOUT" ? "no-report" : err.code === "SMS_REJECTED" ? "rejected" : "failed";
      out["error"] = { code: err.code, message: err.message, cms: err.context["cms"] };
    } finally {
      off();
    }
    const mine = progress.filter((p) => p.id === id);
    out["progress"] = mine.map((p) => ({ stage: p.stage, at: p.at.toISOString(), parts: p.parts, detail: p.detail, error: p.error }));
    if (o.json) printJson(out);
    else {
      const parts = out["parts"] as number | undefined;
      const refs = (out["references"] as number[] | undefined) ?? [];
      process.stdout.write(`SMS to ${o.to}: ${String(out["stage"])}${parts ? ` (${parts} part(s), TP-MR ${refs.join(",")})` : ""}\n`);
      for (const p of mine) process.stdout.write(`  ${p.at.toISOString()}  ${p.stage}${p.detail ? `  ${p.detail}` : ""}\n`);
      const message = (out["error"] as { message: string } | undefined)?.message;
      if (message && mine.at(-1)?.detail !== message) process.stdout.write(`  ${message}\n`);
    }
    if (out["stage"] !== "submitted" && out["stage"] !== "delivered") throw new ProblemExit(`SMS ${String(out["stage"])}`);
  });
}

/** Registers `sms encode`, `sms decode` and `sms send`. */
export function registerSmsCommands(program: Command, log: () => Logger): void {
  const sms = program.command("sms").description("SMS through a GSM/LTE modem: send, encode, decode (3GPP TS 27.005 PDU mode)");
  sms
    .command("encode")
    .description("print the SMS-SUBMIT PDU(s) exactly as they follow AT+CMGS=<length>")
    .requiredOption("--to <msisdn>", "recipient: optional + and 3-20 digits")
    .requiredOption("--text <text>", "message text (GSM 7-bit when possible, else UCS-2)")
    .option("--report", "ask for a status report (TP-SRR)")
    .option("--flash", "class 0 message, shown at once")
    .option("--ref <n>", "concatenation reference 0-255 for long texts (default random)")
    .option("--max-parts <n>", "most parts allowed", "6")
    .option("--json", "JSON output")
    .action((o: EncodeOpts) => smsEncode(o));
  sms
    .command("decode")
    .description("decode SMS-DELIVER / SMS-SUBMIT / SMS-STATUS-REPORT PDUs (hex, SMSC field first)")
    .argument("<hex...>", "one or more PDUs")
    .option("--length <n>", "TPDU length as the modem printed it (lets a bare TPDU without SMSC field decode)")
    .option("--json", "JSON output (one object, or an array for several PDUs)")
    .action((hexes: string[], o: { length?: string; json?: boolean }) => smsDecode(hexes, o));
  modemOptions(sms.command("send").description("send one SMS and wait for its acceptance (and status report with --report)"))
    .requiredOption("--to <msisdn>", "recipient: optional + and 3-20 digits")
    .requiredOption("--text <text>", "message text")
    .option("--report", "ask for a status report and wait for it")
    .option("--flash", "class 0 message, shown at once")
    .option("--wait <s>", "seconds to wait for the status report", "60")
    .action((o: SendOpts) => {
      if (o.text === "") throw usage("--text must not be empty");
      return smsSend(o, log());
    });
}
