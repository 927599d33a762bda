/**
 * Writes the JSON Schema files in firmware-config/schema/ from the TypeBox definitions (one source of truth).
 * `npx tsx scripts/write-schemas.ts [DIR]` writes to DIR instead; scripts/check-schemas.ts uses that to
 * find drift between the definitions and the committed files.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { ModemProfileSchema } from "../adapters/gsm-sms/modem-profile.js";
import { TerminalProfileSchema } from "../adapters/rakel-pei/terminal-profile.js";
import { GatewayConfigSchema } from "../src/app/gateway-config.js";
import { TalkgroupPlanSchema } from "../src/talkgroups/plan-schema.js";
import { RosterSchema } from "../src/dispatch/roster.js";

const outDir = resolve(process.argv[2] ?? resolve(import.meta.dirname, "../firmware-config/schema"));

function write(file: string, title: string, schema: TSchema): void {
  const out = resolve(outDir, file);
  writeFileSync(out, JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", title, ...schema }, null, 2) + "\n");
  console.log(`wrote ${out}`);
}

write("terminal-profile.schema.json", "Rakel terminal profile", TerminalProfileSchema);
write("modem-profile.schema.json", "GSM/LTE modem profile", ModemProfileSchema);
write("talkgroup-plan.schema.json", "Rakel talk-group plan", TalkgroupPlanSchema);
write("gateway-config.schema.json", "rakelgw daemon configuration", GatewayConfigSchema);
write("roster.schema.json", "rakelgw alert roster (people, channels, roles)", RosterSchema);
