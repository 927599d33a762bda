import { readFileSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import type { StateView } from "../../src/ops/state-view.js";
import { SCRYPT_CHECKS_AT_ONCE } from "../../src/shared/password-checks.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { isLoopbackHost, parseListen, type HttpConfig } from "./http-config.js";
import { LoginGuard } from "./login-guard.js";
import { SESSION_COOKIE, SessionStore, cookieValue, type Session } from "./sessions.js";
import { SseHub } from "./sse-hub.js";
import { loadStaticFiles, type StaticFile } from "./static-files.js";

/**
 * The daemon's HTTP(S) side: the status page (login with the broker's accounts, live state over SSE, two
 * actions), `/metrics`, `/healthz` and `/readyz`. Everything it shows comes from the state view; the two
 * actions go through the same request router as `<base>/bridge/request/<verb>`, so a page and an MQTT
 * client get the same checks, the same errors and the same result.
 */
export interface RouterResponse {
  status: "ok" | "error";
  data?: unknown;
  error?: { code: string; message: string };
}

export interface StatusServerDeps {
  config: HttpConfig;
  log: Logger;
  info: { site: string; version: string; simulated: boolean };
  view: StateView;
  users: { verify(user: string, password: string): Promise<boolean>; mayRequest(user: string, verb: string): Promise<boolean> };
  /** Runs a verb through the gateway's request router. */
  request(verb: string, payload: Record<string, unknown>): Promise<RouterResponse>;
  metrics: { text(): Promise<string>; contentType: string };
  readiness(): Promise<{ ready: boolean; checks: { name: string; ok: boolean; detail: string }[] }>;
  /** Defaults of the test-alert form. */
  testAlert: { text: string; recipients: string[] };
}

/** The page's actions and the verbs they run (and whose ACL right they need). */
export const ACTIONS = { "test-alert": "alert/send", "talkgroup-check": "talkgroups/check" } as const;
type Action = keyof typeof ACTIONS;

const MAX_BODY = 16 * 1024;
const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts.
  "Referrer-Policy": "same-origin",
};

