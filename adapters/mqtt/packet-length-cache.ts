import { writeToStream } from "mqtt-packet";

/** mqtt-packet caches the encoded remaining length of packets shorter than this. */
const CACHED_BELOW = 16_384;

let filled = false;

/**
 * Fills mqtt-packet's cache of encoded "remaining length" fields at once, before any traffic.
 *
 * mqtt-packet (under both mqtt.js and aedes) keeps, for every packet length below 16 384 bytes, the 1–2 byte
 * encoding it wrote first, made with `Buffer.allocUnsafe`: a slice of Node's shared 8 KiB buffer pool. Filled
 * one length at a time over hours of traffic, between other allocations, nearly every entry keeps a pool
 * block of its own alive: up to 16 384 × 8 KiB = 128 MiB outside the V8 heap per process, and alert
 * documents, whose length changes with every attempt, reach many lengths. (The soak proof's heap analysis
 * found 993 pinned blocks, 7.8 MiB, after 17 minutes, still growing.) Filled in one pass, the entries share
 * about 32 blocks (256 KiB: the fill's own 2-byte topic lengths take every other slot, since the number
 * table below is off) and the cache never grows again. Costs about 50 ms once per process.
 */
export function fillPacketLengthCache(): void {
  if (filled) return;
  filled = true;
  // mqtt-packet's other cache holds a 2-byte Buffer for each of the 65 536 values of a 16-bit field (topic
  // length, packet id), made on the first write: 6.6 MiB of V8 heap per process, a quarter of the broker's
  // live data, to save one 2-byte allocation per field written. Off before that first write (the switch
  // is mqtt-packet's own, `writeToStream.cacheNumbers`).
  writeToStream.cacheNumbers = false;
  const payload = Buffer.alloc(CACHED_BELOW);
  const sink = { write: () => true, destroy: () => undefined };
  // A QoS 0 PUBLISH to topic "x" has a remaining length of 2 + 1 + payload length.
  for (let length = 3; length < CACHED_BELOW; length++) {
    writeToStream({ cmd: "publish", topic: "x", payload: payload.subarray(0, length - 3), qos: 0, retain: false, dup: false }, sink as unknown as NodeJS.WritableStream);
  }
}
