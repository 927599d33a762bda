import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "../../adapters/mqtt/auth/password-hash.js";
import { Gateway } from "../../src/app/gateway.js";
import { loadGatewayConfig } from "../../src/app/gateway-config.js";
import { silentLogger } from "../../src/shared/logger.js";

/**
 * A whole gateway in-process on simulated devices, with the status page on a free loopback port and two
 * accounts: `operator` (may start test alerts and talk-group checks) and `viewer` (reads only).
 */
export const BASE = "rakelgw/ops-test";

export interface OpsRig {
  gw: Gateway;
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startOpsGateway(extra: Record<string, unknown> = {}): Promise<OpsRig> {
  const dir = mkdtempSync(join(tmpdir(), "rakelgw-ops-"));
  const config = {
    site: "ops-test",
    stateDir: join(dir, "state"),
    mqtt: {
      baseTopic: BASE,
      broker: {
        listeners: [{ kind: "tcp", host: "127.0.0.1", port: 0 }],
        users: [
          { username: "operator", hash: await hashPassword("op-pass") },
          { username: "viewer", hash: await hashPassword("view-pass") },
        ],
        acl: `user operator\ntopic read ${BASE}/#\ntopic write ${BASE}/bridge/request/alert/send\ntopic write ${BASE}/bridge/request/talkgroups/check\nuser viewer\ntopic read ${BASE}/#\n`,
        stateDir: join(dir, "broker"),
        logLevel: "warn",
      },
    },
    terminals: [{ id: "terminal-1", port: "sim:terminal", talkgroups: { plan: "brand-ledningscentral-example" } }],
    modems: [{ id: "modem-1", port: "sim:modem" }],
    http: { listen: "127.0.0.1:0" },
    testAlert: { recipients: ["issi:2009999"] },
    ...extra,
  };
  const path = join(dir, "site.json");
  writeFileSync(path, JSON.stringify(config));
  const { config: cfg } = loadGatewayConfig(path, true);
  const gw = await Gateway.start({ config: cfg, log: silentLogger(), version: "test", allowSim: true, configPath: path });
  await waitForLink(gw, "terminal-1", "ready");
  await waitForLink(gw, "modem-1", "ready");
  return {
    gw,
    url: gw.ops!.server!.url,
    dir,
    async stop() {
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when a link reaches a state (10 s at most). */
export async function waitForLink(gw: Gateway, link: string, state: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (gw.links.get(link)?.state !== state) {
    if (Date.now() > deadline) throw new Error(`${link} never became ${state} (is ${gw.links.get(link)?.state ?? "absent"})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Logs in over HTTP and returns the session cookie. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const r = await fetch(`${url}login`, { method: "POST", body: new URLSearchParams({ username, password }), redirect: "manual" });
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (!cookie.startsWith("rakelgw_session=")) throw new Error(`login as ${username} failed: ${r.status} ${r.headers.get("location")}`);
  return cookie;
}

/** An alert document in the docs/mqtt-interface.md shape. */
export function alertDoc(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  // One reading of the clock: two could straddle a millisecond and put the attempt 2.001 s after creation.
  const now = Date.now();
  const created = new Date(now - 60_000).toISOString();
  const at = new Date(now - 58_000).toISOString();
  return {
    id,
    kind: "activation",
    code: "4711",
    text: "Brand i flerbostadshus, Storgatan 1",
    state: "active",
    createdAt: created,
    deadline: new Date(now + 600_000).toISOString(),
    recipients: [
      { person: "anna", state: "acknowledged", answer: "coming", attempts: [{ channel: "sds", address: "issi:2001001", at, result: "delivered" }] },
      { person: "bertil", state: "acknowledged", answer: "not-coming", attempts: [{ channel: "sms", address: "msisdn:+46701234567", at, result: "delivered" }] },
      { person: "cecilia", state: "acknowledged", answer: "delayed", attempts: [{ channel: "sds", address: "issi:2001003", at, result: "delivered" }] },
      { person: "david", state: "unreached", attempts: [{ channel: "sds", address: "issi:2001004", at, result: "failed" }] },
    ],
    summary: { coming: 1, notComing: 1, delayed: 1, pending: 0, unreached: 1 },
    ...over,
  };
}
