import { mkdirSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertDoc, login, startOpsGateway, type OpsRig } from "../../helpers/ops-gateway.js";

/**
 * /metrics, /healthz and /readyz of a whole gateway on simulated devices, and the page's HTTP rules
 * (login required, cross-site posts refused).
 */
let rig: OpsRig;

beforeAll(async () => {
  rig = await startOpsGateway();
}, 40_000);

afterAll(async () => {
  await rig?.stop();
});

async function metrics(): Promise<string> {
  const r = await fetch(`${rig.url}metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toContain("text/plain");
  return r.text();
}

function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("health endpoints", () => {
  it("/healthz answers while the process runs", async () => {
    const r = await fetch(`${rig.url}healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ok" });
  });

  it("/readyz is ready with config, state and an alert channel, and says which check fails", async () => {
    await expect.poll(async () => (await fetch(`${rig.url}readyz`)).status, { timeout: 10_000 }).toBe(200);
    const ok = (await (await fetch(`${rig.url}readyz`)).json()) as { checks: { name: string; ok: boolean }[] };
    expect(ok.checks.map((c) => [c.name, c.ok])).toEqual([["config", true], ["state", true], ["alert-channel", true]]);

    rig.gw.links.set("terminal-1", "disconnected", "unplugged");
    rig.gw.links.set("modem-1", "unresponsive", "silent");
    const noChannel = await fetch(`${rig.url}readyz`);
    expect(noChannel.status).toBe(503);
    expect(((await noChannel.json()) as { checks: { name: string; ok: boolean; detail: string }[] }).checks[2]).toMatchObject({ name: "alert-channel", ok: false, detail: expect.stringContaining("terminal-1 disconnected") as string });
    rig.gw.links.set("terminal-1", "ready", "back");
    rig.gw.links.set("modem-1", "ready", "back");

    rmSync(rig.gw.opts.config.stateDir, { recursive: true, force: true });
    const noState = await fetch(`${rig.url}readyz`);
    expect(noState.status).toBe(503);
    expect(((await noState.json()) as { checks: { name: string; ok: boolean }[] }).checks[1]).toMatchObject({ name: "state", ok: false });
    mkdirSync(rig.gw.opts.config.stateDir, { recursive: true });
  });
});

describe("/metrics", () => {
  it("has link states, queue depths, broker figures and event-loop lag", async () => {
    const m = await metrics();
    expect(value(m, 'rakelgw_link_state{link="terminal-1",state="ready"}')).toBe(1);
    expect(value(m, 'rakelgw_link_state{link="terminal-1",state="disconnected"}')).toBe(0);
    expect(value(m, 'rakelgw_queue_depth{queue="sms:modem-1"}')).toBe(0);
    expect(value(m, "rakelgw_broker_restarts")).toBe(0);
    expect(value(m, "rakelgw_broker_clients")).toBeGreaterThanOrEqual(0);
    expect(m).toMatch(/^rakelgw_nodejs_eventloop_lag_seconds \d/m);
  });

  it("counts SDS and SMS sent and delivered from the devices' progress", async () => {
    const radio = rig.gw.terminals.get("terminal-1")!;
    const modem = rig.gw.modems.get("modem-1")!;
    const sdsDelivered = new Promise<void>((res) => radio.on("progress", (p) => p.stage === "delivered" && res()));
    const smsDelivered = new Promise<void>((res) => modem.on("progress", (p) => p.stage === "delivered" && res()));
    await radio.sendSds({ kind: "issi", ssi: "2009999" }, { type: "text", text: "metrics", report: "received" });
    await sdsDelivered;
    await modem.sendSms("+46701234567", "metrics", { statusReport: true });
    await smsDelivered;
    const m = await metrics();
    expect(value(m, 'rakelgw_sds_total{terminal="terminal-1",result="sent"}')).toBeGreaterThanOrEqual(1);
    expect(value(m, 'rakelgw_sds_total{terminal="terminal-1",result="delivered"}')).toBeGreaterThanOrEqual(1);
    expect(value(m, 'rakelgw_sms_total{modem="modem-1",result="sent"}')).toBe(1);
    expect(value(m, 'rakelgw_sms_total{modem="modem-1",result="delivered"}')).toBe(1);
  }, 30_000);

  it("derives answers and alert latencies from the published alert documents", async () => {
    await rig.gw.bus.publishAlertState("m-1", alertDoc("m-1"));
    await rig.gw.bus.publishAlertState("m-1", alertDoc("m-1"));
    const m = await metrics();
    expect(value(m, 'rakelgw_alert_answers_total{answer="coming"}')).toBe(1);
    expect(value(m, 'rakelgw_alert_answers_total{answer="not-coming"}')).toBe(1);
    expect(value(m, 'rakelgw_alert_answers_total{answer="delayed"}')).toBe(1);
    expect(value(m, "rakelgw_alert_first_send_seconds_count")).toBe(1);
    // Attempts 2 s after creation.
    expect(value(m, 'rakelgw_alert_first_send_seconds_bucket{le="1"}')).toBe(0);
    expect(value(m, 'rakelgw_alert_first_send_seconds_bucket{le="2"}')).toBe(1);
    expect(value(m, "rakelgw_alert_first_answer_seconds_count")).toBe(1);
  });
});

describe("page rules", () => {
  it("asks for a login for state and events; refuses cross-site posts", async () => {
    for (const p of ["api/state", "api/session", "events"]) expect((await fetch(`${rig.url}${p}`)).status).toBe(401);
    const root = await fetch(rig.url, { redirect: "manual" });
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/login");
    const cookie = await login(rig.url, "operator", "op-pass");
    const state = (await (await fetch(`${rig.url}api/state`, { headers: { cookie } })).json()) as { docs: Record<string, unknown> };
    expect(Object.keys(state.docs)).toEqual(expect.arrayContaining(["links/terminal-1", "terminals/terminal-1", "modems/modem-1"]));
    const cross = await fetch(`${rig.url}api/actions/talkgroup-check`, { method: "POST", headers: { cookie, origin: "http://evil.example", "content-type": "application/json" }, body: "{}" });
    expect(cross.status).toBe(400);
    const crossLogin = await fetch(`${rig.url}login`, { method: "POST", headers: { origin: "null" }, body: new URLSearchParams({ username: "operator", password: "op-pass" }), redirect: "manual" });
    expect(crossLogin.status).toBe(400);
  });

  it("streams a snapshot then changes over server-sent events", async () => {
    const cookie = await login(rig.url, "viewer", "view-pass");
    const ac = new AbortController();
    const r = await fetch(`${rig.url}events`, { headers: { cookie }, signal: ac.signal });
    expect(r.headers.get("content-type")).toContain("text/event-stream");
    const reader = r.body!.getReader();
    let text = "";
    const readUntil = async (s: string): Promise<void> => {
      while (!text.includes(s)) {
        const chunk = (await reader.read()) as { value?: Uint8Array };
        text += new TextDecoder().decode(chunk.value);
      }
    };
    await readUntil("event: snapshot");
    await rig.gw.bus.publishConferenceState("c-9", { id: "c-9", name: "Test", state: "dialling", since: new Date().toISOString() });
    await readUntil('"topic":"conferences/c-9"');
    ac.abort();
  });
});
