import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Logger } from "../../../src/shared/logger.js";
import type { ListenerConfig } from "../mqtt-config.js";
import type { AdmissionGate } from "./admission-gate.js";
import type { ConnMeta } from "./packet-guard.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * The broker's sockets: TCP, TLS and WebSocket listeners from config plus the gateway's internal loopback
 * listener. Every socket passes the AdmissionGate the moment it is accepted — before a TLS handshake or a
 * WebSocket upgrade — so sockets that never finish either are counted and time out like any other
 * connection without a login. The internal listener has its own gate, so no flood on a device listener
 * can lock the gateway out of its own broker.
 */
export type Accept = (stream: Duplex, meta: ConnMeta) => void;

/** A listening socket and how to close it (closing also drops its connections). */
export interface OpenListener {
  name: string;
  kind: ListenerConfig["kind"] | "internal";
  host: string;
  port: number;
  /** Takes no more connections; those open stay open. Resolves once the last of them has closed. */
  stopAccepting(): Promise<void>;
  close(): Promise<void>;
}

/** What a listener needs: where connections go, the log, limits and its admission gate. */
export interface ListenerDeps {
  accept: Accept;
  log: Logger;
  gate: AdmissionGate;
  maxPacketBytes: number;
}

function listen(server: NetServer | HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}

/** True when a WebSocket upgrade may proceed: no Origin (not a browser), a listed one, or the listener's own host. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[] | undefined): boolean {
  if (origin === undefined || origin === "") return true;
  if (allowed) return allowed.includes(origin);
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Opens one listener; resolves with the bound port. */
export async function openListener(name: string, cfg: ListenerConfig | { kind: "internal"; host: string; port: number }, deps: ListenerDeps): Promise<OpenListener> {
  const sockets = new Set<Socket>();
  const rl = new RateLimitedLog(deps.log);
  /** Every raw socket, from accept: counted by the gate, closed with the listener. */
  const onAccept = (s: Socket): boolean => {
    // A reset from a client must not become an uncaught 'error'; the close that follows cleans up.
    s.on("error", () => undefined);
    if (!deps.gate.enter(s, name)) return false;
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
    return true;
  };
  const meta = (raw: Socket, extra: Partial<ConnMeta> = {}): ConnMeta => ({ listener: name, remoteAddress: raw.remoteAddress ?? "?", loggedIn: () => deps.gate.admitted(raw), ...extra });
  let closed: Promise<void> | undefined;
  /** Resolves once the server is closed, which is after its last connection. */
  const stopAccepting = (server: NetServer | HttpServer) => (): Promise<void> => (closed ??= new Promise((resolve) => server.close(() => resolve())));
  const close = (server: NetServer | HttpServer) => (): Promise<void> => {
    const done = stopAccepting(server)();
    for (const s of sockets) s.destroy();
    return done;
  };

  switch (cfg.kind) {
    case "internal":
    case "tcp": {
      const server = createNetServer({ noDelay: true }, (s) => {
        if (onAccept(s)) deps.accept(s, meta(s));
      });
      const port = await listen(server, cfg.host, cfg.port);
      return { name, kind: cfg.kind, host: cfg.host, port, stopAccepting: stopAccepting(server), close: close(server) };
    }
    case "tls": {
      // The raw socket of each TLS connection, by remote address and port, to find it again after the handshake.
      const raw = new Map<string, Socket>();
      const key = (s: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string => `${s.remoteAddress ?? "?"}|${s.remotePort ?? 0}`;
      const server = createTlsServer(
        {
          cert: readFileSync(cfg.certFile),
          key: readFileSync(cfg.keyFile),
          ...(cfg.caFile ? { ca: readFileSync(cfg.caFile), requestCert: true } : {}),
          rejectUnauthorized: cfg.requireClientCert,
          minVersion: "TLSv1.2",
          ciphers: cfg.ciphers,
          honorCipherOrder: true,
          handshakeTimeout: cfg.handshakeTimeoutMs,
        },
        (s: TLSSocket) => {
          s.on("error", () => undefined);
          const r = raw.get(key(s));
          if (!r) return void s.destroy();
          const cn = s.authorized ? (s.getPeerCertificate().subject as { CN?: string } | undefined)?.CN : undefined;
          deps.accept(s, meta(r, cn ? { certCN: cn } : {}));
        },
      );
      server.on("connection", (s: Socket) => {
        if (!onAccept(s)) return;
        const k = key(s);
        raw.set(k, s);
        s.once("close", () => raw.delete(k));
      });
      server.on("tlsClientError", (err, s) => rl.warn(`tls:${s.remoteAddress ?? "?"}`, { mod: "mqtt-broker", event: "tls-failed", listener: name, remoteAddress: s.remoteAddress, err: err.message }, "TLS handshake failed"));
      const port = await listen(server, cfg.host, cfg.port);
      return { name, kind: "tls", host: cfg.host, port, stopAccepting: stopAccepting(server), close: close(server) };
    }
    case "ws": {
      const http = createHttpServer((_req, res) => res.writeHead(426, { "content-type": "text/plain" }).end("MQTT over WebSocket only\n"));
      http.on("connection", (s: Socket) => void onAccept(s));
      const allowed = cfg.allowedOrigins;
      const wss = new WebSocketServer({
        server: http,
        path: cfg.path,
        // ws' own frame limit: one MQTT packet per frame from browsers (mqtt.js), so the packet limit plus framing.
        maxPayload: deps.maxPacketBytes + 16,
        handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false),
        // Cross-site WebSocket hijacking: a page on another site must not use a browser on the LAN as its client.
        verifyClient: (info: { origin: string; req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
          const ok = originAllowed(info.origin, info.req.headers.host, allowed);
          if (!ok) rl.warn(`origin:${info.req.socket.remoteAddress ?? "?"}`, { mod: "mqtt-broker", event: "ws-origin-refused", listener: name, remoteAddress: info.req.socket.remoteAddress, origin: info.origin.slice(0, 200) }, "WebSocket upgrade refused: origin not allowed");
          done(ok, 403, "origin not allowed");
        },
      });
      wss.on("connection", (ws, req) => {
        const stream = createWebSocketStream(ws);
        stream.on("error", () => undefined);
        deps.accept(stream, meta(req.socket));
      });
      const port = await listen(http, cfg.host, cfg.port);
      const closeHttp = close(http);
      return { name, kind: "ws", host: cfg.host, port, stopAccepting: stopAccepting(http), close: async () => (wss.close(), closeHttp()) };
    }
  }
}
