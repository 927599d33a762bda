import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachAnsweringPeers } from "../../src/app/answering-peers.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BASE, DispatchSite, REMOTE, until } from "../helpers/dispatch-site.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * Alert dispatch end to end: the daemon in its own process, the simulated terminal and modem on real
 * pseudo-terminals, Mosquitto as the regional broker; everything driven over MQTT and the air.
 */
const ROSTER = {
  people: [
    { id: "anna", name: "Anna Andersson", channels: [{ sds: "2001001" }, { sms: "+46701000001" }] },
    { id: "bertil", name: "Bertil Berg", channels: [{ sds: "2001002" }, { sms: "+46701000002" }] },
    { id: "cecilia", name: "Cecilia Ceder", channels: [{ sds: "2001003" }] },
    { id: "david", name: "David Dahl", channels: [{ sds: "2001004" }, { sms: "+46701000004" }] },
    { id: "erik", name: "Erik Ek", channels: [{ sds: "2001005" }] },
  ],
  roles: [
    { id: "tib", name: "Tjänsteperson i beredskap", people: ["anna"] },
    { id: "kib", name: "Kommunikatör i beredskap", people: ["cecilia"] },
    { id: "rcb", name: "Räddningschef i beredskap", people: ["david", "erik"], fallback: { gssi: "9001" } },
  ],
};

const site = new DispatchSite();
let detach: () => void = () => undefined;

beforeAll(async () => {
  await site.start({ roster: ROSTER, uplink: true });
  detach = attachAnsweringPeers(
    [
      { issi: "2001001", answer: { by: "sds", text: "ok {code}", delayMs: 100 } },
      { issi: "2001003", answer: { by: "status", value: 32772, delayMs: 100 } },
      { issi: "2001004", answer: { by: "none" } },
      { msisdn: "+46701000004", answer: { by: "none" } },
      { issi: "2001005", answer: { by: "none" } },
    ],
    { terminal: site.terminal, modem: site.modem },
  );
  await site.ready();
}, 60_000);

afterAll(async () => {
  detach();
  await site.stop();
}, 30_000);

