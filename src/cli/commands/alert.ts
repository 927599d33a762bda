import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { stringify as toYaml } from "yaml";
import { isYamlPath, parseRoster } from "../../dispatch/roster.js";
import { GatewayError } from "../../shared/errors.js";
import { addDaemonOptions, withDaemon, type DaemonOpts } from "../daemon-client.js";
import { intOption, printJson, ProblemExit, usage } from "../output.js";

/**
 * `rakelgw alert send|status|list|ack|cancel` and `rakelgw roster check|import|export`: the alert verbs of
 * a running daemon, over MQTT like any client (docs/mqtt-interface.md). `roster check` works offline on a file.
 */
type Json = { json?: boolean };
interface AlertDoc {
  id: string;
  kind: string;
  code: string;
  state: string;
  text: string;
  createdAt: string;
  deadline: string;
  recipients: { person?: string; role?: string; address?: string; state: string; answer?: string; attempts: { channel: string; address: string; at: string; result: string }[] }[];
  summary: { coming: number; notComing: number; delayed: number; pending: number; unreached: number };
}

const ANSWER_SV: Record<string, string> = { coming: "kommer", "not-coming": "kommer ej", delayed: "försenad" };

/** The "who is coming" table of `alert status`. */
export function statusTable(a: AlertDoc): string {
  const rows = a.recipients.map((r) => {
    const last = r.attempts.at(-1);
    return [r.person ?? r.address ?? "", r.role ?? "", r.answer ? `${r.answer} (${ANSWER_SV[r.answer] ?? ""})` : r.state, last ? `${last.channel} ${last.address} ${last.result} ${last.at.slice(11, 19)}` : "-"];
  });
  const head = ["WHO", "ROLE", "ANSWER/STATE", "LAST ATTEMPT"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  const s = a.summary;
  return [
    `alert ${a.id}  code ${a.code}  ${a.kind}  ${a.state}  deadline ${a.deadline}`,
    "",
    line(head),
    ...rows.map(line),
    "",
    `coming ${s.coming}  delayed ${s.delayed}  not coming ${s.notComing}  pending ${s.pending}  unreached ${s.unreached}`,
  ].join("\n");
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerAlertCommands(program: Command): void {
  const alert = program.command("alert").description("alerts of a running daemon (over MQTT)");

  addDaemonOptions(alert.command("send").description("start an alert; prints its id and code"))
    .requiredOption("--text <text>", "what the alert says (the code and answer hint are added)")
    .requiredOption("--to <recipient>", "role:<id>, person:<id>, issi:<ssi>, gssi:<ssi> or msisdn:<E.164>; repeatable", collect)
    .option("--kind <kind>", "activation|conference|info|test", "activation")
    .option("--id <id>", "your id for the alert (a repeated id returns the existing alert)")
    .option("--ack-timeout <s>", "seconds to wait for an answer before the next channel")
    .option("--deadline <s>", "seconds until the alert expires")
    .option("--conference <id>", "a configured conference: its bridge number and PIN are added to the text on the air")
    .option("--json", "print the daemon's answer as JSON")
    .action(async (o: DaemonOpts & Json & { text: string; to: string[]; kind: string; id?: string; ackTimeout?: string; deadline?: string; conference?: string }) => {
      if (!["activation", "conference", "info", "test"].includes(o.kind)) throw usage(`--kind must be activation, conference, info or test, got "${o.kind}"`);
      const ack = intOption(o.ackTimeout, "--ack-timeout", 5, 3600);
      const deadline = intOption(o.deadline, "--deadline", 30, 7 * 86400);
      const data = (await withDaemon(o, (req) => req("alert/send", { kind: o.kind, text: o.text, recipients: o.to, ...(o.id ? { id: o.id } : {}), ...(ack ? { ackTimeoutS: ack } : {}), ...(deadline ? { deadlineS: deadline } : {}), ...(o.conference ? { conference: o.conference } : {}) }))) as { id: string; code: string; state: string; existing?: boolean };
      if (o.json) printJson(data);
      else process.stdout.write(`${data.existing ? "existing " : ""}alert ${data.id} code ${data.code} ${data.state}\n`);
    });

  addDaemonOptions(alert.command("status").description("who is coming: one line per recipient").argument("<id>", "alert id or active code"))
    .option("--json", "print the retained alert document")
    .action(async (id: string, o: DaemonOpts & Json) => {
      const a = (await withDaemon(o, (req) => req("alert/get", { id }))) as AlertDoc;
      if (o.json) printJson(a);
      else process.stdout.write(statusTable(a) + "\n");
    });

  addDaemonOptions(alert.command("list").description("active and recent alerts"))
    .option("--state <state>", "active|completed|cancelled|expired")
    .option("--json", "JSON output")
    .action(async (o: DaemonOpts & Json & { state?: string }) => {
      const data = (await withDaemon(o, (req) => req("alert/list", o.state ? { state: o.state } : {}))) as { alerts: (Omit<AlertDoc, "recipients" | "text">)[] };
      if (o.json) return printJson(data);
      if (data.alerts.length === 0) return void process.stdout.write("no alerts\n");
      for (const a of data.alerts) process.stdout.write(`${a.id}  ${a.code}  ${a.kind.padEnd(10)}  ${a.state.padEnd(9)}  ${a.createdAt}  coming ${a.summary.coming}, not coming ${a.summary.notComing}, pending ${a.summary.pending}, unreached ${a.summary.unreached}\n`);
    });

  addDaemonOptions(alert.command("ack").description("record a person's answer by hand (e.g. after a phone call)").argument("<id>", "alert id or 4-digit code"))
    .requiredOption("--person <id>", "roster person id")
    .option("--answer <answer>", "coming|not-coming|delayed", "coming")
    .option("--json", "JSON output")
    .action(async (id: string, o: DaemonOpts & Json & { person: string; answer: string }) => {
      if (!["coming", "not-coming", "delayed"].includes(o.answer)) throw usage(`--answer must be coming, not-coming or delayed, got "${o.answer}"`);
      const key = /^[0-9]{4}$/.test(id) ? { code: id } : { id };
      const data = (await withDaemon(o, (req) => req("alert/ack", { ...key, person: o.person, answer: o.answer }))) as { id: string; state: string };
      if (o.json) printJson(data);
      else process.stdout.write(`alert ${data.id}: ${o.person} ${o.answer} (${data.state})\n`);
    });

  addDaemonOptions(alert.command("cancel").description("end an alert: no more sends").argument("<id>", "alert id"))
    .option("--json", "JSON output")
    .action(async (id: string, o: DaemonOpts & Json) => {
      const data = (await withDaemon(o, (req) => req("alert/cancel", { id }))) as { id: string; state: string };
      if (o.json) printJson(data);
      else process.stdout.write(`alert ${data.id} ${data.state}\n`);
    });

  const roster = program.command("roster").description("the alert roster: people, channels, roles");
  roster
    .command("check")
    .description("validate a roster file (JSON or YAML) without a daemon; lists every problem as path: reason")
    .argument("<file>")
    .option("--json", "JSON output")
    .action((file: string, o: Json) => {
      try {
        const r = parseRoster(readFileSync(file, "utf8"), file);
        if (o.json) printJson({ ok: true, people: r.people.length, roles: r.roles.length });
        else process.stdout.write(`${file}: ok (${r.people.length} people, ${r.roles.length} roles)\n`);
      } catch (err) {
        if (!(err instanceof GatewayError) || err.code !== "CFG_INVALID") throw err instanceof GatewayError ? err : new GatewayError("CFG_INVALID", `cannot read ${file}: ${(err as Error).message}`);
        const problems = (err.context["problems"] as string[] | undefined) ?? [err.message];
        if (o.json) printJson({ ok: false, problems });
        else process.stdout.write(problems.map((p) => `${file}: ${p}`).join("\n") + "\n");
        throw new ProblemExit(`${problems.length} problems`);
      }
    });
  addDaemonOptions(roster.command("import").description("validate a roster file and make it the daemon's roster (durably, at once)").argument("<file>"))
    .option("--json", "JSON output")
    .action(async (file: string, o: DaemonOpts & Json) => {
      const r = parseRoster(readFileSync(file, "utf8"), file);
      const data = await withDaemon(o, (req) => req("roster/set", { roster: r }));
      if (o.json) printJson(data);
      else process.stdout.write(`roster imported: ${r.people.length} people, ${r.roles.length} roles\n`);
    });
  addDaemonOptions(roster.command("export").description("print the daemon's roster (JSON, or YAML with --out F.yaml)"))
    .option("--out <file>", "write to a file instead of stdout")
    .action(async (o: DaemonOpts & { out?: string }) => {
      const data = (await withDaemon(o, (req) => req("roster/get", {}))) as { roster: unknown };
      const text = o.out && isYamlPath(o.out) ? toYaml(data.roster) : `${JSON.stringify(data.roster, null, 2)}\n`;
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
    });
}
