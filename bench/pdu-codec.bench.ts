/**
 * Throughput of the SMS PDU codec: encodes/s (text → SMS-SUBMIT PDUs) and decodes/s (PDU → message),
 * each a plain loop of about one second timed with performance.now(). Run: `npx tsx bench/pdu-codec.bench.ts`.
 */
import { pathToFileURL } from "node:url";
import { decodePdu, encodeDeliver, encodeStatusReport, encodeSubmit } from "../adapters/gsm-sms/pdu/index.js";

const TEXTS = [
  "Larm: Brand i byggnad, Åkervägen 12, Östra Ängby. Kvittera med JA.",
  "Larm: trafikolycka E4 söder, km 23+400. ".repeat(8) + "Samling vid brandstation €.",
  "Inkallning 🚒 RIB-styrka 2, svara JA/NEJ 🙏",
];

function timeLoop(ms: number, step: (i: number) => number): number {
  let sink = 0;
  const warmEnd = performance.now() + ms / 10;
  for (let i = 0; performance.now() < warmEnd; i++) sink += step(i);
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let k = 0; k < 100; k++) sink += step(count++);
    now = performance.now();
  }
  if (sink === -1) console.log("unreachable");
  return Math.round((count * 1000) / (now - start));
}

/** Runs the benchmark, prints the figures and returns them. */
export async function run(): Promise<Record<string, number>> {
  const pdus = [
    ...encodeSubmit({ to: "+46701234567", text: TEXTS[1]!, reference: 1 }).pdus.map((p) => p.hex),
    encodeDeliver({ from: "+46701234567", text: "JA 4711", timestamp: new Date("2024-05-01T08:00:00Z"), offsetMinutes: 120 }),
    encodeDeliver({ from: "+46701234567", text: "NEJ 🙅", timestamp: new Date("2024-05-01T08:00:00Z") }),
    encodeStatusReport({
      messageReference: 42,
      recipient: "+46701234567",
      timestamp: new Date("2024-05-01T08:00:00Z"),
      dischargeTime: new Date("2024-05-01T08:00:03Z"),
      status: 0,
    }),
  ];
  const encodesPerSecond = timeLoop(1000, (i) =>
    encodeSubmit({ to: "+46701234567", text: TEXTS[i % TEXTS.length]!, reference: i & 0xff, statusReport: true }).parts,
  );
  const decodesPerSecond = timeLoop(1000, (i) => (decodePdu(pdus[i % pdus.length]!).ok ? 1 : 0));
  const result = { "pdu.encodes_per_s": encodesPerSecond, "pdu.decodes_per_s": decodesPerSecond };
  console.log(`pdu-codec: ${encodesPerSecond} encodes/s (mixed 1-3 part texts), ${decodesPerSecond} decodes/s (mixed PDUs)`);
  return Promise.resolve(result);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
