import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RawClient, publishPacket, subscribePacket } from "./helpers/raw-mqtt.js";
import { killAll, run, subscribed, until } from "./helpers/procs.js";
import { BASE, as, startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * Authentication and ACLs against the embedded broker, with the real mosquitto_pub/mosquitto_sub clients
 * (and a raw socket where no real client would misbehave on purpose). Reliability S4, docs/reliability.md #25-27.
 */
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ limits: { maxClientIdLength: 128 } });
}, 20_000);
afterAll(async () => t?.stop());
afterEach(() => killAll());

const sub = (user: string, topic: string, extra: string[] = []) => subscribed(as(user, t.port, ["-t", topic, "-v", "-q", "1", ...extra]));

describe("authentication", () => {
  it("lets a known user in with the right password", async () => {
    const r = await run("mosquitto_sub", as("display-1", t.port, ["-t", `${BASE}/bridge/state`, "-C", "1", "-W", "3"]));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ state: "online", version: "0.1.0-test", simulated: true });
  });

  it.each([
    { title: "a wrong password", args: ["-u", "display-1", "-P", "nope"], want: /bad user name or password/i },
    { title: "an unknown user", args: ["-u", "mallory", "-P", "x"], want: /bad user name or password/i },
    { title: "no credentials (anonymous is off)", args: [], want: /not authori[sz]ed/i },
    { title: "an empty username", args: ["-u", "", "-P", "x"], want: /refused/i },
  ])("refuses $title with a CONNACK error", async ({ args, want }) => {
    const before = (await t.gw.broker.stats()).security.authFailures;
    const r = await run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(t.port), ...args, "-t", `${BASE}/x`, "-m", "x"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(want);
    expect((await t.gw.broker.stats()).security.authFailures).toBeGreaterThan(before);
  });

  it("refuses a 1 KB client id with CONNACK 2 (identifier rejected), creating no session", async () => {
    const { client, returnCode } = await RawClient.connect(t.port, { clientId: "x".repeat(1024), username: "display-1", password: "d1-pass" });
    expect(returnCode).toBe(2);
    await client.closed;
    const ok = await RawClient.connect(t.port, { clientId: "x".repeat(128), username: "display-1", password: "d1-pass" });
    expect(ok.returnCode).toBe(0);
    ok.client.destroy();
  });
});

describe("authorisation (ACL)", () => {
  it("delivers an alert state to the display, and the county board's activation request reaches the gateway", async () => {
    const display = await sub("display-1", `${BASE}/alerts/#`);
    const responses = await sub("county-board", `${BASE}/bridge/response/#`);
    await t.gw.bus.publishAlertState("42", { id: "42", kind: "activation", recipients: [] });
    await display.waitFor((l) => l.some((x) => x.startsWith(`${BASE}/alerts/42 {"id":"42"`)), 3000, "alert state at the display");
    expect((await run("mosquitto_pub", as("county-board", t.port, ["-t", `${BASE}/bridge/request/alert/send`, "-m", '{"transaction":"a1"}', "-q", "1"]))).code).toBe(0);
    // No alert/send handler is registered in this test gateway, so the answer is MQTT_UNKNOWN_VERB; what matters is that it was let through.
    const [line] = await responses.waitFor((l) => l.length > 0, 3000, "a response");
    expect(line?.split(" ")[0]).toBe(`${BASE}/bridge/response/alert/send`);
    expect(JSON.parse(line?.slice(line.indexOf(" ") + 1) ?? "")).toEqual({ transaction: "a1", status: "error", error: { code: "MQTT_UNKNOWN_VERB", message: 'no such verb "alert/send"' } });
  });

  it("does not let the display publish an activation: connection closed, nothing delivered, denial counted", async () => {
    const watcher = await sub("county-board", `${BASE}/bridge/request/#`);
    const before = (await t.gw.broker.stats()).security.publishDenied;
    const r = await run("mosquitto_pub", as("display-1", t.port, ["-t", `${BASE}/bridge/request/alert/send`, "-m", '{"transaction":"evil"}', "-q", "1"]));
    expect(r.code).not.toBe(0); // QoS 1: no PUBACK, the broker closed the connection [MQTT-3.3.5-2]
    // A permitted publish after the denied one: once it has arrived, the denied one would have too.
    expect((await run("mosquitto_pub", as("county-board", t.port, ["-t", `${BASE}/bridge/request/sentinel`, "-m", '{"transaction":"sentinel"}', "-q", "1"]))).code).toBe(0);
    await watcher.waitFor((l) => l.some((x) => x.includes("sentinel")), 3000, "the permitted publish after the denied one");
    expect(watcher.lines.filter((l) => l.includes("evil"))).toEqual([]);
    expect((await t.gw.broker.stats()).security.publishDenied).toBe(before + 1);
  });

  it("answers SUBACK 0x80 when a device subscribes to # and keeps the connection", async () => {
    const { client, returnCode } = await RawClient.connect(t.port, { clientId: "dev-raw", username: "device", password: "dev-pass" });
    expect(returnCode).toBe(0);
    client.socket.write(subscribePacket(1, "#", 1));
    const suback = await client.next(9, 3000);
    expect([...suback.body]).toEqual([0, 1, 0x80]);
    client.socket.write(subscribePacket(2, `${BASE}/bridge/state`, 1));
    expect([...(await client.next(9, 3000)).body]).toEqual([0, 2, 1]);
    expect(client.isClosed()).toBe(false);
    client.destroy();
  });

  it("mosquitto_sub reports the denied subscription to the user", async () => {
    const r = await run("mosquitto_sub", as("device", t.port, ["-t", "#", "-W", "2"]));
    expect(r.stderr + r.stdout).toMatch(/denied/i);
  });

  it("applies %u patterns: a device may use its own devices/<user>/# only", async () => {
    const own = await sub("device", "devices/device/#");
    expect((await run("mosquitto_pub", as("device", t.port, ["-t", "devices/device/temp", "-m", "21", "-q", "1"]))).code).toBe(0);
    await own.waitFor((l) => l.includes("devices/device/temp 21"), 3000, "own topic");
    expect((await run("mosquitto_pub", as("device", t.port, ["-t", "devices/display-1/temp", "-m", "99", "-q", "1"]))).code).not.toBe(0);
  });

  it.each([
    { title: "a + wildcard", topic: "flood/+/x" },
    { title: "a # wildcard", topic: "flood/#" },
  ])("closes the connection of a client publishing to $title (docs/reliability.md #25)", async ({ topic }) => {
    const { client } = await RawClient.connect(t.port, { clientId: "wild", username: "flooder", password: "fl-pass" });
    client.socket.write(publishPacket(topic, Buffer.from("x"), { qos: 1 }));
    await until(() => client.isClosed(), 3000, "connection closed");
    expect(client.packets.filter((p) => p.type === 4)).toEqual([]); // closed instead of a PUBACK
  });

  it("closes the connection of a client publishing to $SYS", async () => {
    const { client } = await RawClient.connect(t.port, { clientId: "sys", username: "county-board", password: "cb-pass" });
    const before = (await t.gw.broker.stats()).security.publishDenied;
    client.socket.write(publishPacket("$SYS/broker/fake", Buffer.from("x"), { qos: 0 }));
    await until(() => client.isClosed(), 3000, "connection closed");
    expect((await t.gw.broker.stats()).security.publishDenied).toBe(before + 1);
  });
});
