import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../../../adapters/mqtt/auth/password-hash.js";
import { serializeUsers } from "../../../../adapters/mqtt/auth/users-file.js";
import { parseMqttConfig, type MqttConfig } from "../../../../adapters/mqtt/mqtt-config.js";
import { startMqttGateway, type MqttGateway } from "../../../../adapters/mqtt/mqtt-gateway.js";
import { LinkHealthRegistry } from "../../../../src/link-health/link-registry.js";
import { silentLogger, createRootLogger, type Logger } from "../../../../src/shared/logger.js";

/**
 * A gateway with the embedded broker on random loopback ports and a realistic users/ACL setup:
 *
 *   county-board  may publish requests (alert activations) and read everything of the site
 *   display-1     may read link states, bridge state and alert states, publish nothing
 *   device        may read bridge state; read/write its own devices/<user>/# (pattern %u)
 *   flooder       may read and write flood/#
 */
export const BASE = "rakelgw/site1";
export const USERS: Record<string, string> = { "county-board": "cb-pass", "display-1": "d1-pass", device: "dev-pass", flooder: "fl-pass" };

export const ACL = `
user county-board
topic write ${BASE}/bridge/request/#
topic read ${BASE}/#

user display-1
topic read ${BASE}/links/#
topic read ${BASE}/bridge/state
topic read ${BASE}/alerts/#

user device
topic read ${BASE}/bridge/state

user flooder
topic readwrite flood/#

pattern readwrite devices/%u/#
`;

export interface TestGateway {
  gw: MqttGateway;
  /** Port of the plain TCP device listener. */
  port: number;
  dir: string;
  usersFile: string;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  broker?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  uplink?: Record<string, unknown>;
  linkHealth?: Record<string, unknown>;
  api?: Record<string, unknown>;
  /** Reuse a directory (state dir across restarts). */
  dir?: string;
  log?: Logger;
}

/** Users file written with cheap scrypt parameters (N=1024) so tests do not spend seconds hashing. */
export async function writeUsers(path: string, users: Record<string, string>): Promise<void> {
  const map = new Map<string, string>();
  for (const [u, p] of Object.entries(users)) map.set(u, await hashPassword(p, { N: 1024, r: 8, p: 1 }));
  writeFileSync(path, serializeUsers(map), { mode: 0o600 });
}

/** The users and ACL files `testConfig(dir, …)` points at. */
export async function writeAuthFiles(dir: string): Promise<void> {
  await writeUsers(join(dir, "users"), USERS);
  writeFileSync(join(dir, "acl"), ACL);
}

export function testConfig(dir: string, o: TestGatewayOptions): MqttConfig {
  return parseMqttConfig({
    baseTopic: BASE,
    broker: {
      listeners: [{ kind: "tcp", host: "127.0.0.1", port: 0 }],
      usersFile: join(dir, "users"),
      aclFile: join(dir, "acl"),
      logLevel: process.env["RAKELGW_TEST_LOG"] ?? "silent",
      ...o.broker,
      limits: { ...o.limits },
    },
    ...(o.api ? { api: o.api } : {}),
    ...(o.uplink ? { uplink: o.uplink } : {}),
    ...(o.linkHealth ? { linkHealth: o.linkHealth } : {}),
  });
}

export async function startTestGateway(o: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "rakelgw-mqtt-"));
  mkdirSync(dir, { recursive: true });
  await writeAuthFiles(dir);
  const level = process.env["RAKELGW_TEST_LOG"];
  const log = o.log ?? (level ? createRootLogger({ level, destination: 2 }) : silentLogger());
  const gw = await startMqttGateway({ config: testConfig(dir, o), log, links: new LinkHealthRegistry({ log }), version: "0.1.0-test", simulated: true, logFd: 2 });
  return {
    gw,
    port: gw.ports["tcp-0"] ?? 0,
    dir,
    usersFile: join(dir, "users"),
    stop: async () => {
      await gw.stop();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** mosquitto_pub/sub arguments for one of the test users. */
export function as(user: string, port: number, extra: string[] = []): string[] {
  return ["-h", "127.0.0.1", "-p", String(port), "-u", user, "-P", USERS[user] ?? "x", ...extra];
}
