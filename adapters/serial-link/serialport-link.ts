import { SerialPortStream } from "@serialport/stream";
import { GatewayError } from "../../src/shared/errors.js";
import { type ByteLink, type ByteLinkFactory, type LinkCloseInfo, Listeners } from "./byte-link.js";
import { hangupAwareBinding } from "./hangup-aware-binding.js";

export interface SerialOptions {
  path: string;
  baudRate: number;
  /** RTS/CTS hardware flow control (ftl/tetra-pei opens PEI ports with it; Motorola PMKN4104 cables do not need it). */
  rtscts?: boolean;
}

/**
 * A real tty or pseudo-terminal through the serialport native binding, with a read that fails when the tty
 * hangs up (./hangup-aware-binding.ts): serialport 13's own re-reads a hung-up tty forever.
 */
class SerialPortLink implements ByteLink {
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[LinkCloseInfo]>();
  private closing = false;
  private done = false;

  constructor(
    private readonly port: SerialPortStream,
    readonly description: string,
  ) {
    port.on("data", (chunk: Buffer) => this.data.emit(chunk));
    // serialport emits `close` with an error whose `disconnected` is true when the device vanished
    // (bindings-interface contract); `error` alone may precede it.
    port.on("close", (err?: Error & { disconnected?: boolean }) => this.finish(err ?? undefined));
    port.on("error", (err: Error) => {
      if (!port.isOpen) this.finish(err);
    });
  }

  get isOpen(): boolean {
    return !this.done && this.port.isOpen;
  }

  write(data: Buffer | string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new GatewayError("LINK_LOST", `${this.description} is closed`));
    // Resolves when the binding has taken the bytes. No tcdrain per write: the engine does not need to know
    // the UART emptied, and a drain per command cost about 10 % of command throughput on a pty (bench/engine).
    return new Promise((resolve, reject) => {
      this.port.write(typeof data === "string" ? Buffer.from(data, "latin1") : data, (err) => {
        if (err) return reject(new GatewayError("LINK_LOST", `write to ${this.description} failed`, { cause: err }));
        resolve();
      });
    });
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }

  onClose(fn: (info: LinkCloseInfo) => void): () => void {
    return this.closed.add(fn);
  }

  close(): Promise<void> {
    if (this.done) return Promise.resolve();
    this.closing = true;
    return new Promise((resolve) => {
      if (!this.port.isOpen) {
        this.finish(undefined);
        return resolve();
      }
      this.port.close(() => {
        this.finish(undefined);
        resolve();
      });
    });
  }

  private finish(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    const info: LinkCloseInfo = { intentional: this.closing };
    if (error) info.error = error;
    else if (!this.closing) info.error = new Error("port closed by the device");
    this.closed.emit(info);
    this.closed.clear();
    this.data.clear();
    this.port.removeAllListeners();
    // Keep an error listener so a late native error never becomes an uncaught exception.
    this.port.on("error", () => undefined);
  }
}

export function serialPortFactory(opts: SerialOptions): ByteLinkFactory {
  const description = `${opts.path}@${opts.baudRate}`;
  return () =>
    new Promise((resolve, reject) => {
      const port = new SerialPortStream({ binding: hangupAwareBinding, path: opts.path, baudRate: opts.baudRate, rtscts: opts.rtscts ?? false, autoOpen: false });
      port.on("error", () => undefined);
      port.open((err) => {
        if (err) {
          port.removeAllListeners();
          return reject(new GatewayError("LINK_OPEN_FAILED", `cannot open ${description}: ${err.message}`, { cause: err, context: { path: opts.path } }));
        }
        port.removeAllListeners("error");
        resolve(new SerialPortLink(port, description));
      });
    });
}
