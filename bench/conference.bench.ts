/**
 * `conference/join` → retained `in-conference` against a real bridge on loopback (the gateway's baresip
 * dials a second baresip that auto-answers), split into:
 * - SIP/answer/PIN time: the agent's own work as seen on the broker: dial command → CALL_ESTABLISHED, plus
 *   each control command's round trip (`uafind` + `sndcode` per key), plus the configured waits
 *   (pinDelayMs, interDigitMs between keys);
 * - gateway overhead: everything else (request parsing, orchestration, command publishing, state
 *   publishing). Target: p99 ≤ 50 ms.
 * Timestamps come from one observer client on the broker's internal listener that sees the request, every
 * agent command and answer, the agent's events and the retained state.
 */
import { connectAsync } from "mqtt";
import { INTERNAL_USER } from "../adapters/mqtt/broker/auth-hooks.js";
import { silentLogger } from "../src/shared/logger.js";
import { BASE, conferenceState, startLoopback, until } from "../test/helpers/sip-loopback.js";

const RUNS = Number(process.env["CONF_BENCH_RUNS"] ?? 30);
const PIN_KEYS = 5; // "4711#"
const INTER_DIGIT_MS = 50;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const r1 = (x: number): number => Math.round(x * 10) / 10;

export async function run(): Promise<Record<string, number>> {
  const lb = await startLoopback(silentLogger(), { pinDelayMs: 0, sip: { interDigitMs: INTER_DIGIT_MS } });
  const agentBase = `/rakelgw-sip-siptest`;
  const obs = await connectAsync({ host: "127.0.0.1", port: lb.gw.mqtt.ports["internal"]!, username: INTERNAL_USER, password: lb.gw.mqtt.broker.internalPassword, clientId: "conf-bench-observer" });
  const log: { t: number; kind: string; token?: string; type?: string; state?: string }[] = [];
  obs.on("message", (topic, payload) => {
    const t = performance.now();
    if (topic.startsWith(`${agentBase}/command/`)) log.push({ t, kind: "cmd", token: topic.slice(agentBase.length + 9), type: (JSON.parse(payload.toString()) as { command: string }).command });
    else if (topic.startsWith(`${agentBase}/command_resp/`)) log.push({ t, kind: "resp", token: topic.slice(agentBase.length + 14) });
    else if (topic === `${agentBase}/event`) {
      const e = JSON.parse(payload.toString()) as { type: string; accountaor?: string };
      if (e.accountaor?.includes("rakelgw-rsk")) log.push({ t, kind: "event", type: e.type });
    } else if (topic === `${BASE}/conferences/rsk`) log.push({ t, kind: "state", state: (JSON.parse(payload.toString()) as { state: string }).state });
    else if (topic === `${BASE}/bridge/request/conference/join`) log.push({ t, kind: "request" });
  });
  await obs.subscribeAsync([`${agentBase}/#`, `${BASE}/conferences/rsk`, `${BASE}/bridge/request/#`]);
  const total: number[] = [];
  const sip: number[] = [];
  const overhead: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    log.length = 0;
    await lb.request("conference/join", { conference: "rsk" });
    await until(() => (conferenceState(lb, "rsk")?.["state"] === "in-conference" && log.some((l) => l.state === "in-conference") ? true : undefined), 15000, "in-conference");
    const t0 = log.find((l) => l.kind === "request")!.t;
    const tIn = log.find((l) => l.state === "in-conference")!.t;
    const cmds = log.filter((l) => l.kind === "cmd" && l.t <= tIn);
    const respAt = (token: string | undefined) => log.find((l) => l.kind === "resp" && l.token === token)?.t;
    const dial = cmds.find((c) => c.type === "dial")!;
    const established = log.find((l) => l.kind === "event" && l.type === "CALL_ESTABLISHED")!.t;
    let agent = established - dial.t;
    // Round trips of every command after the answer (uafind + sndcode per key), and of the uafind before the dial.
    for (const c of cmds) {
      const r = respAt(c.token);
      if (r === undefined) continue;
      if (c.t >= established || (c.type === "uafind" && c.t < dial.t && c.t >= t0)) agent += r - c.t;
    }
    agent += (PIN_KEYS - 1) * INTER_DIGIT_MS;
    if (process.env["CONF_BENCH_TRACE"]) {
      const seq = log.filter((l) => l.t <= tIn).map((l) => `${(l.t - t0).toFixed(1)} ${l.kind}${l.type ? ` ${l.type}` : ""}${l.state ? ` ${l.state}` : ""}`);
      console.log(seq.join(" | "));
    }
    total.push(tIn - t0);
    sip.push(agent);
    overhead.push(tIn - t0 - agent);
    await lb.request("conference/leave", { conference: "rsk" });
    await until(() => (lb.bridgeEvents.filter((e) => e.line === "conf1" && e.type === "CALL_CLOSED").length >= i + 1 ? true : undefined), 5000, "bridge closed");
  }
  await obs.endAsync(true);
  await lb.stop();
  const figures = {
    "conference join→in-conference p50 ms": r1(pct(total, 50)),
    "conference join→in-conference p99 ms": r1(pct(total, 99)),
    "conference SIP/answer/PIN p50 ms": r1(pct(sip, 50)),
    "conference SIP/answer/PIN p99 ms": r1(pct(sip, 99)),
    "conference gateway overhead p50 ms": r1(pct(overhead, 50)),
    "conference gateway overhead p99 ms": r1(pct(overhead, 99)),
    "conference gateway overhead max ms": r1(Math.max(...overhead)),
  };
  console.log(`   ${RUNS} joins against a baresip bridge on loopback (pinDelayMs 0, ${PIN_KEYS} PIN keys, interDigitMs ${INTER_DIGIT_MS})`);
  for (const [k, v] of Object.entries(figures)) console.log(`   ${k.padEnd(40)} ${v}${k.includes("overhead p99") ? "   (target ≤ 50)" : ""}`);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) await run().then(() => process.exit(0));
