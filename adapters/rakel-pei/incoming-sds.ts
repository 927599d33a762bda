import type { ReceivedSds } from "../../src/ports/radio-terminal.js";
import type { Logger } from "../../src/shared/logger.js";
import { decodeSds } from "./sds/decode.js";
import type { IncomingSdsUrc } from "./urc/pei-urcs.js";

/**
 * Turns each `+CTSDSR` into a typed event. Undecodable data becomes kind `unknown` with the raw hex, so
 * nothing received is lost; the same SDS repeated by the radio within the window is suppressed (an Azart
 * gateway saw every SDS several times, pei.md 4.2).
 */
export class IncomingSdsHandler {
  private readonly seen = new Map<string, number>();
  /** Bound on remembered keys, so an SDS flood cannot grow memory (catalogue #13). */
  private static readonly MAX_KEYS = 4096;
  duplicates = 0;

  constructor(private readonly opts: { log: Logger; dedupWindowMs: number; now?: () => number }) {}

  handle(urc: IncomingSdsUrc): ReceivedSds | undefined {
    const now = (this.opts.now ?? performance.now.bind(performance))();
    const { header, hex } = urc;
    const key = `${header.source ?? "?"}|${header.aiService}|${header.bits}|${hex}`;
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.opts.dedupWindowMs) {
      this.duplicates++;
      this.opts.log.debug({ from: header.source, aiService: header.aiService }, "duplicate SDS suppressed");
      return undefined;
    }
    this.remember(key, now);
    const decoded = decodeSds(header.aiService, hex, header.bits);
    const payload: ReceivedSds["payload"] = decoded.ok
      ? (decoded.value as unknown as ReceivedSds["payload"])
      : { kind: "unknown", protocolId: hex.length >= 2 ? parseInt(hex.slice(0, 2), 16) : null, hex, reason: decoded.reason };
    if (!decoded.ok) this.opts.log.warn({ from: header.source, reason: decoded.reason }, "SDS not decodable; passed on as unknown");
    const sds: ReceivedSds = { to: header.destination, aiService: header.aiService, bits: header.bits, hex, payload, receivedAt: new Date() };
    if (header.source !== undefined) sds.from = header.source;
    this.opts.log.info({ from: sds.from, to: sds.to, kind: payload.kind, bits: sds.bits }, "sds received");
    return sds;
  }

  private remember(key: string, now: number): void {
    if (this.seen.size >= IncomingSdsHandler.MAX_KEYS) {
      for (const [k, t] of this.seen) if (now - t >= this.opts.dedupWindowMs) this.seen.delete(k);
      if (this.seen.size >= IncomingSdsHandler.MAX_KEYS) this.seen.delete(this.seen.keys().next().value!);
    }
    this.seen.set(key, now);
  }
}
