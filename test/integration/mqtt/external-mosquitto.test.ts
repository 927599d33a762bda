import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMqttConfig } from "../../../adapters/mqtt/mqtt-config.js";
import { startMqttGateway, type MqttGateway } from "../../../adapters/mqtt/mqtt-gateway.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { LinkHealthRegistry } from "../../../src/link-health/link-registry.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { startMosquitto, type Mosquitto } from "./helpers/mosquitto.js";
import { runFixture } from "./helpers/node-script.js";
import { run, sleep, until } from "./helpers/procs.js";

/**
 * Issue 9 item 8: `mqtt.broker.external` — the gateway connects as a client to a site's existing Mosquitto
 * (a real one, password file + ACL, started here on a random port) instead of starting its own broker.
 * The ACL written here is the one the README documents.
 */
const BASE = "rakelgw/site1";
let dir: string;
let mosq: Mosquitto;
let gw: MqttGateway | undefined;
let board: MqttClient;
const states: string[] = [];
const responses: Record<string, unknown>[] = [];

const GATEWAY_ACL = (base: string, gatewayUser: string): string =>
  [
    `# The gateway: its whole topic tree (state, responses, requests; it clears stored requests)`,
    `user ${gatewayUser}`,
    `topic readwrite ${base}/#`,
    "",
    `user county-board`,
    `topic write ${base}/bridge/request/#`,
    `topic read ${base}/#`,
    "",
  ].join("\n");

function config(o: Record<string, unknown> = {}): ReturnType<typeof parseMqttConfig> {
  return parseMqttConfig({ baseTopic: BASE, broker: { external: mosq.url, externalAuth: { username: "rakelgw", passwordFile: join(dir, "gw-password"), ...o } } });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-ext-"));
  const pw = join(dir, "passwd");
  writeFileSync(pw, "");
  for (const [u, p] of [["rakelgw", "gw-secret"], ["county-board", "cb-pass"]] as const) {
    const r = await run("mosquitto_passwd", ["-b", pw, u, p]);
    if (r.code !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
  }
  writeFileSync(join(dir, "acl"), GATEWAY_ACL(BASE, "rakelgw"));
  writeFileSync(join(dir, "gw-password"), "gw-secret\n", { mode: 0o600 });
  mosq = await startMosquitto(join(dir, "mosq"), { persistence: true, extra: [`password_file ${pw}`, `acl_file ${join(dir, "acl")}`] });
  board = connect(mosq.url, { username: "county-board", password: "cb-pass", reconnectPeriod: 200 });
  board.on("message", (topic, payload, packet) => {
    if (topic === `${BASE}/bridge/state` && payload.length) states.push((JSON.parse(payload.toString()) as { state: string }).state);
    if (topic.startsWith(`${BASE}/bridge/response/`) && !packet.retain) responses.push(JSON.parse(payload.toString()) as Record<string, unknown>);
  });
  await until(() => board.connected, 5000, "county-board connected to mosquitto");
  await board.subscribeAsync([`${BASE}/bridge/state`, `${BASE}/bridge/response/#`], { qos: 1 });
}, 30_000);

afterAll(async () => {
  board?.end(true);
  await gw?.stop();
  await mosq?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("mqtt.broker.external: a site's own Mosquitto", () => {
  it("connects with the password from a file, starts no broker, publishes bridge/state and answers requests", async () => {
    gw = await startMqttGateway({ config: config(), log: silentLogger(), links: new LinkHealthRegistry({ log: silentLogger() }), version: "ext", simulated: true });
    expect(gw.ports).toEqual({});
    await until(() => states.at(-1) === "online", 5000, "bridge/state online at mosquitto");
    board.publish(`${BASE}/bridge/request/health`, JSON.stringify({ transaction: "ext-1" }), { qos: 1 });
    await until(() => responses.some((r) => r["transaction"] === "ext-1"), 5000, "the health response");
    expect(responses.find((r) => r["transaction"] === "ext-1")).toMatchObject({ status: "ok", data: { broker: { external: mosq.url, connected: true } } });
  });

  it("runs a retained request once: not again after the gateway restarts, and clears it at the broker", async () => {
    board.publish(`${BASE}/bridge/request/health`, JSON.stringify({ transaction: "ext-retained" }), { qos: 1, retain: true });
    const runs = (): number => responses.filter((r) => r["transaction"] === "ext-retained").length;
    await until(() => runs() === 1, 5000, "the first run");
    await gw?.stop();
    await until(() => states.at(-1) === "offline", 5000, "bridge/state offline after a clean stop");
    gw = await startMqttGateway({ config: config(), log: silentLogger(), links: new LinkHealthRegistry({ log: silentLogger() }), version: "ext", simulated: true });
    await until(() => states.at(-1) === "online", 5000, "online again");
    await sleep(1000);
    expect(runs()).toBe(1);
    const stored = await run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(mosq.port), "-u", "county-board", "-P", "cb-pass", "-t", `${BASE}/bridge/request/#`, "--retained-only", "-W", "1", "-v"]);
    expect(stored.stdout).toBe("");
  });

  it("has Mosquitto publish its last will (offline) when the gateway process is killed", async () => {
    await gw?.stop();
    gw = undefined;
    const proc = runFixture("gateway-process.ts", { CONFIG: JSON.stringify({ baseTopic: BASE, broker: { external: mosq.url, externalAuth: { username: "rakelgw", passwordFile: join(dir, "gw-password") } } }) });
    await proc.waitFor((l) => l.includes("ready"), 15_000, "the gateway process ready");
    await until(() => states.at(-1) === "online", 5000, "online from the gateway process");
    await proc.kill("SIGKILL");
    await until(() => states.at(-1) === "offline", 30_000, "the last will at mosquitto");
    expect(states.slice(-2)).toEqual(["online", "offline"]);
  }, 60_000);

  it("takes the password from an environment variable named in the config", async () => {
    process.env["RAKELGW_TEST_EXT_PW"] = "gw-secret";
    try {
      gw = await startMqttGateway({ config: config({ passwordFile: undefined, passwordEnv: "RAKELGW_TEST_EXT_PW" }), log: silentLogger(), links: new LinkHealthRegistry({ log: silentLogger() }), version: "ext", simulated: true });
      await until(() => states.at(-1) === "online", 5000, "online with the env password");
      expect(states.at(-1)).toBe("online"); // logged in with the password from the environment
      await gw.stop();
      gw = undefined;
    } finally {
      delete process.env["RAKELGW_TEST_EXT_PW"];
    }
  });

  it("fails the start when Mosquitto refuses the credentials, or the env variable is missing", async () => {
    writeFileSync(join(dir, "bad-password"), "wrong\n");
    const bad = await startMqttGateway({ config: config({ passwordFile: join(dir, "bad-password") }), log: silentLogger(), links: new LinkHealthRegistry({ log: silentLogger() }), version: "ext", simulated: true }).catch((e: unknown) => e);
    expect(isGatewayError(bad) && bad.code).toBe("MQTT_BROKER_FAILED");
    const missing = await startMqttGateway({ config: config({ passwordFile: undefined, passwordEnv: "RAKELGW_NO_SUCH_VARIABLE" }), log: silentLogger(), links: new LinkHealthRegistry({ log: silentLogger() }), version: "ext", simulated: true }).catch((e: unknown) => e);
    expect(isGatewayError(missing) && missing.code).toBe("CFG_INVALID");
  });

  it("refuses credentials inline in the URL (config schema)", () => {
    expect(() => parseMqttConfig({ broker: { external: "mqtt://rakelgw:secret@127.0.0.1:1883" } })).toThrow();
  });
});
