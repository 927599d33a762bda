import { GatewayError } from "../../src/shared/errors.js";
import { type ByteLink, type ByteLinkFactory, type LinkCloseInfo, Listeners } from "./byte-link.js";

/**
 * In-memory byte link pair, as aedes' test helper `duplexPair`: what one end writes the other end
 * receives, asynchronously (next macrotask), like a real port. Used by the simulators for tests and
 * `npm start`.
 */
class MemoryEnd implements ByteLink {
  peer: MemoryEnd | undefined;
  private open = true;
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[LinkCloseInfo]>();

  constructor(readonly description: string) {}

  get isOpen(): boolean {
    return this.open;
  }

  write(data: Buffer | string): Promise<void> {
    if (!this.open) return Promise.reject(new GatewayError("LINK_LOST", `${this.description} is closed`));
    const chunk = typeof data === "string" ? Buffer.from(data, "latin1") : Buffer.from(data);
    const peer = this.peer;
    setImmediate(() => {
      if (peer?.open) peer.data.emit(chunk);
    });
    return Promise.resolve();
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }

  onClose(fn: (info: LinkCloseInfo) => void): () => void {
    return this.closed.add(fn);
  }

  close(): Promise<void> {
    this.shut({ intentional: true });
    this.peer?.shut({ intentional: false, error: new Error("peer closed") });
    return Promise.resolve();
  }

  /** Ends this side without notifying the peer's owner as intentional (unplug). */
  shut(info: LinkCloseInfo): void {
    if (!this.open) return;
    this.open = false;
    this.closed.emit(info);
    this.data.clear();
    this.closed.clear();
  }
}

export function memoryLinkPair(name = "memory"): [ByteLink, ByteLink] {
  const a = new MemoryEnd(`${name}:host`);
  const b = new MemoryEnd(`${name}:device`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * A pluggable in-memory "port": the host side opens it through `factory`, the device (simulator) side is
 * told of each new connection. `unplug()` breaks the current connection as a USB unplug would and makes
 * opening fail until `replug()`.
 */
export class MemoryPort {
  private plugged = true;
  private current: [ByteLink, ByteLink] | undefined;
  private readonly connections = new Listeners<[ByteLink]>();

  constructor(readonly name: string) {}

  /** The simulator subscribes here to get the device end of each connection. */
  onConnection(fn: (deviceEnd: ByteLink) => void): () => void {
    return this.connections.add(fn);
  }

  readonly factory: ByteLinkFactory = () => {
    if (!this.plugged) {
      return Promise.reject(new GatewayError("LINK_OPEN_FAILED", `sim:${this.name} is unplugged`, { context: { errno: "ENOENT" } }));
    }
    const pair = memoryLinkPair(`sim:${this.name}`);
    this.current = pair;
    this.connections.emit(pair[1]);
    return Promise.resolve(pair[0]);
  };

  unplug(): void {
    this.plugged = false;
    const pair = this.current;
    this.current = undefined;
    if (!pair) return;
    const err = new Error("device unplugged");
    (pair[0] as MemoryEnd).shut({ intentional: false, error: err });
    (pair[1] as MemoryEnd).shut({ intentional: false, error: err });
  }

  replug(): void {
    this.plugged = true;
  }

  get isPlugged(): boolean {
    return this.plugged;
  }
}
