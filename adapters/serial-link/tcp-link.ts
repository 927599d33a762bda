import net from "node:net";
import { GatewayError } from "../../src/shared/errors.js";
import { type ByteLink, type ByteLinkFactory, type LinkCloseInfo, Listeners } from "./byte-link.js";

/** Serial-over-TCP (ser2net, Moxa NPort raw mode, the simulator's TCP mode). */
class TcpLink implements ByteLink {
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[LinkCloseInfo]>();
  private closing = false;
  private done = false;
  private lastError: Error | undefined;

  constructor(
    private readonly socket: net.Socket,
    readonly description: string,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.data.emit(chunk));
    socket.on("error", (err) => (this.lastError = err));
    socket.on("close", () => this.finish());
  }

  get isOpen(): boolean {
    return !this.done && !this.socket.destroyed;
  }

  write(data: Buffer | string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new GatewayError("LINK_LOST", `${this.description} is closed`));
    return new Promise((resolve, reject) => {
      this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data, (err) =>
        err ? reject(new GatewayError("LINK_LOST", `write to ${this.description} failed`, { cause: err })) : resolve(),
      );
    });
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }

  onClose(fn: (info: LinkCloseInfo) => void): () => void {
    return this.closed.add(fn);
  }

  close(): Promise<void> {
    this.closing = true;
    if (this.done) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 500).unref();
    });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const info: LinkCloseInfo = { intentional: this.closing };
    if (!this.closing) info.error = this.lastError ?? new Error("connection closed by the port server");
    this.closed.emit(info);
    this.closed.clear();
    this.data.clear();
  }
}

export function tcpLinkFactory(host: string, port: number, connectTimeoutMs = 5000): ByteLinkFactory {
  const description = `tcp://${host}:${port}`;
  return () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error("connect timeout")), connectTimeoutMs);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new GatewayError("LINK_OPEN_FAILED", `cannot connect to ${description}: ${err.message}`, { cause: err }));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new TcpLink(socket, description));
      });
    });
}
