import type { ServerResponse } from "node:http";
import type { StateChange, StateView } from "../../src/ops/state-view.js";

/**
 * Server-sent events (WHATWG HTML §9.2) for the status page: a `snapshot` event with every document when a
 * page connects, then one `change` event per published document, and a comment every 15 s so proxies and
 * the browser notice a dead connection (the browser reconnects on its own and gets a fresh snapshot).
 * A page that stops reading is dropped once its socket buffer holds more than 1 MiB.
 */
const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED = 1024 * 1024;

export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private readonly off: () => void;

  constructor(
    private readonly view: StateView,
    private readonly maxClients = 200,
  ) {
    this.off = view.onChange((c) => this.broadcast(c));
    this.timer = setInterval(() => this.send(": ping\n\n"), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Takes over a response; false when the hub is full (the caller answers 503). */
  add(res: ServerResponse): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive", "X-Accel-Buffering": "no" });
    res.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify({ at: new Date().toISOString(), docs: this.view.snapshot() })}\n\n`);
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
    return true;
  }

  close(): void {
    clearInterval(this.timer);
    this.off();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private broadcast(c: StateChange): void {
    this.send(`event: change\ndata: ${JSON.stringify({ topic: c.topic, doc: c.doc ?? null })}\n\n`);
  }

  private send(chunk: string): void {
    for (const c of this.clients) {
      if (c.writableLength > MAX_BUFFERED) {
        c.destroy();
        this.clients.delete(c);
      } else c.write(chunk);
    }
  }
}
