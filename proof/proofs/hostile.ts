import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "mqtt";
import type { ProofArgs } from "../run.js";
import { PtyDevice, simModem, simTerminal } from "../harness/devices.js";
import { sleep, until } from "../harness/processes.js";
import { Report } from "../harness/report.js";
import { BASE, CLI, ROOT, Rig } from "../harness/rig.js";
import { SDS_UNITS, SMS_UNITS, units, violations } from "../harness/wire-grammar.js";
import { PROOF_ACTIVATOR_ISSI, PROOF_ACTIVATOR_MSISDN } from "../harness/workloads.js";

/**
 * Hostile input (docs/reliability.md S2 and the bad-input catalogue): each item through each entry point that
 * can carry it — MQTT verbs and raw MQTT packets, incoming SDS and SMS from the devices, the CLI, the
 * configuration. Every answer must be a clear error to the sender (or a safe send); the bytes written to the
 * terminal and the modem must parse as routine commands plus the one send command asked for, and no other
 * AT command may appear. Alert dispatch is an entry point too: `alert/send` and `roster/set` over MQTT, and
 * SDS and SMS activations from the devices, with hostile texts and addresses.
 */

/** An activation from the devices: it must reach role r1's person (ISSI 3000001) as a safe send, or nobody. */
const activation = (item: string, via: "sds" | "sms", from: string, text: string, wantAlert = true): Case => ({
  item,
  entry: `incoming ${via.toUpperCase()} activation`,
  async run(r) {
    const before = r.terminal.sim.sent.filter((s) => s.ssi === "3000001").length;
    if (via === "sds") r.terminal.sim.injectText(from, text);
    else r.modem.sim.deliverSms(from, text);
    const reached = await until(() => (r.terminal.sim.sent.filter((s) => s.ssi === "3000001").length > before ? true : undefined), wantAlert ? 15_000 : 4000, "the alert SDS").catch(() => false);
    return { seen: reached ? "alert sent to the role" : "no alert", ok: reached === wantAlert && r.running };
  },
});
interface Case {
  item: string;
  entry: string;
  /** What was observed, and whether it is acceptable. */
  run(rig: Rig): Promise<{ seen: string; ok: boolean }>;
}

const USER = { username: "proof", password: "proof-pass" };

function answer(r: Record<string, unknown>): string {
  if (r["status"] === "ok") return "ok";
  return (r["error"] as { code?: string } | undefined)?.code ?? (typeof r["status"] === "string" ? r["status"] : "no answer");
}

/** A request that must be refused with an error code (nothing sent). */
const refused = (item: string, verb: string, payload: Record<string, unknown>): Case => ({
  item,
  entry: `MQTT ${verb}`,
  async run(rig) {
    const r = await rig.request(verb, payload, 20_000).catch((): Record<string, unknown> => ({}));
    return { seen: answer(r), ok: r["status"] === "error" && typeof (r["error"] as { code?: unknown } | undefined)?.code === "string" };
  },
});

/** A request that may be sent (its text is only data) or refused, but never reaches the wire raw. */
const safe = (item: string, verb: string, payload: Record<string, unknown>): Case => ({
  item,
  entry: `MQTT ${verb}`,
  async run(rig) {
    const r = await rig.request(verb, payload, 30_000).catch((): Record<string, unknown> => ({}));
    return { seen: answer(r), ok: r["status"] === "ok" || (r["status"] === "error" && typeof (r["error"] as { code?: unknown } | undefined)?.code === "string") };
  },
});

/** Publishes raw bytes as a request; the answer must be an error with a code. */
const rawRequest = (item: string, verb: string, body: string): Case => ({
  item,
  entry: `MQTT ${verb} (raw)`,
  async run(rig) {
    const transaction = `raw-${Math.random().toString(36).slice(2)}`;
    // A payload that is not JSON cannot carry a transaction: the gateway answers on the response topic without one.
    const waitAny = new Promise<Record<string, unknown>>((res) => {
      const c = rig.client!;
      const onMsg = (topic: string, payload: Buffer): void => {
        if (topic !== `${BASE}/bridge/response/${verb}`) return;
        try {
          const b = JSON.parse(payload.toString()) as Record<string, unknown>;
          if (b["transaction"] === undefined || b["transaction"] === transaction) {
            c.off("message", onMsg);
            res(b);
          }
        } catch {
          /* ignored */
        }
      };
      c.on("message", onMsg);
      setTimeout(() => {
        c.off("message", onMsg);
        res({});
      }, 10_000);
    });
    rig.client!.publish(`${BASE}/bridge/request/${verb}`, body.replace("$T", transaction), { qos: 1 });
    const r = await waitAny;
    return { seen: answer(r), ok: r["status"] === "error" };
  },
});

