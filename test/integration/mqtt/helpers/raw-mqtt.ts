import { connect, type Socket } from "node:net";

/**
 * Hand-built MQTT 3.1.1 packets for the inputs no well-behaved client library will send: wildcard
 * publish topics, oversized declared lengths, QoS 2 without PUBREL, a subscriber that stops reading.
 */
export function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

const str = (s: string): Buffer => {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};
const packet = (first: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([first, ...remainingLength(body.length)]), body]);

export function connectPacket(o: { clientId: string; username?: string; password?: string; keepalive?: number; clean?: boolean }): Buffer {
  let flags = o.clean === false ? 0 : 0x02;
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const ka = o.keepalive ?? 30;
  const body = Buffer.concat([str("MQTT"), Buffer.from([4, flags, ka >> 8, ka & 0xff]), str(o.clientId), ...(o.username !== undefined ? [str(o.username)] : []), ...(o.password !== undefined ? [str(o.password)] : [])]);
  return packet(0x10, body);
}

export function publishPacket(topic: string, payload: Buffer, o: { qos?: 0 | 1 | 2; id?: number; retain?: boolean } = {}): Buffer {
  const qos = o.qos ?? 0;
  const id = o.id ?? 1;
  return packet(0x30 | (qos << 1) | (o.retain ? 1 : 0), Buffer.concat([str(topic), ...(qos > 0 ? [Buffer.from([id >> 8, id & 0xff])] : []), payload]));
}

/** Only the fixed header and the topic of a PUBLISH that declares `declared` bytes of payload. */
export function publishHeader(topic: string, declared: number): Buffer {
  const t = str(topic);
  return Buffer.concat([Buffer.from([0x30, ...remainingLength(t.length + declared)]), t]);
}

export function subscribePacket(id: number, filter: string, qos: 0 | 1 | 2): Buffer {
  return packet(0x82, Buffer.concat([Buffer.from([id >> 8, id & 0xff]), str(filter), Buffer.from([qos])]));
}

export interface RawPacket {
  type: number;
  body: Buffer;
}

/** A raw client: collects parsed incoming packets; `closed` resolves when the broker drops it. */
export class RawClient {
  readonly packets: RawPacket[] = [];
  readonly closed: Promise<void>;
  private buf = Buffer.alloc(0);

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => this.onData(d));
    socket.on("error", () => undefined);
    this.closed = new Promise((r) => socket.once("close", () => r()));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port }, () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  /** Opens a socket, sends CONNECT and waits for CONNACK; returns the client and the return code. */
  static async connect(port: number, o: Parameters<typeof connectPacket>[0]): Promise<{ client: RawClient; returnCode: number }> {
    const c = await RawClient.open(port);
    c.socket.write(connectPacket(o));
    const ack = await c.next(2, 3000);
    return { client: c, returnCode: ack.body[1] ?? -1 };
  }

  async next(type: number, timeoutMs: number): Promise<RawPacket> {
    const t0 = Date.now();
    for (;;) {
      const i = this.packets.findIndex((p) => p.type === type);
      if (i >= 0) return this.packets.splice(i, 1)[0] as RawPacket;
      if (Date.now() - t0 > timeoutMs || this.socket.destroyed) throw new Error(`no packet of type ${type} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  isClosed(): boolean {
    return this.socket.destroyed || this.socket.readyState === "closed";
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 2) return;
      let len = 0;
      let mult = 1;
      let i = 1;
      let b: number;
      do {
        if (i >= this.buf.length) return;
        b = this.buf[i++] as number;
        len += (b & 0x7f) * mult;
        mult *= 128;
      } while (b & 0x80);
      if (this.buf.length < i + len) return;
      this.packets.push({ type: (this.buf[0] as number) >> 4, body: this.buf.subarray(i, i + len) });
      this.buf = this.buf.subarray(i + len);
    }
  }
}
