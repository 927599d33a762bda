/**
 * Reads only the MQTT fixed headers of a byte stream (MQTT 3.1.1 §2.2: one type byte, then the Remaining
 * Length as 1-4 bytes of 7-bit groups, §2.2.3) and skips the bodies, so a packet's size is known as soon
 * as its first ≤ 5 bytes arrive — long before the body is buffered. aedes (mqtt-packet) has no maximum
 * packet size and buffers a whole 100 MB PUBLISH (docs/reliability.md S3: +102 to +215 MiB per attempt); this
 * scanner lets the guard in front of it refuse the packet after at most one socket read.
 */
export type ScanVerdict =
  /** `consumed`: bytes scanned; less than the chunk when `maxPublishes` stopped the scan before a PUBLISH. */
  | { ok: true; packets: number; publishes: number; consumed: number }
  /** `offset`: where the refused packet starts in this chunk (negative if its header began in an earlier one). */
  | { ok: false; kind: "too-large"; declared: number; packetType: number; offset: number }
  | { ok: false; kind: "malformed"; packetType: number }
  | { ok: false; kind: "first-not-connect"; packetType: number };

/** MQTT control packet types we care about (§2.2.1). */
export const CONNECT = 1;
/** PUBLISH packet type (§3.3). */
export const PUBLISH = 3;

/** Stateful fixed-header scanner for one connection. */
export class HeaderScanner {
  private bodyLeft = 0;
  private headerLen = 0;
  private type = 0;
  private remaining = 0;
  private multiplier = 1;
  private first = true;

  constructor(private readonly maxPacketBytes: number) {}

  /**
   * Scans one chunk; the state carries across chunks (a header may be split anywhere). With `maxPublishes`,
   * stops at the start of the PUBLISH that would exceed it, so the caller can hold the rest back.
   */
  scan(chunk: Uint8Array, maxPublishes = Infinity): ScanVerdict {
    let packets = 0;
    let publishes = 0;
    let i = 0;
    const len = chunk.length;
    while (i < len) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, len - i);
        this.bodyLeft -= take;
        i += take;
        continue;
      }
      if (this.headerLen === 0 && publishes >= maxPublishes && (chunk[i] as number) >> 4 === PUBLISH) break;
      const b = chunk[i++] as number;
      if (this.headerLen === 0) {
        this.type = b >> 4;
        this.headerLen = 1;
        this.remaining = 0;
        this.multiplier = 1;
        continue;
      }
      this.remaining += (b & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.headerLen++;
      if (b & 0x80) {
        // A fifth length byte is a protocol violation (§2.2.3: at most four bytes).
        if (this.headerLen === 5) return { ok: false, kind: "malformed", packetType: this.type };
        continue;
      }
      const total = this.headerLen + this.remaining;
      if (total > this.maxPacketBytes) return { ok: false, kind: "too-large", declared: total, packetType: this.type, offset: i - this.headerLen };
      // [MQTT-3.1.0-1]: the first packet from a client MUST be CONNECT.
      if (this.first && this.type !== CONNECT) return { ok: false, kind: "first-not-connect", packetType: this.type };
      this.first = false;
      packets++;
      if (this.type === PUBLISH) publishes++;
      this.bodyLeft = this.remaining;
      this.headerLen = 0;
    }
    return { ok: true, packets, publishes, consumed: i };
  }
}