/** A throwaway MQTT client doing something a broker must refuse. */
const mqttClientCase = (item: string, what: (port: number) => Promise<string>, want: RegExp): Case => ({
  item,
  entry: "MQTT packet",
  async run(rig) {
    const seen = await what(rig.port);
    return { seen, ok: want.test(seen) };
  },
});

/**
 * The broker closed the connection on an oversized packet. The client sees that as a close, or, when it is
 * still writing the packet, as ECONNRESET or EPIPE (which of the two depends on timing: run to run).
 */
const CLOSED_BY_BROKER = /^(closed|refused: (ECONNRESET|EPIPE))$/;

function connectResult(port: number, opts: Record<string, unknown>, act?: (c: ReturnType<typeof connect>) => Promise<string>): Promise<string> {
  return new Promise((res) => {
    const c = connect({ host: "127.0.0.1", port, reconnectPeriod: 0, connectTimeout: 3000, ...opts });
    const done = (s: string): void => {
      c.end(true);
      res(s);
    };
    c.once("error", (e) => done(`refused: ${(e as Error & { code?: number }).code ?? e.message}`));
    c.once("close", () => done("closed"));
    c.once("connect", () => {
      if (!act) return done("connected");
      void act(c).then(done);
    });
    setTimeout(() => done("timeout"), 8000);
  });
}

function nested(depth: number): unknown {
  let v: unknown = "x";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Runs the built CLI (asynchronously: the simulated devices live in this process and must keep answering). */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const c = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout.on("data", (d: Buffer) => (out += d.toString()));
    c.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => c.kill("SIGKILL"), 30_000);
    c.on("exit", (code) => {
      clearTimeout(timer);
      res({ code, out });
    });
  });
}

