import { Duplex } from "node:stream";
import { HeaderScanner, type ScanVerdict } from "./header-scanner.js";

/**
 * A duplex placed between a client's socket and `aedes.handle()`:
 *
 *   socket ──data──► HeaderScanner ──► token bucket ──► push() ──► aedes parser
 *   socket ◄──────────────── write(cb) ◄──────────────────────────── aedes writes
 *
 * - A packet declaring more than `maxPacketBytes`, a malformed length, or a first packet that is not
 *   CONNECT destroys the socket before the chunk reaches aedes: at most one socket read (≤ 64 KiB, libuv's
 *   read size) beyond the previous packets is ever read (reliability S3, docs/reliability.md #30).
 * - PUBLISH packets spend tokens from a bucket (`publishRatePerSecond`, `publishBurst`). A chunk is split at
 *   the first PUBLISH the bucket cannot pay for; the rest is held and the socket paused until tokens return,
 *   so aedes never sees more than a burst at once and a flooding client is slowed by TCP backpressure
 *   (P1; aedes 1.2 crashed with a stack overflow under a 10-client QoS 0 flood).
 * - Writes complete at once, so a subscriber that stops reading never holds a delivery: aedes delivers a
 *   message to all its subscribers before it takes the next from its shared queue (`deliveryConcurrency` at a
 *   time), and a write completed only after a frozen socket drained stopped every client's deliveries until
 *   `drainTimeout` closed it. Instead a client is a slow consumer, closed, when more than `maxOutboundBytes`
 *   stay unsent after a flush, or when its socket has not drained for `drainTimeoutMs`
 *   (docs/reliability.md #29).
 */
export interface GuardOptions {
  maxPacketBytes: number;
  /** PUBLISH packets per second; 0 = unlimited. */
  publishRatePerSecond: number;
  publishBurst: number;
  /** Unsent bytes after a flush beyond which the client is closed as a slow consumer; Infinity: never. */
  maxOutboundBytes: number;
  /** A socket that has not drained this long after it filled is closed as a slow consumer. */
  drainTimeoutMs: number;
  /** Called once before a slow consumer is closed. */
  onSlowConsumer?: (s: { reason: "outbound-overflow" | "drain-timeout"; unsentBytes: number }) => void;
  /** `bytesRead`: all bytes read on the connection; `packetBytesRead`: bytes of the refused packet itself. */
  onViolation: (v: Exclude<ScanVerdict, { ok: true }> & { bytesRead: number; packetBytesRead: number }) => void;
  now?: () => number;
}

/** Who is on the other end; aedes hooks read it through `client.conn`. */
export interface ConnMeta {
  listener: string;
  remoteAddress: string;
  /** Common name of a verified client certificate (TLS listener with client certificates). */
  certCN?: string;
  /** Called once the client got CONNACK 0 (the admission gate stops counting it as pending). */
  loggedIn?: () => void;
}

