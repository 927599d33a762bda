import { Type, type Static } from "@sinclair/typebox";

/**
 * Configuration of the status page, `/metrics`, `/healthz` and `/readyz` (`http` in the site file).
 * Loopback by default: a wall screen or a technician's browser on another machine needs `listen` set to
 * the LAN address, and then TLS (`tls.certFile`/`tls.keyFile`, files only: a key is never inline).
 */
const strict = { additionalProperties: false } as const;

export const HttpConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    listen: Type.String({
      default: "127.0.0.1:8088",
      pattern: "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$",
      description: "host:port of the status page; [::1]:8088 for IPv6; port 0 picks a free one",
    }),
    tls: Type.Optional(
      Type.Object(
        {
          certFile: Type.String({ minLength: 1, description: "certificate chain (PEM)" }),
          keyFile: Type.String({ minLength: 1, description: "private key (PEM), mode 0600, readable by the service user" }),
        },
        strict,
      ),
    ),
    language: Type.Union([Type.Literal("sv"), Type.Literal("en")], { default: "sv", description: "default language of the page; every page has a switch" }),
    sessionHours: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 24 * 30, description: "how long a login lasts (a wall screen logs in once)" }),
    /** `/metrics`, `/healthz` and `/readyz` without a login (for Prometheus and monitoring on loopback). */
    openMetrics: Type.Union([Type.Literal("loopback"), Type.Literal("any"), Type.Literal("login")], { default: "loopback" }),
    recentAlerts: Type.Integer({ minimum: 1, maximum: 500, default: 20, description: "finished alerts kept on the page" }),
  },
  { ...strict, default: {} },
);

export type HttpConfig = Static<typeof HttpConfigSchema>;

/** Splits `host:port` (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, "$1");
  return { host, port: Number(listen.slice(i + 1)) };
}

/** True when the address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
