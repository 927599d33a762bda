import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashPassword } from "../../../adapters/mqtt/auth/password-hash.js";
import { serializeUsers } from "../../../adapters/mqtt/auth/users-file.js";
import { RawClient } from "./helpers/raw-mqtt.js";
import { USERS, startTestGateway, type TestGateway } from "./helpers/test-gateway.js";

/**
 * Issue 9 item 4 on the running broker: a blocked address never blocks the gateway's own connection
 * (its internal listener, same 127.0.0.1), and password checks run a bounded number at a time.
 */
let t: TestGateway;

beforeAll(async () => {
  // 1 failure per user and minute, so 10 per address: easy to reach from loopback.
  t = await startTestGateway({ limits: { loginFailuresPerMinute: 1, maxConcurrentLogins: 1, maxQueuedLogins: 2 } });
  // Eight more users with the production scrypt cost (~40 ms a check), so parallel logins overlap and do
  // not share a per-user throttle key.
  const users = new Map<string, string>();
  for (const [u, p] of Object.entries(USERS)) users.set(u, await hashPassword(p, { N: 1024, r: 8, p: 1 }));
  for (let i = 0; i < 8; i++) users.set(`par-${i}`, await hashPassword(`pw-${i}`));
  writeFileSync(join(t.dir, "users"), serializeUsers(users), { mode: 0o600 });
  await t.gw.broker.reload();
}, 30_000);
afterAll(async () => {
  await t?.stop();
});

const login = (port: number, clientId: string, username: string, password: string): Promise<number> =>
  RawClient.connect(port, { clientId, username, password }).then(
    (r) => (r.client.destroy(), r.returnCode),
    () => -1, // closed without CONNACK
  );

describe("login throttling", () => {
  it("bounds concurrent password checks: beyond running + queued, CONNACK 3 without any scrypt work", async () => {
    const before = (await t.gw.broker.stats()).security;
    const codes = await Promise.all(Array.from({ length: 8 }, (_, i) => login(t.port, `par-${i}`, `par-${i}`, `pw-${i}`)));
    const after = (await t.gw.broker.stats()).security;
    expect(codes.filter((c) => c === 0).length).toBeGreaterThanOrEqual(1);
    expect(codes.filter((c) => c === 3).length).toBeGreaterThanOrEqual(1);
    expect(after.loginsBusy - before.loginsBusy).toBe(codes.filter((c) => c === 3).length);
    expect(after.passwordChecks - before.passwordChecks).toBe(codes.filter((c) => c === 0).length);
  });

  it("never throttles the gateway's internal connection, even when 127.0.0.1 is blocked", async () => {
    for (let i = 0; i < 12; i++) await login(t.port, `scan-${i}`, `nobody-${i}`, "wrong");
    // The address is blocked now: even a correct device login is refused before any check.
    expect(await login(t.port, "blocked-probe", "display-1", USERS["display-1"] ?? "")).not.toBe(0);
    // The gateway's own account on the internal listener still gets in at once.
    const internal = await login(t.gw.ports["internal"] ?? 0, "rakelgw-gateway-probe", "$gateway", t.gw.broker.internalPassword);
    expect(internal).toBe(0);
  });
});
