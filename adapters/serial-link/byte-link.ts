/**
 * A byte link is an open, bidirectional byte stream to one device: a serial port (tty or pty), a TCP
 * serial server, or the in-memory end of a simulator. It is opened by a `ByteLinkFactory`; once closed it
 * is never reopened — the managed link asks the factory for a fresh one.
 *
 *   ByteLinkFactory ──open()──► ByteLink ──data──► tokenizer ──► AT engine
 *                                   ▲ write                         │
 *                                   └───────────────────────────────┘
 */
export type Unsubscribe = () => void;

export interface LinkCloseInfo {
  /** True when our own `close()` caused it; false for unplug, EOF, I/O error. */
  intentional: boolean;
  error?: Error;
}

export interface ByteLink {
  /** Human-readable description for logs, e.g. `/dev/ttyUSB0@38400`. */
  readonly description: string;
  readonly isOpen: boolean;
  /** Writes; resolves when the bytes were handed to the OS (not drained). Rejects with LINK_LOST when closed. */
  write(data: Buffer | string): Promise<void>;
  onData(fn: (chunk: Buffer) => void): Unsubscribe;
  /** Called once, when the link closes for any reason. */
  onClose(fn: (info: LinkCloseInfo) => void): Unsubscribe;
  close(): Promise<void>;
}

export type ByteLinkFactory = () => Promise<ByteLink>;

/** Small listener set used by every link implementation. */
export class Listeners<A extends unknown[]> {
  private readonly fns = new Set<(...args: A) => void>();
  add(fn: (...args: A) => void): Unsubscribe {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  emit(...args: A): void {
    for (const fn of [...this.fns]) fn(...args);
  }
  clear(): void {
    this.fns.clear();
  }
  get size(): number {
    return this.fns.size;
  }
}
