import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { splitText } from "../../../adapters/gsm-sms/pdu/index.js";
import { gsm7Length } from "../../../src/shared/gsm7/gsm7-alphabet.js";
import { smsParts } from "../../../src/dispatch/text-parts.js";

const root = join(import.meta.dirname, "..", "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith(".ts"))
    .map((d) => join(d.parentPath, d.name));
}

describe("one GSM-7 codec (src/shared/gsm7)", () => {
  it("the GSM-7 alphabet is spelled out in exactly one source file", () => {
    // A row of the default table (TS 23.038 6.2.1) as any copy would write it.
    const marker = /ΦΓΛΩΠΨΣΘΞ/;
    const holders = [...sourceFiles("src"), ...sourceFiles("adapters")].filter((f) => marker.test(readFileSync(f, "utf8")));
    expect(holders.map((f) => f.slice(root.length + 1))).toEqual(["src/shared/gsm7/gsm7-alphabet.ts"]);
  });

  it("the alert part counter and the SMS PDU splitter agree", () => {
    const texts = ["LARM", "€".repeat(80), "€".repeat(81), "a".repeat(160), "a".repeat(161), "å".repeat(306), "å".repeat(307), "Ж".repeat(70), "Ж".repeat(71), "x{y}".repeat(50)];
    for (const text of texts) expect(smsParts(text), text.slice(0, 8)).toBe(splitText(text, 6).parts.length);
    expect(gsm7Length("€")).toBe(2);
  });
});
