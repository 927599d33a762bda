import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchSite, until } from "../helpers/dispatch-site.js";
import { builtCli } from "../helpers/run-cli.js";
import { freePort } from "../integration/mqtt/helpers/procs.js";

/**
 * The daemon and its alert store: a damaged journal is moved aside, reported loudly (link `alert-store`
 * degraded) and the gateway starts and dispatches; a second gateway on the same state directory refuses
 * to start. (The full disk is tested on a real tmpfs in test/integration/dispatch/alert-store.test.ts.)
 */
const site = new DispatchSite();

beforeAll(async () => {
  await site.start({ roster: { people: [{ id: "anna", name: "Anna", channels: [{ sds: "2001001" }] }], roles: [] } });
  await site.ready();
}, 60_000);

afterAll(async () => {
  await site.stop();
}, 30_000);

describe("alert store under the daemon", () => {
  it("a damaged journal is moved aside and reported; the gateway starts and resumes what it could read", async () => {
    const r = await site.request("alert/send", { id: "keep-1", kind: "activation", text: "Före kraschen", recipients: ["person:anna"] });
    expect(r["status"]).toBe("ok");
    await until(() => site.sdsTo("2001001").length === 1 || undefined, 10_000, "first SDS");
    await site.kill9();
    const journal = join(site.dir, "state", "dispatch", "alerts.journal");
    const lines = readFileSync(journal, "utf8").split("\n");
    writeFileSync(journal, ["deadbeef {not json", ...lines].join("\n"));
    site.startDaemon();
    await site.ready();
    const h = await site.request("health", {});
    expect((h["data"] as { links: Record<string, { state: string; detail: string }> }).links["alert-store"]).toMatchObject({ state: "degraded", detail: expect.stringMatching(/alert journal was damaged \(1 bad records\); moved to .*alerts\.journal\.corrupt-/) as unknown });
    expect(site.out).toMatch(/"event":"store-corrupt"/);
    expect((await site.request("alert/get", { id: "keep-1" }))["status"]).toBe("ok");
    expect(site.sdsTo("2001001")).toHaveLength(1); // resumed, not sent again
    expect((await site.request("alert/send", { id: "after-1", kind: "activation", text: "Efter", recipients: ["person:anna"] }))["status"]).toBe("ok");
  }, 60_000);

  it("a second gateway on the same state directory refuses to start (STORE_LOCKED)", async () => {
    const cfg = JSON.parse(readFileSync(join(site.dir, "config.json"), "utf8")) as { terminals: unknown[]; modems: unknown[]; mqtt: { broker: { listeners: { port: number }[]; stateDir: string } } };
    cfg.terminals = [];
    cfg.modems = [];
    cfg.mqtt.broker.listeners[0]!.port = await freePort();
    cfg.mqtt.broker.stateDir = join(site.dir, "broker-2");
    const path = join(site.dir, "config-2.json");
    writeFileSync(path, JSON.stringify(cfg));
    const second = spawn(process.execPath, [builtCli(), "run", "--config", path], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    second.stdout.on("data", (d: Buffer) => (out += d.toString()));
    second.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((res) => second.once("exit", res));
    expect(code).not.toBe(0);
    expect(out).toMatch(/STORE_LOCKED/);
    // The first gateway is unharmed.
    expect((await site.request("alert/get", { id: "after-1" }))["status"]).toBe("ok");
  }, 60_000);
});
