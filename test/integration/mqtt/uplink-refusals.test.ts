import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makePki, type TestPki } from "./helpers/certs.js";
import { startMosquitto, type Mosquitto } from "./helpers/mosquitto.js";
import { freePort, killAll, run, sleep, subscribed, until } from "./helpers/procs.js";
import { BASE, as, startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * Catalogue #32 and #33 (docs/reliability.md) against a real Mosquitto as the regional broker: it refuses our
 * credentials (CONNACK 5, as after a password rotation), or shows a certificate we cannot verify (another CA,
 * expired). The uplink stays down with the reason in its link state, keeps retrying, never connects without
 * verification, and the local broker carries on. The slow retry itself is timed in the unit test
 * (`test/unit/mqtt/uplink-connection.test.ts`).
 */
const USER = "gw-site1";
let dir: string;
let pki: TestPki;
let mosq: Mosquitto;
let expiredPort: number;
const passwords = join(tmpdir(), `rakelgw-uplink-refusals-pw-${process.pid}`);
const setPassword = (pass: string) => run("mosquitto_passwd", ["-b", "-c", passwords, USER, pass]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-uplink-refusals-"));
  pki = await makePki(join(dir, "pki"), [], { expiredServer: true });
  expect((await setPassword("new-pass")).code).toBe(0);
  expiredPort = await freePort();
  // The helper's listener speaks TLS with the valid certificate; a second one shows the expired certificate.
  mosq = await startMosquitto(join(dir, "mosq"), {
    extra: [`password_file ${passwords}`, `certfile ${pki.serverCert}`, `keyfile ${pki.serverKey}`, `listener ${expiredPort} 127.0.0.1`, `certfile ${pki.expiredServerCert!}`, `keyfile ${pki.expiredServerKey!}`],
  });
}, 60_000);
afterAll(async () => {
  await mosq?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(passwords, { force: true });
});
afterEach(() => killAll());

const gateways: TestGateway[] = [];
afterEach(async () => {
  for (const g of gateways.splice(0)) await g.stop();
});

/** A gateway whose uplink goes to `port` over TLS, verifying with `ca`; its warnings are kept in `warnings`. */
async function gateway(name: string, port: number, ca: string, password: string) {
  const warnings: string[] = [];
  const log = pino({ level: "warn" }, { write: (l: string) => void warnings.push(l) });
  const g = await startTestGateway({
    log,
    uplink: { urls: [`mqtts://127.0.0.1:${port}`], remoteBase: `region/north/${name}`, clientId: name, username: USER, password, caFile: ca, bridge: [], queueDir: join(dir, `queue-${name}`), backoffBaseMs: 100, backoffCapMs: 1000, connectTimeoutMs: 2000 },
  });
  gateways.push(g);
  const upstream = () => g.gw.links.get("upstream");
  return { g, warnings, upstream };
}

/** Everything the regional broker holds of these gateways' state topics (what a connected uplink publishes first). */
const regionalState = (user: string, pass: string) =>
  subscribed(["-h", "127.0.0.1", "-p", String(mosq.port), "--cafile", pki.caCert, "-u", user, "-P", pass, "-t", "region/north/+/bridge/state", "-v"]);

describe("the regional broker refuses the uplink", () => {
  it("#32 wrong credentials: not ready with the broker's reason, retried, the local broker unaffected; connects once the broker takes the password", async () => {
    const { g, warnings, upstream } = await gateway("rotated", mosq.port, pki.caCert, "old-pass");
    await until(() => warnings.filter((l) => l.includes("regional broker refused our credentials")).length >= 2, 15_000, "two refused attempts");
    expect(upstream()?.state).not.toBe("ready");
    expect(upstream()?.detail).toMatch(/not authori[sz]ed/i);
    expect(warnings.join("")).not.toContain("old-pass");
    // The local broker and its API go on as before.
    const local = await subscribed(as("county-board", g.port, ["-t", `${BASE}/bridge/state`, "-C", "1", "-v"]));
    await local.waitFor((l) => l.some((x) => x.includes('"state":"online"')), 5000, "local bridge state");
    // The region rotates back to the password we have (SIGHUP reloads Mosquitto's password file).
    expect((await setPassword("old-pass")).code).toBe(0);
    process.kill(mosq.pid(), "SIGHUP");
    await until(() => upstream()?.state === "ready", 15_000, "uplink ready after the broker took the password");
    expect((await setPassword("new-pass")).code).toBe(0);
    process.kill(mosq.pid(), "SIGHUP");
  }, 40_000);

  it("#33 a certificate from another CA, or an expired one, is refused: never connected, retried, no insecure fallback", async () => {
    const seen = await regionalState(USER, "new-pass");
    const wrongCa = await gateway("wrong-ca", mosq.port, pki.otherCaCert, "new-pass");
    const expired = await gateway("expired", expiredPort, pki.caCert, "new-pass");
    const control = await gateway("control", mosq.port, pki.caCert, "new-pass");
    await until(() => control.upstream()?.state === "ready", 15_000, "the control gateway (right CA, valid certificate) ready");
    await until(() => wrongCa.warnings.length >= 2 && expired.warnings.length >= 2, 15_000, "two refused handshakes each");
    await seen.waitFor((l) => l.some((x) => x.startsWith("region/north/control/bridge/state")), 5000, "the control gateway's state upstream");
    await sleep(500);
    expect(wrongCa.upstream()?.state).not.toBe("ready");
    expect(wrongCa.upstream()?.detail).toMatch(/self[- ]signed|unable to (get|verify)/i);
    expect(expired.upstream()?.state).not.toBe("ready");
    expect(expired.upstream()?.detail).toMatch(/expired/i);
    // Nothing of the refused gateways ever reached the regional broker.
    expect(seen.lines.filter((l) => l.startsWith("region/north/wrong-ca/") || l.startsWith("region/north/expired/"))).toEqual([]);
  }, 40_000);
});
