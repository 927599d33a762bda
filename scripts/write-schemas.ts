/** Writes the JSON Schema files in firmware-config/schema/ from the TypeBox definitions (one source of truth). */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { TerminalProfileSchema } from "../adapters/rakel-pei/terminal-profile.js";

const out = resolve(import.meta.dirname, "../firmware-config/schema/terminal-profile.schema.json");
writeFileSync(out, JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", title: "Rakel terminal profile", ...TerminalProfileSchema }, null, 2) + "\n");
console.log(`wrote ${out}`);
