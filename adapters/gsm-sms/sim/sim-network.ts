import { encodeDeliver, encodeStatusReport, gsm7ToText, splitText } from "../pdu/index.js";
import type { SimModemContext } from "./sim-behaviour.js";
import type { SimRecipientBehaviour } from "./sim-modem-config.js";
import { freeIndex, type SentSms } from "./sim-modem-state.js";

/**
 * The network behind the simulated modem: status reports for submitted parts (TS 23.040 9.2.2.3) and
 * incoming SMS-DELIVER PDUs, routed to the host as `+CNMI` says (27.005 §3.4.1): stored with `+CMTI`/`+CDSI`,
 * or directly as `+CMT`/`+CDS` with the PDU on the next line.
 */

/** TPDU length of a PDU with an SMSC field in front (the `<length>` of `+CMT`, `+CMGR`, `+CDS`). */
export function tpduLength(hex: string): number {
  return hex.length / 2 - 1 - parseInt(hex.slice(0, 2), 16);
}

/** Hands one PDU to the host: `SM` = a message (`<mt>`), `SR` = a status report (`<ds>`). Returns the storage index, if stored. */
export function routeToHost(ctx: SimModemContext, memory: "SM" | "SR", hex: string): number | undefined {
  const { state, config } = ctx;
  const length = tpduLength(hex);
  const mode = memory === "SM" ? state.v.cnmi.mt : state.v.cnmi.ds;
  if (memory === "SM" && mode === 2) {
    ctx.unsolicited([`+CMT: ,${length}`, hex]);
    return undefined;
  }
  if (memory === "SR" && mode === 1) {
    ctx.unsolicited([`+CDS: ${length}`, hex]);
    return undefined;
  }
  if (memory === "SR" && mode !== 2) return undefined; // ds=0: no status reports to the TE
  const index = freeIndex(state, config.storageSize);
  if (index === undefined) return undefined; // memory full: the SC keeps it (not simulated further)
  state.storage.set(index, { stat: 0, memory, hex, length });
  if (mode !== 0) ctx.unsolicited([memory === "SM" ? `+CMTI: "SM",${index}` : `+CDSI: "SR",${index}`]);
  return index;
}

/** Status reports the network sends for one submitted part, by the recipient's behaviour. */
export function scheduleReports(ctx: SimModemContext, sent: SentSms, behaviour: SimRecipientBehaviour): void {
  if (!sent.statusReport || behaviour.kind === "silent") return;
  const delay = "reportDelayMs" in behaviour && behaviour.reportDelayMs !== undefined ? behaviour.reportDelayMs : ctx.config.reportDelayMs;
  const report = (status: number): void => {
    const now = new Date();
    routeToHost(ctx, "SR", encodeStatusReport({ messageReference: sent.reference, recipient: sent.to, timestamp: sent.at, dischargeTime: now, status }));
  };
  switch (behaviour.kind) {
    case "deliver":
      return ctx.schedule(delay, () => report(0x00));
    case "pending-then-deliver":
      ctx.schedule(delay, () => report(0x21));
      return ctx.schedule(delay * 2, () => report(0x00));
    case "fail":
      return ctx.schedule(delay, () => report(behaviour.status ?? 0x41));
  }
}

/** How an incoming SMS arrives (`SimModem.deliverSms`). */
export interface DeliverSmsOptions {
  /** The sender is a name (alphanumeric originator, TS 23.040 9.1.2.5), e.g. "Larmcentral". */
  alphanumeric?: boolean;
  /** Order in which the parts arrive (1-based), e.g. [2, 1]; default in order. */
  order?: number[];
  /** Parts that never arrive (1-based): the message stays incomplete. */
  omit?: number[];
  /** Concatenation reference; default a running counter. */
  reference?: number;
  /** Service-centre time stamp; default now. */
  timestamp?: Date;
}

/** The SMS-DELIVER PDUs of one incoming message, split as a phone would (153 GSM-7 / 67 UCS-2 per part). */
export function deliverPdus(from: string, text: string, reference: number, o: DeliverSmsOptions): string[] {
  const split = splitText(text, 6);
  const texts = split.coding === "gsm7" ? split.parts.map((p) => gsm7ToText(p)) : split.parts;
  const total = texts.length;
  const timestamp = o.timestamp ?? new Date();
  const one = (t: string, sequence: number): string =>
    encodeDeliver({
      from,
      text: t,
      timestamp,
      ...(o.alphanumeric ? { alphanumeric: true } : {}),
      ...(total > 1 ? { concat: { reference, total, sequence, referenceBits: 8 as const } } : {}),
    });
  const pdus = texts.map((t, i) => one(t, i + 1));
  const order = o.order ?? pdus.map((_, i) => i + 1);
  return order.filter((n) => !(o.omit ?? []).includes(n)).map((n) => pdus[n - 1]!).filter((p) => p !== undefined);
}