/** The guard stream for one connection; `meta` is read by the auth hooks. */
export class PacketGuard extends Duplex {
  bytesRead = 0;
  private readonly scanner: HeaderScanner;
  private tokens: number;
  private lastRefill: number;
  private backpressured = false;
  /** Bytes read but held back because the client is over its publish rate. */
  private held: Buffer | undefined;
  private throttle: ReturnType<typeof setTimeout> | undefined;
  private corked = false;
  /** Armed while the socket is over its high-water mark; cleared by its 'drain'. */
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly socket: Duplex,
    readonly meta: ConnMeta,
    private readonly opts: GuardOptions,
  ) {
    super({ allowHalfOpen: false });
    this.scanner = new HeaderScanner(opts.maxPacketBytes);
    this.now = opts.now ?? (() => performance.now());
    this.tokens = opts.publishBurst;
    this.lastRefill = this.now();
    socket.on("data", (chunk: Buffer) => {
      this.bytesRead += chunk.length;
      this.feed(chunk);
    });
    socket.once("end", () => this.push(null));
    socket.once("error", (err: Error) => this.destroy(err));
    socket.once("close", () => this.destroy());
  }

  override _read(): void {
    this.backpressured = false;
    if (!this.held) this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.toSocket(chunk, cb);
  }

  /** mqtt-packet corks the stream around each packet: one socket write per packet, not one per field. */
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.toSocket(Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  /**
   * Writes are corked until the next check phase, so a burst of deliveries to one subscriber leaves in one
   * syscall instead of one per packet (a CPU profile of the broker under QoS 1 load showed 24-27 % in
   * the native writeBuffer before this).
   */
  private toSocket(buf: Buffer, cb: (err?: Error | null) => void): void {
    if (this.socket.destroyed) return cb(new Error("socket closed"));
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      // setImmediate, not nextTick: aedes delivers each message in its own setImmediate, so only an
      // immediate-scheduled uncork gathers the deliveries of one loop turn.
      setImmediate(() => this.flushCork());
    }
    // Done at once, full socket or not: the bytes wait in the socket's buffer, bounded by the checks below.
    if (!this.socket.write(buf)) this.watchDrain();
    cb();
  }

  /** A socket over its high-water mark must drain within `drainTimeoutMs`. */
  private watchDrain(): void {
    if (this.drainTimer || !Number.isFinite(this.opts.maxOutboundBytes)) return;
    this.drainTimer = setTimeout(() => this.slow("drain-timeout"), this.opts.drainTimeoutMs);
    this.socket.once("drain", () => {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    });
  }

  private slow(reason: "outbound-overflow" | "drain-timeout"): void {
    if (this.destroyed) return;
    this.opts.onSlowConsumer?.({ reason, unsentBytes: this.socket.writableLength });
    this.destroy();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.flushCork();
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    clearTimeout(this.throttle);
    this.throttle = undefined;
    clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.held = undefined;
    // aedes writes a refusing CONNACK and destroys the stream one turn later: hand the corked bytes to the
    // kernel first, or the client would see a bare close instead of CONNACK 4/5.
    this.flushCork();
    this.socket.destroy();
    cb(err);
  }

  private flushCork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
    // What the kernel did not take stays in the socket's buffer: a client that lets it grow past the bound
    // does not read, or not fast enough for what it subscribed to.
    if (this.socket.writableLength > this.opts.maxOutboundBytes) this.slow("outbound-overflow");
  }

  /** Scans and forwards as much of `chunk` as the token bucket allows; holds the rest. */
  private feed(chunk: Buffer): void {
    if (this.destroyed) return;
    const rate = this.opts.publishRatePerSecond;
    if (rate > 0) this.refill(rate);
    const verdict = this.scanner.scan(chunk, rate > 0 ? Math.floor(this.tokens) : Infinity);
    if (!verdict.ok) {
      const packetBytesRead = verdict.kind === "too-large" ? chunk.length - verdict.offset : 0;
      this.opts.onViolation({ ...verdict, bytesRead: this.bytesRead, packetBytesRead });
      this.destroy();
      return;
    }
    this.tokens -= verdict.publishes;
    if (verdict.consumed > 0 && !this.push(verdict.consumed === chunk.length ? chunk : chunk.subarray(0, verdict.consumed))) {
      this.backpressured = true;
      this.socket.pause();
    }
    if (verdict.consumed === chunk.length) {
      this.held = undefined;
      return;
    }
    // Over the rate: stop reading (TCP backpressure reaches the client) and retry when a tenth of the burst is back.
    this.held = chunk.subarray(verdict.consumed);
    this.socket.pause();
    const need = Math.max(1, Math.floor(this.opts.publishBurst / 10));
    this.throttle = setTimeout(() => this.release(), Math.max(1, Math.ceil(((need - this.tokens) / rate) * 1000)));
  }

  private release(): void {
    this.throttle = undefined;
    const held = this.held;
    this.held = undefined;
    if (held) this.feed(held);
    if (!this.held && !this.backpressured && !this.destroyed) this.socket.resume();
  }

  private refill(rate: number): void {
    const t = this.now();
    this.tokens = Math.min(this.opts.publishBurst, this.tokens + ((t - this.lastRefill) / 1000) * rate);
    this.lastRefill = t;
  }
}
