import { writeToStream } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { fillPacketLengthCache } from "../../../adapters/mqtt/packet-length-cache.js";

/** Writes a QoS 0 PUBLISH whose payload has `n` bytes and returns the chunk holding its remaining length. */
function lengthField(n: number): Buffer {
  const chunks: Buffer[] = [];
  const sink = { write: (b: Buffer) => (chunks.push(b), true), destroy: () => undefined };
  writeToStream({ cmd: "publish", topic: "x", payload: Buffer.alloc(n), qos: 0, retain: false, dup: false }, sink as unknown as NodeJS.WritableStream);
  return chunks[1]!;
}

describe("mqtt-packet's remaining-length cache", () => {
  it("is filled in one pass, so its entries share a few pool blocks however traffic later interleaves", () => {
    fillPacketLengthCache();
    const blocks = new Set<ArrayBufferLike>();
    const others: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      // Other small allocations between packets, as in a busy process, take pool space in between.
      others.push(Buffer.allocUnsafe(1024));
      const field = lengthField((i * 7919) % 16_000);
      blocks.add(field.buffer);
    }
    // 3 000 packet lengths, cached before the traffic: their fields sit in about sixteen 8 KiB blocks. Filled
    // one length at a time instead, each would have started a block of its own among the 1 KiB allocations (hundreds of blocks).
    expect(blocks.size).toBeLessThanOrEqual(20);
    expect(others).toHaveLength(3000);
  });

  it("encodes every length as before (the fill only warms the cache)", () => {
    fillPacketLengthCache();
    expect([...lengthField(0)]).toEqual([3]);
    expect([...lengthField(125)]).toEqual([128, 1]);
    expect([...lengthField(16_000)]).toEqual([131, 125]);
  });
});
