/**
 * TP-Status of an SMS-STATUS-REPORT (TS 23.040 9.2.3.15) and what it means for an alert.
 */

/** Outcome class of a TP-ST value. */
export type DeliveryClass = "delivered" | "pending" | "failed";

/** A classified TP-ST value. */
export interface DeliveryStatus {
  /** The raw TP-ST octet. */
  code: number;
  class: DeliveryClass;
  /** Short English description of the code. */
  text: string;
  /** True when the code is reserved or SC-specific (the class then comes from its range only). */
  unspecified: boolean;
}

const TEXTS: ReadonlyMap<number, string> = new Map([
  [0x00, "received by the recipient"],
  [0x01, "forwarded to the recipient, delivery not confirmable"],
  [0x02, "replaced by the service centre"],
  [0x20, "congestion, still trying"],
  [0x21, "recipient busy, still trying"],
  [0x22, "no response from recipient, still trying"],
  [0x23, "service rejected, still trying"],
  [0x24, "quality of service not available, still trying"],
  [0x25, "error in recipient, still trying"],
  [0x40, "remote procedure error"],
  [0x41, "incompatible destination"],
  [0x42, "connection rejected by recipient"],
  [0x43, "not obtainable"],
  [0x44, "quality of service not available"],
  [0x45, "no interworking available"],
  [0x46, "validity period expired"],
  [0x47, "deleted by originating SME"],
  [0x48, "deleted by service centre administration"],
  [0x49, "message does not exist"],
  [0x60, "congestion, service centre gave up"],
  [0x61, "recipient busy, service centre gave up"],
  [0x62, "no response from recipient, service centre gave up"],
  [0x63, "service rejected, service centre gave up"],
  [0x64, "quality of service not available, service centre gave up"],
  [0x65, "error in recipient, service centre gave up"],
]);

/**
 * Classifies a TP-ST value by its range (TS 23.040 9.2.3.15):
 * 0x00–0x1F transaction completed → delivered; 0x20–0x3F temporary error, SC still trying → pending;
 * 0x40–0x5F permanent error and 0x60–0x7F temporary error with no more attempts → failed.
 * Values with bit 7 set are reserved; we class them as failed so that an alert falls back to another
 * channel instead of waiting for a delivery that may never be confirmed.
 */
export function classifyStatus(code: number): DeliveryStatus {
  const st = code & 0xff;
  const known = TEXTS.get(st);
  let cls: DeliveryClass;
  if (st <= 0x1f) cls = "delivered";
  else if (st <= 0x3f) cls = "pending";
  else cls = "failed";
  const fallback =
    st >= 0x80
      ? "reserved status"
      : cls === "delivered"
        ? "completed (service-centre specific)"
        : cls === "pending"
          ? "temporary error, still trying (service-centre specific)"
          : "failed (service-centre specific)";
  return { code: st, class: cls, text: known ?? fallback, unspecified: known === undefined };
}
