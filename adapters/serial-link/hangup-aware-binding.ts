import { read as fsRead } from "node:fs";
import { promisify } from "node:util";
import { autoDetect, BindingsError, LinuxBinding, type BindingInterface, type BindingPortInterface, type LinuxBindingInterface, type LinuxPortBinding } from "@serialport/bindings-cpp";

/**
 * The serialport binding for Linux, with a read that notices a hung-up tty.
 *
 * When a tty is hung up (a USB serial adapter unplugged, the master of a pseudo-terminal closed), the kernel
 * gives every open file of it the hung-up operations: read() returns 0 at once, write() fails with EIO,
 * poll() reports POLLHUP. serialport 13's Linux read treats a 0-byte read as "nothing yet, read again", so a
 * read that was past its poll when the hang-up came re-reads 0 bytes forever: the link stays "open", and the
 * loss is noticed only by the next write (an AT command in flight waits for its timeout first). Reads that
 * were waiting in poll() get the hang-up as an error and were never affected. Known upstream:
 * serialport/bindings-cpp issue #162 (open; its fix, pull request #164, was closed unmerged).
 *
 * Here a 0-byte read is what it means on a tty opened with VMIN=1 and O_NONBLOCK (no data gives EAGAIN):
 * end of file, so the read fails with a disconnect error and the stream closes as for any unplug.
 * Everything else (open, write, drain, flush, modem lines) is serialport's own.
 */
export const HANGUP_READ_CODE = "EHANGUP";

type ReadResult = { buffer: Buffer; bytesRead: number };
type FsRead = (fd: number, buffer: Buffer, offset: number, length: number, position: null) => Promise<{ bytesRead: number }>;

const readAsync: FsRead = promisify(fsRead);
const RETRY_CODES = new Set(["EAGAIN", "EWOULDBLOCK", "EINTR"]);

/** The read's answer to a hung-up tty; `disconnect` as serialport marks its own disconnect errors. */
class HangupError extends Error {
  readonly code = HANGUP_READ_CODE;
  readonly canceled = false;
  readonly disconnect = true;
  constructor() {
    super("device hung up (read returned end of file)");
  }
}

/** One open Linux port; `read` is ours, the rest delegates to serialport's binding. */
export class HangupAwarePort implements BindingPortInterface {
  constructor(
    private readonly inner: LinuxPortBinding,
    private readonly fsReadAsync: FsRead = readAsync,
  ) {}

  get openOptions() {
    return this.inner.openOptions;
  }
  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<ReadResult> {
    if (buffer.length < offset + length) throw new RangeError("buffer is too small");
    for (;;) {
      const fd = this.inner.fd;
      // serialport's stream takes `canceled` as "closed on purpose", not as a disconnect.
      if (!this.inner.isOpen || fd === null) throw new BindingsError("Port is not open", { canceled: true });
      let bytesRead: number;
      try {
        ({ bytesRead } = await this.fsReadAsync(fd, buffer, offset, length, null));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // Any other error closes the stream as a disconnect (serialport's stream treats all but `canceled` so).
        if (!RETRY_CODES.has(e.code ?? "")) throw e;
        if (!this.inner.isOpen) throw new BindingsError("Port is not open", { canceled: true });
        await this.readable();
        continue;
      }
      if (bytesRead === 0) throw new HangupError();
      return { buffer, bytesRead };
    }
  }

  write(buffer: Buffer): Promise<void> {
    return this.inner.write(buffer);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  update(options: Parameters<LinuxPortBinding["update"]>[0]): Promise<void> {
    return this.inner.update(options);
  }
  set(options: Parameters<LinuxPortBinding["set"]>[0]): Promise<void> {
    return this.inner.set(options);
  }
  get(): ReturnType<LinuxPortBinding["get"]> {
    return this.inner.get();
  }
  getBaudRate(): Promise<{ baudRate: number }> {
    return this.inner.getBaudRate();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  drain(): Promise<void> {
    return this.inner.drain();
  }

  private readable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.inner.poller.once("readable", (err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}

/** Linux: serialport's binding with {@link HangupAwarePort}; elsewhere serialport's own binding. */
export const hangupAwareBinding: BindingInterface =
  process.platform === "linux"
    ? {
        list: () => LinuxBinding.list(),
        open: async (options: Parameters<LinuxBindingInterface["open"]>[0]) => new HangupAwarePort(await LinuxBinding.open(options)),
      }
    : autoDetect();
