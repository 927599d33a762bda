import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * The demo's stand-in for the regional service that the `ip` link probes: a TCP listener on loopback that
 * the IP-outage scene closes (connections refused, like a dead WAN) and opens again on the same port.
 */
export interface ProbeTarget {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

function listen(port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve({ server, sockets }));
  });
}

export async function startProbeTarget(): Promise<ProbeTarget> {
  let current: { server: Server; sockets: Set<Socket> } | undefined = await listen(0);
  const port = (current.server.address() as AddressInfo).port;
  const down = async (): Promise<void> => {
    const c = current;
    current = undefined;
    if (!c) return;
    for (const s of c.sockets) s.destroy();
    await new Promise<void>((r) => c.server.close(() => r()));
  };
  return {
    port,
    down,
    async up() {
      current ??= await listen(port);
    },
    close: down,
  };
}
