import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InboxStore, pduKey } from "../../../adapters/gsm-sms/inbox-store.js";

const part = (key: string, sequence: number) => ({
  key,
  modem: "m",
  receivedAt: "2024-05-01T08:00:00Z",
  from: "+46701234567",
  sentAt: "2024-05-01T08:00:00Z",
  concat: { reference: 1, total: 2, sequence },
  text: `part ${sequence}`,
  pdu: "00",
});

describe("InboxStore: on disk before the SIM forgets", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "inbox-"));
    path = join(dir, "inbox.jsonl");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("appends parts, recognises duplicates, and remembers what was handed on across restarts", () => {
    const a = new InboxStore(path);
    a.appendPart(part("k1", 1));
    a.appendPart(part("k2", 2));
    a.appendPart(part("k3", 1));
    a.markEmitted("rx-1", ["k1", "k2"]);
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(4);
    const b = new InboxStore(path);
    expect(b.has("k1")).toBe(true);
    expect(b.has("k9")).toBe(false);
    expect(b.pendingParts().map((p) => p.key)).toEqual(["k3"]);
  });

  it("ignores a torn last line but refuses damage in the middle", () => {
    writeFileSync(path, JSON.stringify({ kind: "part", ...part("k1", 1) }) + "\n");
    appendFileSync(path, '{"kind":"part","key":"k2');
    expect(new InboxStore(path).pendingParts().map((p) => p.key)).toEqual(["k1"]);
    writeFileSync(path, "garbage\n" + JSON.stringify({ kind: "part", ...part("k1", 1) }) + "\n" + JSON.stringify({ kind: "part", ...part("k2", 1) }) + "\n");
    expect(() => new InboxStore(path).has("k1")).toThrow(expect.objectContaining({ code: "STORE_CORRUPT" }) as Error);
  });

  it("keys a PDU by its content, case-insensitively", () => {
    expect(pduKey("00aa")).toBe(pduKey("00AA"));
    expect(pduKey("00AA")).not.toBe(pduKey("00AB"));
  });
});
