/**
 * SDS-TL delivery status (EN 300 392-2 clause 29.4.3.2, table 29.16; docs/pei.md §5.5). The top three bits give
 * the class; names follow the table, paraphrased.
 */

/** Class of a delivery status, from its top three bits (table 29.16). */
export type DeliveryStatusClass = "success" | "temporary" | "failure" | "flow-control" | "end-to-end" | "reserved";

const NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, "receipt acknowledged by destination"],
  [0x01, "receipt report acknowledged"],
  [0x02, "consumed by destination"],
  [0x03, "consumed report acknowledged"],
  [0x04, "forwarded to external network"],
  [0x05, "sent to group, acknowledgements prevented"],
  [0x06, "concatenation part received by destination"],
  // docs/pei.md §5.5 and ftl-pei say plain "congestion"; as recalled from table 29.16 (not re-verified) the whole
  // 001xxxxx class means the SwMI holds the message, hence the longer name.
  [0x20, "congestion, message stored by SwMI"],
  [0x21, "message stored by SwMI"],
  [0x22, "destination not reachable, message stored by SwMI"],
  [0x40, "network overload"],
  [0x41, "service permanently not available"],
  [0x42, "service temporarily not available"],
  [0x43, "source not authorised for SDS"],
  [0x44, "destination not authorised for SDS"],
  [0x45, "unknown destination, gateway or service centre address"],
  [0x46, "unknown forward address"],
  [0x47, "group address with individual service"],
  [0x48, "validity period expired, message not received"],
  [0x49, "validity period expired, message not consumed"],
  [0x4a, "delivery failed"],
  [0x4b, "destination not registered"],
  [0x4c, "destination queue full"],
  [0x4d, "message too long for destination or gateway"],
  [0x4e, "destination does not support SDS-TL"],
  [0x4f, "destination host not connected"],
  [0x50, "protocol not supported"],
  [0x51, "data coding scheme not supported"],
  [0x52, "destination memory full, message discarded"],
  [0x53, "destination not accepting SDS"],
  [0x54, "concatenated message too long"],
  [0x56, "destination address administratively prohibited"],
  [0x57, "cannot route to external network"],
  [0x58, "unknown external subscriber number"],
  [0x59, "negative report acknowledgement"],
  [0x5a, "destination not reachable, delivery failed"],
  [0x5b, "text distribution error, message discarded"],
  [0x5c, "corrupt information element, message discarded"],
  [0x5d, "not all concatenation parts received"],
  [0x5e, "destination engaged in another service (reported by SwMI)"],
  [0x5f, "destination engaged in another service (reported by destination)"],
  [0x60, "destination memory full"],
  [0x61, "destination memory available"],
  [0x62, "start pending messages"],
  [0x63, "no pending messages"],
  [0x80, "stop sending"],
  [0x81, "start sending"],
]);

const CLASS_BY_TOP_BITS: readonly DeliveryStatusClass[] = [
  "success", // 000xxxxx
  "temporary", // 001xxxxx
  "failure", // 010xxxxx data transfer failed
  "flow-control", // 011xxxxx (ftl-pei compares with 0x06 here, docs/pei.md §5.5)
  "end-to-end", // 100xxxxx
  "reserved",
  "reserved",
  "reserved",
];

/** Class of a delivery status (0–255). Out-of-range input is `reserved`. */
export function deliveryStatusClass(status: number): DeliveryStatusClass {
  if (!Number.isInteger(status) || status < 0 || status > 0xff) return "reserved";
  return CLASS_BY_TOP_BITS[status >> 5] ?? "reserved";
}

/** Human-readable name of a delivery status; unlisted values read e.g. `failure 0x55 (reserved)`. */
export function deliveryStatusName(status: number): string {
  const name = NAMES.get(status);
  if (name !== undefined) return name;
  const hex = Number.isInteger(status) && status >= 0 && status <= 0xff ? `0x${status.toString(16).toUpperCase().padStart(2, "0")}` : String(status);
  return `${deliveryStatusClass(status)} ${hex} (reserved)`;
}

/** True for 0x00–0x1F: the message (or part) got through. */
export function isDeliverySuccess(status: number): boolean {
  return deliveryStatusClass(status) === "success";
}

/** True for 0x20–0x3F: the SwMI holds the message; a final report may follow. */
export function isDeliveryTemporary(status: number): boolean {
  return deliveryStatusClass(status) === "temporary";
}

/** True for 0x40–0x5F: data transfer failed; the message will not be delivered. */
export function isDeliveryFailure(status: number): boolean {
  return deliveryStatusClass(status) === "failure";
}
