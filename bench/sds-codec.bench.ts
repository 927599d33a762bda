/** SDS codec throughput: encodes and decodes per second over a mix of texts, statuses and reports. */
import { decodeSds, encodeStatus, encodeTextParts } from "../adapters/rakel-pei/sds/index.js";

const TEXTS = [
  "Hej",
  "Brand i byggnad, Storgatan 5",
  "Åsa åker över ön med ÅÄÖ åäö é",
  "Samverkanskonferens kl 16:00. Anslut via Rakel RSÄK Sthlm 1 eller telefon 08-123 456 78, kod 4711.",
  "Larm € – kräver UCS-2 🚒",
];

function perSecond(fn: (i: number) => void, ms = 1000): number {
  let n = 0;
  const t0 = performance.now();
  let now = t0;
  while (now - t0 < ms) {
    for (let k = 0; k < 200; k++) fn(n++);
    now = performance.now();
  }
  return Math.round((n / (now - t0)) * 1000);
}

export function run(): Promise<Record<string, number>> {
  const pdus = TEXTS.map((t, i) => encodeTextParts(t, { messageReference: i + 1, group: false, deliveryReport: "received" }).parts[0]!);
  const encodes = perSecond((i) => {
    if (i % 4 === 3) encodeStatus(32768 + (i % 1000));
    else encodeTextParts(TEXTS[i % TEXTS.length]!, { messageReference: (i % 255) + 1, group: false, deliveryReport: "received" });
  });
  const decodes = perSecond((i) => {
    const p = pdus[i % pdus.length]!;
    decodeSds(12, p.hex, p.bits);
  });
  const out = { "sds.encodes_per_s": encodes, "sds.decodes_per_s": decodes };
  for (const [k, v] of Object.entries(out)) console.log(`${k.padEnd(36)} ${v}`);
  return Promise.resolve(out);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
