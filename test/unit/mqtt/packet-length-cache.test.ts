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
    // 3 000 packet lengths, cached before the traffic: their fields sit in a few dozen 8 KiB blocks (the
    // fill also allocates each packet's 2-byte topic length, as mqtt-packet's number table is off, so the
    // cached fields take every other slot: 32 blocks, 256 KiB). Filled one length at a time instead, each
    // would have started a block of its own among the 1 KiB allocations (hundreds of blocks).
    expect(blocks.size).toBeLessThanOrEqual(40);
    expect(others).toHaveLength(3000);
  });

  it("leaves mqtt-packet's table of 65 536 two-byte numbers unmade (6.6 MiB of heap per process)", async () => {
    fillPacketLengthCache();
    expect(writeToStream.cacheNumbers).toBe(false);
    // @ts-expect-error: mqtt-packet's numbers module has no type declarations
    const { cache } = (await import("mqtt-packet/numbers.js")) as { cache: Record<number, Buffer> };
    expect(Object.keys(cache)).toHaveLength(0);
    // Numbers are still written right: a topic length and a packet id.
    const chunks: Buffer[] = [];
    const sink = { write: (b: Buffer | string) => (chunks.push(Buffer.from(b)), true), destroy: () => undefined };
    writeToStream({ cmd: "publish", topic: "ab", payload: Buffer.alloc(1), qos: 1, messageId: 0x1234, retain: false, dup: false }, sink as unknown as NodeJS.WritableStream);
    expect([...Buffer.concat(chunks)]).toEqual([0x32, 7, 0, 2, 0x61, 0x62, 0x12, 0x34, 0]);
  });

  it("encodes every length as before (the fill only warms the cache)", () => {
    fillPacketLengthCache();
    expect([...lengthField(0)]).toEqual([3]);
    expect([...lengthField(125)]).toEqual([128, 1]);
    expect([...lengthField(16_000)]).toEqual([131, 125]);
  });
});
