import type { Command } from "commander";
import { encodeStatus } from "../../../adapters/rakel-pei/sds/encode-control.js";
import { encodeTextParts } from "../../../adapters/rakel-pei/sds/concatenate.js";
import { decodeSds } from "../../../adapters/rakel-pei/sds/decode.js";
import { GatewayError } from "../../shared/errors.js";
import { intOption, printJson, usage } from "../output.js";

type ReportOpt = "none" | "received" | "consumed" | "both";

export function parseReport(value: string | undefined): ReportOpt {
  const v = value ?? "none";
  if (v === "none" || v === "received" || v === "consumed" || v === "both") return v;
  throw usage(`--report must be none, received, consumed or both, got "${v}"`);
}

interface EncodeOpts {
  text?: string;
  status?: string;
  report?: string;
  ref?: string;
  group?: boolean;
  immediate?: boolean;
  simple?: boolean;
  maxBits?: string;
  json?: boolean;
}

/** `rakelgw sds encode`: prints `{"aiService": 12|13, "parts": [{"hex", "bits"}]}` (docs/mqtt-interface.md). */
export function sdsEncode(opts: EncodeOpts): void {
  if ((opts.text === undefined) === (opts.status === undefined)) throw usage("give exactly one of --text or --status");
  let result: { aiService: number; parts: { hex: string; bits: number }[] };
  if (opts.status !== undefined) {
    const value = intOption(opts.status, "--status", 0, 0xffff)!;
    const pdu = encodeStatus(value);
    result = { aiService: pdu.aiService, parts: [{ hex: pdu.hex, bits: pdu.bits }] };
  } else {
    const maxBits = intOption(opts.maxBits, "--max-bits", 24, 2047) ?? 668;
    const report = parseReport(opts.report);
    const immediate = opts.immediate ?? false;
    result = opts.simple
      ? encodeTextParts(opts.text!, { simple: true, immediate, maxBits })
      : encodeTextParts(opts.text!, {
          messageReference: intOption(opts.ref, "--ref", 0, 255) ?? 1,
          group: opts.group ?? false,
          deliveryReport: report,
          immediate,
          maxBits,
        });
  }
  if (opts.json) printJson(result);
  else {
    process.stdout.write(`AI service ${result.aiService}, ${result.parts.length} part(s)\n`);
    result.parts.forEach((p, i) => process.stdout.write(`  part ${i + 1}: ${p.bits} bits  ${p.hex}\n`));
  }
}

/** `rakelgw sds decode [--ai-service 12|13] [--bits N] HEX`. */
export function sdsDecode(hex: string, opts: { aiService?: string; bits?: string; json?: boolean }): void {
  const ai = intOption(opts.aiService, "--ai-service", 9, 13) ?? (hex.replace(/\s/g, "").length === 4 ? 13 : 12);
  const bits = intOption(opts.bits, "--bits", 1, 2047);
  const r = decodeSds(ai, hex, bits);
  if (!r.ok) throw new GatewayError("SDS_INVALID", `cannot decode: ${r.reason}`);
  if (opts.json) printJson(r.value);
  else for (const [k, v] of Object.entries(r.value)) process.stdout.write(`${k.padEnd(22)} ${typeof v === "object" ? JSON.stringify(v) : String(v)}\n`);
}

export function registerSdsCodecCommands(sds: Command): void {
  sds
    .command("encode")
    .description("print the PDU(s) of a text or status SDS")
    .option("--text <text>", "text to encode")
    .option("--status <n>", "16-bit pre-coded status (decimal)")
    .option("--report <kind>", "delivery report: none|received|consumed|both", "none")
    .option("--ref <n>", "SDS-TL message reference 0-255", "1")
    .option("--group", "address is a group (service-selection bit 1)")
    .option("--immediate", "immediate text (PID 0x89, or 0x09 with --simple)")
    .option("--simple", "simple text messaging (PID 0x02)")
    .option("--max-bits <n>", "largest PDU in bits (default 668)")
    .option("--json", "JSON output")
    .action((o: EncodeOpts) => sdsEncode(o));
  sds
    .command("decode")
    .description("decode one SDS PDU given as hex")
    .argument("<hex>", "PDU in hex")
    .option("--ai-service <n>", "12 (type 4) or 13 (status); default by length")
    .option("--bits <n>", "PDU length in bits (default: 4 x hex digits)")
    .option("--json", "JSON output")
    .action((hex: string, o: { aiService?: string; bits?: string; json?: boolean }) => sdsDecode(hex, o));
}