describe("alert dispatch end to end", () => {
  it("activation by MQTT → SDS with the code → answers by SDS reply and by Rakel status → completed; state reaches the regional broker", async () => {
    const r = await site.request("alert/send", { id: "e2e-1", kind: "activation", text: "Samverkanskonferens 14:30", recipients: ["role:tib", "role:kib"] });
    expect(r).toMatchObject({ status: "ok", data: { id: "e2e-1", state: "active" } });
    const code = (r["data"] as { code: string }).code;
    expect(code).toMatch(/^[1-9][0-9]{3}$/);
    await until(() => site.alert("e2e-1")?.state === "completed", 15_000, "alert completed", () => site.tail());
    expect(site.sdsTo("2001001")[0]).toBe(`LARM SSR ${code}: Samverkanskonferens 14:30 Svara OK ${code} / NEJ ${code} / SEN ${code}`);
    const a = site.alert("e2e-1")!;
    expect(a.recipients.map((x) => [x.person, x.state, x.answer])).toEqual([
      ["anna", "acknowledged", "coming"],
      ["cecilia", "acknowledged", "coming"],
    ]);
    expect(a.summary).toMatchObject({ coming: 2, pending: 0 });
    expect(site.smsTo("+46701000001")).toEqual([]);
    // A repeated id returns the same alert.
    expect(await site.request("alert/send", { id: "e2e-1", kind: "activation", text: "x", recipients: ["role:tib"] })).toMatchObject({ status: "ok", data: { id: "e2e-1", code, existing: true } });
    // Retained state upstream, through the uplink.
    await until(() => site.upstreamLog.some((m) => m.topic === `${REMOTE}/alerts/e2e-1` && m.body["state"] === "completed"), 10_000, "completed state upstream");
    const got = await site.request("alert/get", { id: "e2e-1" });
    expect(got).toMatchObject({ status: "ok", data: { id: "e2e-1", state: "completed" } });
  }, 30_000);

  it("no answer → SMS → next person → group fallback, with delivery reports as delivered (never acknowledged)", async () => {
    const r = await site.request("alert/send", { id: "e2e-2", kind: "activation", text: "Brand", recipients: ["role:rcb"], ackTimeoutS: 5, deadlineS: 60 });
    expect(r["status"]).toBe("ok");
    await until(() => site.sdsTo("2001004").length === 1 || undefined, 5_000, "SDS to david");
    await until(() => site.alert("e2e-2")?.recipients[0]?.state === "delivered", 5_000, "david delivered (SDS-TL report)");
    await until(() => site.smsTo("+46701000004").length === 1 || undefined, 10_000, "SMS to david after 5 s", () => site.tail());
    await until(() => site.sdsTo("2001005").length === 1 || undefined, 10_000, "SDS to erik", () => site.tail());
    await until(() => site.sdsTo("9001").length === 1 || undefined, 10_000, "group fallback SDS to 9001", () => site.tail());
    // The SDS can reach the terminal before the retained alert document with the third recipient reaches us.
    await until(() => site.alert("e2e-2")?.recipients.length === 3 || undefined, 5_000, "alert document with the group", () => site.tail());
    const a = site.alert("e2e-2")!;
    expect(a.state).toBe("active");
    expect(a.recipients.map((x) => x.person ?? x.address)).toEqual(["david", "erik", "gssi:9001"]);
    expect(a.recipients[0]!.attempts.map((t) => t.channel)).toEqual(["sds", "sms"]);
    expect(a.recipients.every((x) => x.state !== "acknowledged")).toBe(true);
    expect(await site.request("alert/cancel", { id: "e2e-2" })).toMatchObject({ status: "ok", data: { state: "cancelled" } });
  }, 40_000);

  it("activation by SDS from an activator works (and receipts come back); from another ISSI it is refused", async () => {
    const before = site.terminal.sent.length;
    site.terminal.injectText("2005555", "LARM tib Obehörig");
    await new Promise((r) => setTimeout(r, 1500));
    expect(site.terminal.sent.length).toBe(before);
    expect(site.out).toMatch(/"event":"activation-refused"/);
    site.terminal.injectText("2009999", "LARM tib Samverkan via radio");
    await until(() => site.sdsTo("2009999").some((t) => t.startsWith("KVITTO")) || undefined, 15_000, "receipt to the activator", () => site.tail());
    const receipt = site.sdsTo("2009999").find((t) => t.startsWith("KVITTO"))!;
    expect(receipt).toMatch(/^KVITTO \d{4}: 1 kommer, 0 kommer ej, 0 ej nådd$/);
    const list = await site.request("alert/list", { state: "completed" });
    expect((list["data"] as { alerts: { code: string }[] }).alerts.some((x) => receipt.includes(x.code))).toBe(true);
  }, 30_000);

  it("activation published on the regional broker reaches the local roster; with the uplink down dispatch goes on and the states arrive upstream in order", async () => {
    await site.upstream!.publishAsync(`${REMOTE}/bridge/request/alert/send`, JSON.stringify({ transaction: "up-1", id: "e2e-up", kind: "activation", text: "Regional", recipients: ["role:tib"] }), { qos: 1 });
    await until(() => site.alert("e2e-up")?.state === "completed", 15_000, "regional activation completed", () => site.tail());
    await until(() => site.upstreamLog.some((m) => m.topic === `${REMOTE}/bridge/response/alert/send` && m.body["transaction"] === "up-1"), 10_000, "response upstream");

    const upstream = (): string | undefined => (site.retained.get(`${BASE}/links/upstream`) as { state?: string } | undefined)?.state;
    // A loaded machine can make the uplink flap and back off (up to backoffCapMs): allow for that.
    // The wait comes before the cut: waiting for "ready" after stopping the broker raced the gateway noticing the cut.
    await until(() => upstream() === "ready" || undefined, 45_000, "upstream ready before the cut", () => site.tail());
    await site.mosquitto!.stop();
    await until(() => (upstream() === "unresponsive" || upstream() === "disconnected") || undefined, 15_000, "upstream link down", () => site.tail());
    const r = await site.request("alert/send", { id: "e2e-down", kind: "activation", text: "Utan IP", recipients: ["role:tib", "role:kib"] });
    expect(r["status"]).toBe("ok");
    await until(() => site.alert("e2e-down")?.state === "completed", 15_000, "alert completed without the uplink", () => site.tail());
    const seen = site.upstreamLog.length;
    await site.mosquitto!.start();
    await until(() => site.upstreamLog.slice(seen).some((m) => m.topic === `${REMOTE}/alerts/e2e-down` && m.body["state"] === "completed"), 20_000, "queued states upstream", () => site.tail());
    // In order: the states of e2e-down that go upstream (a newer one replaces one still unsent) come in the order
    // they were published locally (summary never goes backwards), and the last is the final one.
    const states = site.upstreamLog.filter((m) => m.topic === `${REMOTE}/alerts/e2e-down`).map((m) => m.body as { state: string; summary: { coming: number } });
    const comings = states.map((s) => s.summary.coming);
    expect(comings).toEqual([...comings].sort((x, y) => x - y));
    expect(states.at(-1)?.state).toBe("completed");
  }, 120_000);

  it("a cancelled alert withdraws the SDS still queued for the terminal: none goes out after the cancel", async () => {
    const issis = Array.from({ length: 100 }, (_, i) => String(2007000 + i));
    const sent = (): number => site.terminal.sent.filter((s) => issis.includes(String(Number(s.ssi)))).length;
    const r = await site.request("alert/send", { id: "e2e-withdraw", kind: "info", text: "Provlarm", recipients: issis.map((x) => `issi:${x}`) });
    expect(r["status"]).toBe("ok");
    expect(await site.request("alert/cancel", { id: "e2e-withdraw" })).toMatchObject({ status: "ok", data: { state: "cancelled" } });
    const atCancel = sent();
    // Long enough for all 100 to go out had they stayed queued (one SDS takes tens of milliseconds here).
    await new Promise((res) => setTimeout(res, 3000));
    // At most the one on the air at the cancel still reaches the terminal's output.
    expect(sent() - atCancel).toBeLessThanOrEqual(1);
    expect(sent()).toBeLessThan(issis.length);
    expect(site.out).toMatch(/"event":"alert-attempt-after-end"/);
  }, 20_000);

  it("bad requests get clear errors and start nothing", async () => {
    expect(await site.request("alert/send", { kind: "activation", text: "x", recipients: ["role:nope"] })).toMatchObject({ status: "error", error: { code: "ALERT_BAD_RECIPIENTS" } });
    expect(await site.request("alert/send", { kind: "activation", text: "x", recipients: ["issi:1;AT+CTOM=1"] })).toMatchObject({ status: "error", error: { code: "MQTT_BAD_PAYLOAD" } });
    expect(await site.request("alert/get", { id: "nope" })).toMatchObject({ status: "error", error: { code: "ALERT_NOT_FOUND" } });
    expect(await site.request("roster/set", { roster: { people: [{ id: "x", name: "X", channels: [{ sds: "abc" }] }] } })).toMatchObject({ status: "error", error: { code: "CFG_INVALID" } });
    const g = await site.request("roster/get", {});
    expect((g["data"] as { roster: { people: unknown[] } }).roster.people).toHaveLength(5);
  }, 20_000);

  it("CLI: alert send | status (who is coming, as a table) | list | ack | cancel, roster check | import | export", async () => {
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli([...args, "--config", join(site.dir, "config.json"), "-u", "ops"], { env: { RAKELGW_MQTT_PASSWORD: "ops-pass" }, timeoutMs: 30_000 });
    const sent = await cli("alert", "send", "--to", "role:rcb", "--to", "person:anna", "--text", "Konferens via CLI", "--id", "cli-1", "--json");
    expect(sent.code, sent.stderr).toBe(0);
    const { code } = JSON.parse(sent.stdout) as { code: string };
    await until(() => site.alert("cli-1")?.recipients.find((r) => r.person === "anna")?.answer === "coming", 10_000, "anna answers");
    const acked = await cli("alert", "ack", code, "--person", "david", "--answer", "delayed");
    expect(acked.code, acked.stderr).toBe(0);
    const status = await cli("alert", "status", "cli-1");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^WHO\s+ROLE\s+ANSWER\/STATE\s+LAST ATTEMPT$/m);
    expect(status.stdout).toMatch(/^anna\s+coming \(kommer\)\s+sds 2001001 \w+/m);
    expect(status.stdout).toMatch(/^david\s+rcb\s+delayed \(försenad\)/m);
    expect(status.stdout).toMatch(/coming 1 {2}delayed 1 {2}not coming 0/);
    const list = await cli("alert", "list", "--state", "completed");
    expect(list.stdout).toMatch(/^cli-1 /m);
    const cancel = await cli("alert", "cancel", "cli-1");
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toMatch(/^error ALERT_NOT_ACTIVE: /);
    const unknown = await cli("alert", "status", "no-such");
    expect(unknown.stderr).toMatch(/^error ALERT_NOT_FOUND: /);

    const bad = join(site.dir, "bad-roster.yaml");
    writeFileSync(bad, "people:\n  - id: x\n    name: X\n    channels: [{ sms: '0701' }]\nroles: []\n");
    const check = await runCli(["roster", "check", bad]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("/people/0/channels/0/sms: ");
    writeFileSync(bad, "people:\n  - { id: x, name: X, channels: [{ sds: '1' }] }\nroles:\n  - { id: r, name: R, people: [y] }\n");
    expect((await runCli(["roster", "check", bad])).stdout).toContain('/roles/0/people/0: unknown person "y"');
    const exported = join(site.dir, "exported.yaml");
    expect((await cli("roster", "export", "--out", exported)).code).toBe(0);
    expect((await runCli(["roster", "check", exported])).stdout).toMatch(/ok \(5 people, 3 roles\)/);
    const imported = await cli("roster", "import", exported);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("roster imported: 5 people, 3 roles");
  }, 90_000);
});
