import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { BASE, DispatchSite, until } from "../helpers/dispatch-site.js";
import { runCli } from "../helpers/run-cli.js";

/**
 * An alert of kind `conference` through the daemon: the dial-in number and PIN come from the conference
 * registry into the SDS on the air (simulated terminal on a pty), the retained alert document carries only
 * the redacted text and follows our own leg into the conference (simulated SIP agent, `sip.agent: "sim"`).
 */
const ROSTER = {
  people: [{ id: "anna", name: "Anna Andersson", channels: [{ sds: "2001001" }] }],
  roles: [{ id: "tib", name: "Tjänsteperson i beredskap", people: ["anna"] }],
};

type ConfDoc = { state: string; since: string; joinedAt?: string; dialIn: string };

const site = new DispatchSite();

beforeAll(async () => {
  await site.start({
    roster: ROSTER,
    daemonArgs: ["--allow-sim"],
    extra: {
      sip: { agent: "sim", pauseMs: 50, interDigitMs: 50 },
      conferences: [{ id: "rsk", name: "RSK", uri: "sip:konferens@bridge.example", dialIn: "08-123 45 67", pin: "4711#", pinDelayMs: 100 }],
    },
  });
  await site.ready();
}, 60_000);

afterAll(async () => {
  await site.stop();
}, 30_000);

describe("alert/send {conference} through the daemon", () => {
  it("the SDS carries the bridge number and PIN; the document shows the redacted text and joinedAt once our leg is in", async () => {
    const res = await site.request("alert/send", { kind: "conference", text: "Samverkan nu", recipients: ["person:anna"], conference: "rsk", id: "conf-1" });
    expect(res, site.tail()).toMatchObject({ status: "ok" });
    const sds = await until(() => site.sdsTo("2001001")[0], 15_000, "the alert SDS", () => site.tail());
    expect(sds).toContain("Samverkan nu RSK: ring 08-123 45 67, kod 4711#");

    const before = await until(() => site.alert("conf-1") as unknown as { conference?: ConfDoc } | undefined, 10_000, "the alert document");
    expect(before.conference).toMatchObject({ id: "rsk", state: "idle", dialIn: "RSK: ring 08-123 45 67, kod ••••" });
    expect(before.conference?.joinedAt).toBeUndefined();

    expect(await site.request("conference/join", { conference: "rsk" })).toMatchObject({ status: "ok" });
    const joined = await until(
      () => (site.alert("conf-1") as unknown as { conference?: ConfDoc } | undefined)?.conference?.joinedAt !== undefined && (site.alert("conf-1") as unknown as { conference: ConfDoc }).conference,
      15_000,
      "joinedAt in the alert document",
      () => site.tail(),
    );
    expect(joined.state).toBe("in-conference");
    const conf = site.retained.get(`${BASE}/conferences/rsk`) as { state: string; since: string; participants: { who: string; since: string }[] };
    expect(conf.state).toBe("in-conference");
    expect(joined.joinedAt).toBe(conf.since);
    expect(conf.participants).toEqual([{ who: "e2e", since: conf.since }]);

    // The PIN is on the air only: not in any retained document, not in the daemon's log.
    expect(JSON.stringify([...site.retained.values()])).not.toContain("4711");
    expect(site.out).not.toContain("4711");
  });

  it("an unknown conference id is refused with ALERT_UNKNOWN_CONFERENCE (MQTT and CLI)", async () => {
    const res = await site.request("alert/send", { kind: "conference", text: "x", recipients: ["person:anna"], conference: "nope" });
    expect(res).toMatchObject({ status: "error", error: { code: "ALERT_UNKNOWN_CONFERENCE" } });
    const cli = (...args: string[]): ReturnType<typeof runCli> => runCli([...args, "--config", join(site.dir, "config.json"), "-u", "ops"], { env: { RAKELGW_MQTT_PASSWORD: "ops-pass" }, timeoutMs: 30_000 });
    const bad = await cli("alert", "send", "--kind", "conference", "--conference", "nope", "--to", "person:anna", "--text", "x");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/^error ALERT_UNKNOWN_CONFERENCE: /);
    const ok = await cli("alert", "send", "--kind", "conference", "--conference", "rsk", "--to", "person:anna", "--text", "Via CLI", "--id", "conf-cli", "--json");
    expect(ok.code, ok.stderr).toBe(0);
    await until(() => site.sdsTo("2001001").find((t) => t.includes("Via CLI")), 15_000, "the CLI alert's SDS");
    expect(site.sdsTo("2001001").find((t) => t.includes("Via CLI"))).toContain("ring 08-123 45 67, kod 4711#");
    expect(ok.stdout).not.toContain("4711");
  });
});