export async function hostile(args: ProofArgs): Promise<Report> {
  void args;
  const report = new Report("hostile");
  const rig = await Rig.create({ uplink: false });
  // A second terminal and modem for the CLI (the daemon holds the first pair).
  const cliTerminal = new PtyDevice(simTerminal(), join(rig.dir, "tty-cli-terminal"));
  const cliModem = new PtyDevice(simModem(), join(rig.dir, "tty-cli-modem"));
  try {
    await rig.start();
    await cliTerminal.plug();
    await cliModem.plug();
    // Baseline: the routine commands of an idle gateway (init, heartbeats), plus one clean send each.
    rig.modem.sim.deliverSms("+46709999999", "Baslinje");
    rig.terminal.sim.injectText("2009999", "Baslinje");
    await rig.request("sds/send", { to: "issi:2009999", text: "Baslinje" });
    await rig.request("sms/send", { to: "+46701234567", text: "Baslinje" });
    await sleep(6000);
    const routineT = new Set(units(rig.terminal.wire).filter((u) => !SDS_UNITS.some((re) => re.test(u))));
    const routineM = new Set(units(rig.modem.wire).filter((u) => !SMS_UNITS.some((re) => re.test(u))));
    const t0 = rig.terminal.wire.length;
    const m0 = rig.modem.wire.length;
    const commandsT: string[] = [];
    const commandsM: string[] = [];
    rig.terminal.sim.on("command", (l: string) => commandsT.push(l));
    rig.modem.sim.on("command", (l: string) => commandsM.push(l));

    const long = "Å".repeat(400);
    const cases: Case[] = [
      safe("#1 SMS text with CR and an AT command", "sms/send", { to: "+46701234567", text: "Brand\rAT+CFUN=0\r" }),
      safe("#2 SMS text with Ctrl-Z", "sms/send", { to: "+46701234567", text: "del1\x1aATD112;" }),
      safe("#3 SMS text with ESC", "sms/send", { to: "+46701234567", text: "esc\x1b[31mAT+CMGD=1,4" }),
      refused("#4 MSISDN with CR LF and AT", "sms/send", { to: "0701234567\r\nAT+CMGD=1,4", text: "x" }),
      refused("#4 MSISDN with letters", "sms/send", { to: "+4670ABC", text: "x" }),
      refused("#5 ISSI with ;AT", "sds/send", { to: "issi:2345678;AT+CTOM=1", text: "x" }),
      refused("#5 ISSI as +46 number", "sds/send", { to: "issi:+46701234567", text: "x" }),
      refused("#5 ISSI of 9 digits", "sds/send", { to: "issi:123456789", text: "x" }),
      safe("#1-3 SDS text with CR, Ctrl-Z, ESC", "sds/send", { to: "issi:2009999", text: "Brand\rAT+CTOM=1\r\x1a\x1bAT" }),
      safe("#7 SDS text beyond the radio's maximum (split or refused)", "sds/send", { to: "issi:2009999", text: long }),
      rawRequest("#22 malformed JSON", "sds/send", '{"id":'),
      refused("#22 wrong types", "sds/send", { to: 2009999, text: ["x"] }),
      refused("#22 unknown fields", "sds/send", { to: "issi:2009999", text: "x", exec: "AT+CFUN=0" }),
      rawRequest("#22 50-level nesting", "sds/send", JSON.stringify({ transaction: "$T", to: "issi:2009999", text: "x", extra: nested(50) })),
      rawRequest("#23 text over the request limit (20 KiB)", "sms/send", JSON.stringify({ transaction: "$T", to: "+46701234567", text: "x".repeat(20_000) })),
      refused("#23 10,000 recipients' worth of text in one field", "sds/send", { to: "issi:2009999", text: "2009999,".repeat(1500) }),
      safe("#1-3 alert text with CR, Ctrl-Z, ESC (SDS and SMS recipients)", "alert/send", { kind: "activation", text: "Brand\rAT+CTOM=1\r\x1a\x1bAT+CFUN=0", recipients: ["issi:2009999", "msisdn:+46701234567"], ackTimeoutS: 5 }),
      refused("#5 alert recipient ISSI with ;AT", "alert/send", { kind: "activation", text: "x", recipients: ["issi:2345678;AT+CTOM=1"] }),
      refused("#4 alert recipient MSISDN with CR LF and AT", "alert/send", { kind: "activation", text: "x", recipients: ["msisdn:0701234567\r\nAT+CMGD=1,4"] }),
      refused("#5 alert recipient ISSI of 9 digits", "alert/send", { kind: "activation", text: "x", recipients: ["issi:123456789"] }),
      refused("#22 alert of an unknown kind", "alert/send", { kind: "exec", text: "x", recipients: ["role:r1"] }),
      refused("#23 alert to 1,001 recipients (the limit is 1,000)", "alert/send", { kind: "activation", text: "x", recipients: Array.from({ length: 1001 }, (_, i) => `issi:${5000000 + i}`) }),
      refused("#22 roster with an ISSI carrying CR and AT", "roster/set", { roster: { people: [{ id: "x", name: "x", channels: [{ sds: "12\rAT+CTOM=1" }] }], roles: [] } }),
      refused("#22 roster with an MSISDN carrying Ctrl-Z", "roster/set", { roster: { people: [{ id: "x", name: "x", channels: [{ sms: "+4670123\x1aAT" }] }], roles: [] } }),
      activation("#1-3 activation text with CR, Ctrl-Z, ESC from the activator", "sds", PROOF_ACTIVATOR_ISSI, "LARM r1 Brand\rAT+CTOM=1\x1a\x1bAT+CFUN=0"),
      activation("#1-3 activation text with Ctrl-Z and ESC from the activator", "sms", PROOF_ACTIVATOR_MSISDN, "LARM r1 x\x1a\r\nAT+CMGD=1,4\x1b"),
      activation("#15 activation from an ISSI not allowed", "sds", "2007777", "LARM alla Brand", false),
      activation("#15 activation from a number not allowed", "sms", "+46707777777", "LARM alla Brand", false),
      mqttClientCase("#23 1 MB-class request (100 KiB packet)", (port) => connectResult(port, USER, (c) => new Promise((r) => { c.once("close", () => r("closed")); c.publish(`${BASE}/bridge/request/sms/send`, JSON.stringify({ to: "+46701234567", text: "x".repeat(100_000) }), { qos: 1 }); setTimeout(() => r("still open"), 4000); })), CLOSED_BY_BROKER),
      mqttClientCase("#25 publish to $SYS", (port) => connectResult(port, USER, (c) => new Promise((r) => { c.once("close", () => r("closed")); c.publish("$SYS/broker/x", "1", { qos: 1 }); setTimeout(() => r("still open"), 4000); })), /closed/),
      mqttClientCase("#26 subscribe to #", (port) => connectResult(port, USER, async (c) => { const g = await c.subscribeAsync("#", { qos: 1 }).catch((e: unknown) => [{ qos: (e as Error).message }]); return `granted ${String(g[0]?.qos)}`; }), /granted (128|.*Unspecified error|.*Not authorized)/i),
      mqttClientCase("#27 wrong password", (port) => connectResult(port, { username: "proof", password: "nope" }), /refused|closed/),
      mqttClientCase("#27 empty username", (port) => connectResult(port, { username: "", password: "x" }), /refused|closed/),
      mqttClientCase("#27 1 KB client id", (port) => connectResult(port, { ...USER, clientId: "c".repeat(1024) }), /refused|closed/),
      mqttClientCase("#30 100 MB-class publish (2 MB)", (port) => connectResult(port, USER, (c) => new Promise((r) => { c.once("close", () => r("closed")); c.publish(`${BASE}/bridge/request/sds/send`, Buffer.alloc(2 * 1024 * 1024, 0x41), { qos: 1 }); setTimeout(() => r("still open"), 6000); })), CLOSED_BY_BROKER),
      {
        item: "#6/#8/#9/#10/#11/#12 malformed SDS lines from the terminal",
        entry: "incoming SDS",
        async run(r) {
          const before = r.sdsReceived.length;
          r.terminal.sim.injectRaw(["+CTSDSR: 12,2009999,0,2001234,0,16", "80Z"]); // odd/invalid hex
          r.terminal.sim.injectRaw(["+CTSDSR: 12,2009999,0,2001234,0,84"]); // header without data line
          await sleep(2500);
          r.terminal.sim.injectRaw(["+CTSDSR: 12,1234567,0,2001234,0,84", "8200010D01486F6A20646521"]); // length/hex mismatch
          r.terminal.sim.injectRaw(["+CTSDSR:12,2009999,0,2001234,0,16,1", "8005"]); // no space, extra field
          r.terminal.sim.injectBytes("X".repeat(10_000) + "\r\n"); // 10,000-byte line
          await sleep(1000);
          r.terminal.sim.injectText("2009999", "Efter skräpet");
          const got = await until(() => (r.sdsReceived.slice(before).some((s) => s["text"] === "Efter skräpet") ? true : undefined), 10_000, "the SDS after the garbage").catch(() => false);
          const h = await r.request("health", {}).catch((): Record<string, unknown> => ({}));
          return { seen: `session kept: ${got ? "yes" : "no"}, health ${answer(h)}`, ok: got && h["status"] === "ok" };
        },
      },
      {
        item: "#13 1,000 SDS flood from the terminal",
        entry: "incoming SDS",
        async run(r) {
          for (let i = 0; i < 1000; i++) r.terminal.sim.injectText("2009999", `Flod ${i}`);
          const res = await r.request("sds/send", { to: "issi:2009999", text: "Under floden" }, 60_000).catch((): Record<string, unknown> => ({}));
          await sleep(2000);
          const h = await r.request("health", {}).catch((): Record<string, unknown> => ({}));
          return { seen: `outbound SDS ${answer(res)}, health ${answer(h)}, daemon restarts ${r.starts - 1}`, ok: res["status"] === "ok" && h["status"] === "ok" && r.running };
        },
      },
      {
        item: "#1-3 SMS from the network with Ctrl-Z, CR, ESC",
        entry: "incoming SMS",
        async run(r) {
          r.modem.sim.deliverSms("+46709999999", "x\x1a\r\nAT+CMGD=1,4\x1b");
          await sleep(2000);
          const h = await r.request("health", {}).catch((): Record<string, unknown> => ({}));
          return { seen: `health ${answer(h)}`, ok: h["status"] === "ok" && r.running };
        },
      },
      {
        item: "#5 ISSI with ;AT",
        entry: "CLI sds send",
        async run() {
          const x = await cli(["sds", "send", "--port", cliTerminal.path, "--to", "2345678;AT+CTOM=1", "--text", "x"]);
          return { seen: `exit ${x.code}: ${x.out.trim().split("\n").at(-1)?.slice(0, 60) ?? ""}`, ok: x.code !== 0 && x.code !== null && /[A-Z]+_[A-Z_]+/.test(x.out) };
        },
      },
      {
        item: "#4 MSISDN with CR LF and AT",
        entry: "CLI sms send",
        async run() {
          const x = await cli(["sms", "send", "--port", cliModem.path, "--to", "0701234567\r\nAT+CMGD=1,4", "--text", "x"]);
          return { seen: `exit ${x.code}: ${x.out.trim().split("\n").at(-1)?.slice(0, 60) ?? ""}`, ok: x.code !== 0 && x.code !== null && /[A-Z]+_[A-Z_]+/.test(x.out) };
        },
      },
      {
        item: "#1 SDS text with CR and AT",
        entry: "CLI sds send",
        async run() {
          const x = await cli(["sds", "send", "--port", cliTerminal.path, "--to", "2009999", "--text", "Brand\rAT+CTOM=1\r", "--wait", "5"]);
          // Routine here: everything but a send unit (the CLI's init, AT+CMGS=? included); then no unit may be off-grammar.
          const routine = new Set(units(cliTerminal.wire).filter((u) => !/^AT\+(CMGS=\d|CTSDS=)/.test(u)));
          const bad = violations(cliTerminal.wire, routine, SDS_UNITS);
          return { seen: `exit ${x.code}, bad units ${bad.length}${x.code === 0 ? "" : `: ${x.out.trim().split("\n").at(-1)?.slice(0, 60) ?? ""}`}`, ok: x.code === 0 && bad.length === 0 && !/AT\+CTOM=1/.test(cliTerminal.wire) };
        },
      },
      ...[
        ["expectedIssi with ;AT", (c: Record<string, unknown>) => ((c["terminals"] as Record<string, unknown>[])[0]!["expectedIssi"] = "2345678;AT+CTOM=1")],
        ["terminal id with a wildcard", (c: Record<string, unknown>) => ((c["terminals"] as Record<string, unknown>[])[0]!["id"] = "t+#")],
        ["base topic with a wildcard", (c: Record<string, unknown>) => ((c["mqtt"] as Record<string, unknown>)["baseTopic"] = "rakelgw/#")],
        ["unknown key", (c: Record<string, unknown>) => (c["exec"] = "AT+CFUN=0")],
      ].map(([item, change]): Case => ({
        item: item as string,
        entry: "config",
        async run(r) {
          const c = JSON.parse(JSON.stringify(await import(r.configPath, { with: { type: "json" } }).then((m: { default: unknown }) => m.default))) as Record<string, unknown>;
          (change as (c: Record<string, unknown>) => void)(c);
          const path = join(r.dir, `bad-config-${Math.random().toString(36).slice(2)}.json`);
          writeFileSync(path, JSON.stringify(c));
          const check = await cli(["config", "check", path]);
          const run = await cli(["run", "--config", path]);
          return { seen: `check exit ${check.code}, run exit ${run.code}: ${check.out.trim().split("\n")[0]?.slice(0, 60) ?? ""}`, ok: check.code === 1 && run.code !== 0 && run.code !== null };
        },
      })),
    ];
    for (const c of cases) {
      const r = await c.run(rig).catch((err: unknown) => ({ seen: `harness error: ${(err as Error).message}`, ok: false }));
      report.add(`${c.entry}: ${c.item}`, r.seen, "clear error or safe send", r.ok);
      if (!rig.running) {
        report.note(`the daemon died after "${c.item}"`);
        await rig.start();
      }
    }
    await sleep(3000);
    const badT = violations(rig.terminal.wire.slice(t0), routineT, SDS_UNITS);
    const badM = violations(rig.modem.wire.slice(m0), routineM, SMS_UNITS);
    report.add("terminal: written units outside routine + SDS grammar", badT.length, "0", badT.length === 0);
    report.add("modem: written units outside routine + SMS PDU grammar", badM.length, "0", badM.length === 0);
    // The exact commands smuggled in by the hostile items (the gateway's own AT+CMGD=<index> is routine).
    const foreign = [...commandsT, ...commandsM].filter((l) => /AT\+CTOM=1|AT\+CFUN=0|AT\+CMGD=1,4|ATD112|ATZ/.test(l));
    report.add("injected AT commands the devices executed", foreign.length, "0", foreign.length === 0);
    for (const b of [...badT, ...badM].slice(0, 5)) report.note(`outside the grammar: ${JSON.stringify(b).slice(0, 120)}`);
    report.add("daemon starts (1 = never crashed)", rig.starts, "1", rig.starts === 1);
  } finally {
    await cliTerminal.stop();
    await cliModem.stop();
    await rig.close(!report.passed);
  }
  return report;
}