function remoteIsLoopback(req: IncomingMessage): boolean {
  const a = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  return isLoopbackHost(a);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new GatewayError("HTTP_BAD_REQUEST", `request body over ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = "application/json; charset=utf-8", extra: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": type, "Cache-Control": "no-store", ...extra });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string | string[]> = {}): void {
  send(res, status, JSON.stringify(body), "application/json; charset=utf-8", extra);
}

const STATUS_OF: Partial<Record<string, number>> = { HTTP_UNAUTHORIZED: 401, HTTP_FORBIDDEN: 403, HTTP_BAD_REQUEST: 400, HTTP_THROTTLED: 429 };

export class StatusServer {
  private readonly sessions: SessionStore;
  private readonly guard = new LoginGuard({ failuresPerMinute: 10, maxConcurrent: SCRYPT_CHECKS_AT_ONCE });
  private readonly files: Map<string, StaticFile>;
  private readonly hub: SseHub;
  private readonly log: Logger;
  private readonly tls: boolean;

  private constructor(
    private readonly deps: StatusServerDeps,
    private readonly server: Server,
  ) {
    this.sessions = new SessionStore(deps.config.sessionHours * 3600_000);
    this.files = loadStaticFiles();
    this.hub = new SseHub(deps.view);
    this.log = deps.log.child({ mod: "http" });
    this.tls = deps.config.tls !== undefined;
  }

  /** Starts listening on `http.listen`; throws HTTP_LISTEN_FAILED. */
  static async start(deps: StatusServerDeps): Promise<StatusServer> {
    const { host, port } = parseListen(deps.config.listen);
    let server: Server;
    try {
      const tls = deps.config.tls;
      server = tls ? createHttps({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: "TLSv1.2" }) : createHttp();
    } catch (err) {
      throw new GatewayError("HTTP_LISTEN_FAILED", `status page TLS files not readable: ${(err as Error).message}`, { cause: err });
    }
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = 5_000;
    server.maxConnections = 500;
    const s = new StatusServer(deps, server);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => void s.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new GatewayError("HTTP_LISTEN_FAILED", `status page cannot listen on ${deps.config.listen}: ${err.message}`, { cause: err }));
      server.once("error", onError);
      server.listen(port, host, () => {
        server.off("error", onError);
        resolve();
      });
    });
    server.on("error", (err) => s.log.error({ err }, "status page server error"));
    s.log.info({ event: "http-listening", url: s.url, tls: s.tls }, "status page listening");
    return s;
  }

  /** The page's address, e.g. `http://127.0.0.1:8088/`. */
  get url(): string {
    const a = this.server.address() as AddressInfo;
    const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
    return `${this.tls ? "https" : "http"}://${host}:${a.port}/`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.hub.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(req: IncomingMessage): Session | undefined {
    return this.sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (err) {
      const code = isGatewayError(err) ? err.code : "HTTP_BAD_REQUEST";
      if (!isGatewayError(err)) this.log.warn({ err, path: req.url }, "request failed");
      if (!res.headersSent) json(res, STATUS_OF[code] ?? 500, { status: "error", error: { code, message: err instanceof Error ? err.message : String(err) } });
      else res.destroy();
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (method === "GET" && (path === "/healthz" || path === "/readyz" || path === "/metrics")) return this.monitoring(req, res, path);
    if (method === "GET" && path.startsWith("/static/")) return this.serveFile(res, path.slice("/static/".length));
    if (method === "GET" && path === "/login") return this.serveFile(res, "login.html");
    if (method === "POST" && path === "/login") return this.login(req, res);
    const session = this.session(req);
    if (method === "GET" && path === "/") {
      if (!session) return send(res, 303, "", "text/plain", { Location: "/login" });
      return this.serveFile(res, "index.html");
    }
    if (!session) throw new GatewayError("HTTP_UNAUTHORIZED", "log in first");
    if (method === "POST" && path === "/logout") {
      this.checkOrigin(req);
      this.sessions.delete(cookieValue(req.headers.cookie, SESSION_COOKIE));
      return send(res, 303, "", "text/plain", { Location: "/login", "Set-Cookie": this.cookie("", 0) });
    }
    if (method === "GET" && path === "/api/session") return json(res, 200, await this.sessionInfo(session));
    if (method === "GET" && path === "/api/state") return json(res, 200, { at: new Date().toISOString(), docs: this.deps.view.snapshot() });
    if (method === "GET" && path === "/events") {
      if (!this.hub.add(res)) throw new GatewayError("HTTP_THROTTLED", "too many open status pages");
      return;
    }
    if (method === "POST" && path.startsWith("/api/actions/")) return this.action(req, res, session, path.slice("/api/actions/".length));
    send(res, 404, JSON.stringify({ status: "error", error: { code: "HTTP_BAD_REQUEST", message: "no such page" } }));
  }

  private async monitoring(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const open = this.deps.config.openMetrics;
    if (!(open === "any" || (open === "loopback" && remoteIsLoopback(req)) || this.session(req))) throw new GatewayError("HTTP_UNAUTHORIZED", "log in first, or scrape from loopback");
    if (path === "/healthz") return json(res, 200, { status: "ok" });
    if (path === "/readyz") {
      const r = await this.deps.readiness();
      return json(res, r.ready ? 200 : 503, r);
    }
    send(res, 200, await this.deps.metrics.text(), this.deps.metrics.contentType);
  }

  private serveFile(res: ServerResponse, name: string): void {
    const f = this.files.get(name);
    if (!f) return send(res, 404, "not found", "text/plain; charset=utf-8");
    res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": f.type, "Cache-Control": "no-cache" });
    res.end(f.body);
  }

  /** Browsers send Origin on POST; one from another site is refused (with SameSite=Strict this stops CSRF). */
  private checkOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    const host = req.headers.host;
    if (!host || (origin !== `http://${host}` && origin !== `https://${host}`)) throw new GatewayError("HTTP_BAD_REQUEST", "cross-site request refused");
  }

  private cookie(value: string, maxAgeS: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${this.tls ? "; Secure" : ""}`;
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.checkOrigin(req);
    const body = await readBody(req);
    const form = (req.headers["content-type"] ?? "").includes("application/json") ? (JSON.parse(body) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(body));
    const user = typeof form["username"] === "string" ? form["username"] : "";
    const password = typeof form["password"] === "string" ? form["password"] : "";
    const address = (req.socket.remoteAddress ?? "?").replace(/^::ffff:/, "");
    let ok = false;
    try {
      ok = user !== "" && (await this.guard.attempt(address, () => this.deps.users.verify(user, password)));
    } catch (err) {
      if (!isGatewayError(err, "HTTP_THROTTLED")) throw err;
      this.log.warn({ event: "http-login-throttled", address }, "status page login throttled");
      return send(res, 303, "", "text/plain", { Location: "/login?error=throttled" });
    }
    if (!ok) {
      this.log.warn({ event: "http-login-failed", user, address }, "status page login failed");
      return send(res, 303, "", "text/plain", { Location: "/login?error=failed" });
    }
    const token = this.sessions.create(user);
    this.log.info({ event: "http-login", user, address }, "status page login");
    send(res, 303, "", "text/plain", { Location: "/", "Set-Cookie": this.cookie(token, this.deps.config.sessionHours * 3600) });
  }

  private async sessionInfo(s: Session): Promise<Record<string, unknown>> {
    const rights: Record<string, boolean> = {};
    for (const [action, verb] of Object.entries(ACTIONS)) rights[action] = await this.deps.users.mayRequest(s.user, verb);
    return { user: s.user, rights, language: this.deps.config.language, testAlert: this.deps.testAlert, ...this.deps.info };
  }

  private async action(req: IncomingMessage, res: ServerResponse, s: Session, name: string): Promise<void> {
    this.checkOrigin(req);
    if (!(name in ACTIONS)) throw new GatewayError("HTTP_BAD_REQUEST", `unknown action ${name}`);
    const verb = ACTIONS[name as Action];
    if (!(req.headers["content-type"] ?? "").includes("application/json")) throw new GatewayError("HTTP_BAD_REQUEST", "send JSON");
    if (!(await this.deps.users.mayRequest(s.user, verb))) throw new GatewayError("HTTP_FORBIDDEN", `${s.user} may not run ${verb}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch (err) {
      if (isGatewayError(err)) throw err;
      throw new GatewayError("HTTP_BAD_REQUEST", "body is not JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new GatewayError("HTTP_BAD_REQUEST", "body must be a JSON object");
    const payload: Record<string, unknown> =
      name === "test-alert" ? { kind: "test", text: body["text"] ?? this.deps.testAlert.text, recipients: body["recipients"] ?? this.deps.testAlert.recipients } : { terminal: body["terminal"] };
    this.log.info({ event: "http-action", user: s.user, verb }, "status page action");
    const r = await this.deps.request(verb, payload);
    json(res, 200, r);
  }
}
