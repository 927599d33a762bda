import type { ReceivedSds } from "../../src/ports/radio-terminal.js";
import type { Logger } from "../../src/shared/logger.js";
import { decodeSds } from "./sds/decode.js";
import { issiFromItsi } from "../../src/shared/addresses.js";
import { keepNewest } from "../../src/shared/newest-map.js";
import { SdsReassembler, type DroppedSet, type ReassembledText } from "./sds/reassembler.js";
import type { ConcatenatedPartSds } from "./sds/types.js";
import type { IncomingSdsUrc } from "./urc/pei-urcs.js";

/**
 * Turns each `+CTSDSR` into a typed event. Undecodable data becomes kind `unknown` with the raw hex, so
 * nothing received is lost; the same SDS repeated by the radio within the window is suppressed (an Azart
 * gateway saw every SDS several times, docs/pei.md §4.2).
 */
export class IncomingSdsHandler {
  private readonly seen = new Map<string, number>();
  /** Bound on remembered keys, so an SDS flood cannot grow memory (docs/reliability.md #13). */
  private static readonly MAX_KEYS = 4096;
  duplicates = 0;

  private readonly reassembler: SdsReassembler;

  constructor(private readonly opts: { log: Logger; dedupWindowMs: number; now?: () => number; reassemblyTimeoutMs?: number }) {
    const ropts: { timeoutMs: number; now?: () => number } = { timeoutMs: opts.reassemblyTimeoutMs ?? 60_000 };
    if (opts.now) ropts.now = opts.now;
    this.reassembler = new SdsReassembler(ropts);
  }

  /**
   * Feeds a `concatenated-part` to the reassembler. When it completes its set, returns the whole message
   * as one `text` SDS (with `concatenation` details); otherwise undefined. Parts stay events of their own
   * too, so their message references remain visible.
   */
  assemble(part: ReceivedSds): ReceivedSds | undefined {
    if (part.payload.kind !== "concatenated-part" || part.from === undefined) return undefined;
    const r = this.reassembler.add(part.from, part.payload as unknown as ConcatenatedPartSds);
    if (r.status === "rejected") this.opts.log.warn({ from: part.from, reason: r.reason }, "concatenated SDS part rejected");
    if (r.status !== "complete") return undefined;
    return this.whole(part, r.message, false);
  }

  /** Incomplete sets past their timeout, handed on as texts marked incomplete: nothing received is lost. */
  sweep(): ReceivedSds[] {
    return this.reassembler.sweep().map((d) => this.incomplete(d));
  }

  private whole(last: ReceivedSds, m: ReassembledText, incomplete: boolean): ReceivedSds {
    const first = m.parts[0]!;
    this.opts.log.info({ from: m.source, parts: m.total, incomplete }, "concatenated sds reassembled");
    return {
      ...last,
      bits: m.parts.reduce((n, p) => n + p.hex.length * 4, 0),
      hex: m.parts.map((p) => p.hex).join(""),
      payload: {
        kind: "text",
        text: m.text,
        codingScheme: first.codingScheme,
        protocolId: m.protocolId,
        messageReference: first.messageReference,
        deliveryReportRequest: first.deliveryReportRequest,
        immediate: false,
        concatenation: { reference: m.reference, total: m.total, messageReferences: m.messageReferences, incomplete },
      },
    };
  }

  private incomplete(d: DroppedSet): ReceivedSds {
    const first = d.parts[0];
    this.opts.log.warn({ from: d.source, reference: d.reference, missing: d.missing, reason: d.reason }, "concatenated sds incomplete; passed on with gaps");
    return {
      from: d.source,
      to: "",
      aiService: 12,
      bits: d.parts.reduce((n, p) => n + p.hex.length * 4, 0),
      hex: d.parts.map((p) => p.hex).join(""),
      receivedAt: new Date(),
      payload: {
        kind: "text",
        text: d.partialText,
        codingScheme: first?.codingScheme ?? 1,
        protocolId: first?.protocolId ?? 0x8a,
        messageReference: first?.messageReference ?? null,
        deliveryReportRequest: first?.deliveryReportRequest ?? "none",
        immediate: false,
        concatenation: { reference: d.reference, total: d.total, received: d.received, missing: d.missing, incomplete: true, reason: d.reason },
      },
    };
  }

  handle(urc: IncomingSdsUrc): ReceivedSds | undefined {
    const now = (this.opts.now ?? performance.now.bind(performance))();
    const { header, hex } = urc;
    // Only SDS-TL PDUs (PID 0x80-0xFF) carry a message reference, so only they can be told apart from a
    // genuine second message with the same content (docs/pei.md §4.2: source, reference, payload). A status or an
    // emergency sent twice is two events and must never be swallowed.
    const key = `${header.source ?? "?"}|${header.aiService}|${header.bits}|${hex}`;
    const sdsTl = header.aiService === 12 && /^[89A-F]/i.test(hex);
    const last = sdsTl ? this.seen.get(key) : undefined;
    if (last !== undefined && now - last < this.opts.dedupWindowMs) {
      this.duplicates++;
      this.opts.log.debug({ from: header.source, aiService: header.aiService }, "duplicate SDS suppressed");
      return undefined;
    }
    if (sdsTl) this.remember(key, now);
    const decoded = decodeSds(header.aiService, hex, header.bits);
    const payload: ReceivedSds["payload"] = decoded.ok
      ? (decoded.value as unknown as ReceivedSds["payload"])
      : { kind: "unknown", protocolId: hex.length >= 2 ? parseInt(hex.slice(0, 2), 16) : null, hex, reason: decoded.reason };
    if (!decoded.ok) this.opts.log.warn({ from: header.source, reason: decoded.reason }, "SDS not decodable; passed on as unknown");
    const sds: ReceivedSds = { to: header.destination, aiService: header.aiService, bits: header.bits, hex, payload, receivedAt: new Date() };
    if (header.source !== undefined) Object.assign(sds, senderOf(header.source));
    this.opts.log.info({ from: sds.from, to: sds.to, kind: payload.kind, bits: sds.bits }, "sds received");
    return sds;
  }

  /** Keys remembered now (each lives one dedup window). */
  get remembered(): number {
    return this.seen.size;
  }

  // Keys are added in time order (a repeat inside the window is suppressed and not added again; one after it
  // is a new key at the end), so the expired ones are at the head, and each new key first drops them: the map
  // holds about one window's keys, not MAX_KEYS.
  // Sweeping only when it was full let it fill to 4,096 keys (about 570 KiB, the delivery reports of sds/send
  // at 6 a second fill it in 12 minutes) and fall back at each sweep: memory that came and went for nothing.
  private remember(key: string, now: number): void {
    keepNewest(this.seen, key, now, IncomingSdsHandler.MAX_KEYS, (t) => now - t >= this.opts.dedupWindowMs);
  }
}

/**
 * The sender as the gateway publishes it: the ISSI, so it matches `issi:N` requests and rosters, and the
 * full TSI beside it when the terminal named the sender by TSI or extended TSI (docs/pei.md §3.3).
 * Identities that are not digits (other identity types) are passed on as given.
 */
export function senderOf(source: string): { from: string; fromTsi?: string } {
  if (!/^\d+$/.test(source)) return { from: source };
  // The length decides, not the identity type field: some terminals send a TSI with type 0 (an SSI has ≤ 8 digits).
  if (source.length > 8) return { from: issiFromItsi(source), fromTsi: source };
  return { from: String(Number(source)) };
}
