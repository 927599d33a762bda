import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Logger } from "../../../src/shared/logger.js";
import type { ListenerConfig } from "../mqtt-config.js";
import type { ConnMeta } from "./packet-guard.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * The broker's sockets: TCP, TLS and WebSocket listeners from config plus the gateway's internal loopback
 * listener. Each accepted connection is counted against `maxConnections` (the internal one is not, so a
 * connection flood can never lock the gateway out of its own broker) and handed to `accept` with its meta.
 */
export type Accept = (stream: Duplex, meta: ConnMeta) => void;

/** A listening socket and how to close it (closing also drops its connections). */
export interface OpenListener {
  name: string;
  kind: ListenerConfig["kind"] | "internal";
  host: string;
  port: number;
  close(): Promise<void>;
}

/** What a listener needs: where connections go, the log and limits. */
export interface ListenerDeps {
  accept: Accept;
  log: Logger;
  maxConnections: number;
  maxPacketBytes: number;
}

/** Device connections across all listeners (the internal one excluded). */
export class ConnectionCounter {
  current = 0;
  refused = 0;
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

function closer(server: NetServer | HttpServer, sockets: Set<Duplex>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Opens one listener; resolves with the bound port. */
export async function openListener(name: string, cfg: ListenerConfig | { kind: "internal"; host: string; port: number }, deps: ListenerDeps, counter: ConnectionCounter): Promise<OpenListener> {
  const sockets = new Set<Duplex>();
  const rl = new RateLimitedLog(deps.log);
  const admit = (stream: Duplex, meta: ConnMeta): void => {
    if (cfg.kind !== "internal") {
      if (counter.current >= deps.maxConnections) {
        counter.refused++;
        rl.warn("max-connections", { mod: "mqtt-broker", event: "connection-refused", listener: name, remoteAddress: meta.remoteAddress, max: deps.maxConnections }, "connection refused: limit reached");
        stream.destroy();
        return;
      }
      counter.current++;
    }
    sockets.add(stream);
    stream.once("close", () => {
      sockets.delete(stream);
      if (cfg.kind !== "internal") counter.current--;
    });
    deps.accept(stream, meta);
  };
  // A reset from a client must not become an uncaught 'error'; the close that follows cleans up.
  const onSocketError = (s: Socket): void => {
    s.on("error", () => undefined);
  };

  switch (cfg.kind) {
    case "internal":
    case "tcp": {
      const server = createNetServer({ noDelay: true }, (s) => {
        onSocketError(s);
        admit(s, { listener: name, remoteAddress: s.remoteAddress ?? "?" });
      });
      const port = await listen(server, cfg.host, cfg.port);
      return { name, kind: cfg.kind, host: cfg.host, port, close: closer(server, sockets) };
    }
    case "tls": {
      const server = createTlsServer(
        {
          cert: readFileSync(cfg.certFile),
          key: readFileSync(cfg.keyFile),
          ...(cfg.caFile ? { ca: readFileSync(cfg.caFile), requestCert: true } : {}),
          rejectUnauthorized: cfg.requireClientCert,
          minVersion: "TLSv1.2",
        },
        (s: TLSSocket) => {
          onSocketError(s);
          const cn = s.authorized ? (s.getPeerCertificate().subject as { CN?: string } | undefined)?.CN : undefined;
          admit(s, { listener: name, remoteAddress: s.remoteAddress ?? "?", ...(cn ? { certCN: cn } : {}) });
        },
      );
      server.on("tlsClientError", (err, s) => rl.warn(`tls:${s.remoteAddress ?? "?"}`, { mod: "mqtt-broker", event: "tls-failed", listener: name, remoteAddress: s.remoteAddress, err: err.message }, "TLS handshake failed"));
      const port = await listen(server, cfg.host, cfg.port);
      return { name, kind: "tls", host: cfg.host, port, close: closer(server, sockets) };
    }
    case "ws": {
      const http = createHttpServer((_req, res) => res.writeHead(426, { "content-type": "text/plain" }).end("MQTT over WebSocket only\n"));
      // ws' own frame limit: one MQTT packet per frame from browsers (mqtt.js), so the packet limit plus framing.
      const wss = new WebSocketServer({ server: http, path: cfg.path, maxPayload: deps.maxPacketBytes + 16, handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false) });
      wss.on("connection", (ws, req) => {
        const stream = createWebSocketStream(ws);
        stream.on("error", () => undefined);
        admit(stream, { listener: name, remoteAddress: req.socket.remoteAddress ?? "?" });
      });
      const port = await listen(http, cfg.host, cfg.port);
      const closeHttp = closer(http, sockets);
      return { name, kind: "ws", host: cfg.host, port, close: async () => (wss.close(), closeHttp()) };
    }
  }
}
