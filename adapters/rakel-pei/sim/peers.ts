/**
 * What the rest of the network does with an SDS the terminal sent: the simulated destinations. Pure: it
 * plans the reports that come back; the terminal schedules them and routes them like any incoming SDS.
 *
 * Reports follow EN 300 392-2 clause 29 (docs/pei.md §5.5, §5.7): an SDS-REPORT echoes the transfer's PID and
 * reference with delivery status 0x00 received / 0x02 consumed; an SDS-SHORT-REPORT (AI service 13,
 * 0x7C00 | type << 8 | ref) is allowed only when the service-selection bit was 0 (docs/pei.md §5.3).
 */
import { encodeSdsReport, encodeShortReport, type EncodedSds } from "../sds/index.js";
import type { SentSds } from "./behaviour.js";
import type { SimPeerBehaviour, SimTerminalConfig } from "./sim-config.js";

/** One report a peer (or the SwMI on its behalf) sends back. */
export interface PlannedReport {
  delayMs: number;
  /** Calling party of the `+CTSDSR` (the destination of the original SDS). */
  from: string;
  pdu: EncodedSds;
}

/** Delivery status "destination not registered" (table 29.16, docs/pei.md §5.5). */
export const DESTINATION_NOT_REGISTERED = 0x4b;

/** Behaviour of a destination SSI. */
export function peerBehaviour(config: SimTerminalConfig, ssi: string): SimPeerBehaviour {
  return config.peers[ssi] ?? config.defaultPeer;
}

/** True when the air interface fails for this destination (`unreachable` with `via: "air-failure"`). */
export function failsOnAir(config: SimTerminalConfig, sent: Pick<SentSds, "ssi" | "toGroup">): boolean {
  if (sent.toGroup) return false;
  const p = peerBehaviour(config, sent.ssi);
  return p.kind === "unreachable" && p.via === "air-failure";
}

/** Reports that follow a successfully transmitted SDS; empty for groups, statuses and unrequested reports. */
export function planReports(config: SimTerminalConfig, sent: SentSds): PlannedReport[] {
  const d = sent.decoded;
  // Groups never report (docs/pei.md §3.3); only SDS-TL transfers can ask for a report (docs/pei.md §5.2).
  if (sent.toGroup || sent.transmission !== "sent" || d === undefined) return [];
  if (d.kind !== "text" && d.kind !== "concatenated-part" && !(d.kind === "unknown" && d.messageType === 0)) return [];
  const request = d.deliveryReportRequest ?? "none";
  const ref = d.messageReference;
  const pid = d.protocolId;
  if (request === "none" || typeof ref !== "number" || pid === null || pid < 0x80) return [];

  const peer = peerBehaviour(config, sent.ssi);
  const from = sent.ssi;
  switch (peer.kind) {
    case "silent":
      return [];
    case "unreachable":
      if (peer.via === "air-failure") return [];
      return [{ delayMs: config.reportDelayMs, from, pdu: encodeSdsReport({ protocolId: pid, ackRequired: false, deliveryStatus: DESTINATION_NOT_REGISTERED, messageReference: ref }) }];
    case "deliver": {
      const first = peer.reportDelayMs ?? config.reportDelayMs;
      const second = first + (peer.consumeDelayMs ?? config.reportDelayMs);
      const serviceSelection = "serviceSelection" in d ? d.serviceSelection : undefined;
      const short = peer.shortReport === true && serviceSelection === 0;
      const report = (kind: "received" | "consumed"): EncodedSds =>
        short ? encodeShortReport(kind, ref) : encodeSdsReport({ protocolId: pid, ackRequired: false, deliveryStatus: kind === "received" ? 0x00 : 0x02, messageReference: ref });
      const out: PlannedReport[] = [];
      if (request === "received" || request === "both") out.push({ delayMs: first, from, pdu: report("received") });
      if (request === "consumed" || request === "both") out.push({ delayMs: request === "both" ? second : first, from, pdu: report("consumed") });
      return out;
    }
  }
}
