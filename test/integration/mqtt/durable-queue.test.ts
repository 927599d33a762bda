import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DurableQueue, JOURNAL_FILE, type DroppedReport } from "../../../adapters/mqtt/uplink/durable-queue.js";
import { decodeRecord, encodeRecord } from "../../../adapters/mqtt/uplink/journal-codec.js";
import { silentLogger } from "../../../src/shared/logger.js";

let dir: string;
const opened: DurableQueue[] = [];
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "rakelgw-queue-"))));
afterEach(async () => {
  for (const q of opened.splice(0)) await q.close().catch(() => undefined); // already closed by the test
  rmSync(dir, { recursive: true, force: true });
});

async function open(o: Partial<{ maxMessages: number; maxBytes: number; compactAfter: number }> = {}): Promise<DurableQueue> {
  const q = await DurableQueue.open({ dir, maxMessages: 1000, maxBytes: 1 << 20, log: silentLogger(), ...o });
  opened.push(q);
  return q;
}
const msg = (i: number) => ({ topic: `t/${i}`, payload: Buffer.from(`m${i}`), qos: 1 as const, retain: false });
const topicsOf = (q: DurableQueue): string[] => q.peek(0, 10_000).map((m) => m.topic);

describe("journal codec", () => {
  it("round-trips records and detects a flipped byte", () => {
    const line = encodeRecord({ t: "m", s: 3, tp: "a/b", p: "eA==", q: 1, r: true, at: "x" }).toString("utf8").trimEnd();
    expect(decodeRecord(line)).toEqual({ ok: true, value: { t: "m", s: 3, tp: "a/b", p: "eA==", q: 1, r: true, at: "x" } });
    expect(decodeRecord(line.replace("a/b", "a/c"))).toEqual({ ok: false, reason: "CRC mismatch" });
    expect(decodeRecord("\0\0\0\0\0\0\0\0\0\0\0\0")).toMatchObject({ ok: false });
  });
});

describe("DurableQueue", () => {
  it("removes the temp files an interrupted compaction left, on open, and keeps the journal", async () => {
    const q = await open();
    for (let i = 1; i <= 3; i++) await q.append(msg(i));
    await q.close();
    // pid 4194304 is above the kernel's PID_MAX_LIMIT: the writer of these is certainly gone.
    writeFileSync(join(dir, `${JOURNAL_FILE}.4194304.deadbeef.tmp`), "half a compaction");
    writeFileSync(join(dir, `.${JOURNAL_FILE}.4194304.cafebabe.tmp`), "half a compaction");
    const again = await open();
    expect(topicsOf(again)).toEqual(["t/1", "t/2", "t/3"]);
    expect(readdirSync(dir)).toEqual([JOURNAL_FILE]);
  });

  it("keeps pending messages in order across a reopen", async () => {
    const q = await open();
    for (let i = 1; i <= 5; i++) await q.append(msg(i));
    await q.ack(1);
    await q.ack(2);
    await q.close();
    const again = await open();
    expect(topicsOf(again)).toEqual(["t/3", "t/4", "t/5"]);
    expect(again.headSeq).toBe(3);
    expect(await again.append(msg(6))).toBe(6);
    await again.close();
  });

  it("advances the head only over contiguous acks", async () => {
    const q = await open();
    for (let i = 1; i <= 4; i++) await q.append(msg(i));
    await q.ack(3);
    expect(q.headSeq).toBe(1);
    await q.ack(1);
    expect(q.headSeq).toBe(2);
    await q.ack(2);
    expect(q.headSeq).toBe(4);
    await q.close();
  });

  it("discards a torn last record (power cut mid-write) and keeps everything before it", async () => {
    const q = await open();
    for (let i = 1; i <= 3; i++) await q.append(msg(i));
    await q.close();
    appendFileSync(join(dir, JOURNAL_FILE), '1234abcd {"t":"m","s":4,"tp":"t/4","p":"bT');
    const again = await open();
    expect(topicsOf(again)).toEqual(["t/1", "t/2", "t/3"]);
    expect(await again.append(msg(4))).toBe(4);
    await again.close();
    expect(topicsOf(await open())).toEqual(["t/1", "t/2", "t/3", "t/4"]);
  });

  it("stops at a bad record mid-file, keeps the earlier ones and a copy of the damaged file", async () => {
    const q = await open();
    for (let i = 1; i <= 4; i++) await q.append(msg(i));
    await q.close();
    const path = join(dir, JOURNAL_FILE);
    const lines = readFileSync(path, "utf8").split("\n");
    lines[2] = "\0".repeat(40);
    writeFileSync(path, lines.join("\n"));
    const again = await open();
    expect(topicsOf(again)).toEqual(["t/1", "t/2"]);
    expect(readdirSync(dir).some((f) => f.startsWith(`${JOURNAL_FILE}.corrupt-`))).toBe(true);
    await again.close();
  });

  it("drops the oldest messages at the cap and reports what it dropped", async () => {
    const q = await open({ maxMessages: 3 });
    const reports: DroppedReport[] = [];
    q.on("dropped", (r) => reports.push(r));
    for (let i = 1; i <= 5; i++) await q.append(msg(i));
    expect(topicsOf(q)).toEqual(["t/3", "t/4", "t/5"]);
    expect(reports).toEqual([
      { count: 1, firstSeq: 1, lastSeq: 1, topics: ["t/1"] },
      { count: 1, firstSeq: 2, lastSeq: 2, topics: ["t/2"] },
    ]);
    await q.close();
    expect(topicsOf(await open({ maxMessages: 3 }))).toEqual(["t/3", "t/4", "t/5"]);
  });

  it("enforces the byte cap too", async () => {
    const q = await open({ maxBytes: 10 });
    for (let i = 1; i <= 4; i++) await q.append({ ...msg(i), payload: Buffer.alloc(4) });
    expect(q.size).toBe(2);
    expect(q.totalBytes).toBe(8);
    await q.close();
  });

  it("compacts the journal once enough records are done, without losing pending ones", async () => {
    const q = await open({ compactAfter: 10 });
    for (let i = 1; i <= 30; i++) await q.append(msg(i));
    for (let i = 1; i <= 25; i++) await q.ack(i);
    await q.append(msg(31));
    await q.close();
    const lines = readFileSync(join(dir, JOURNAL_FILE), "utf8").trim().split("\n");
    expect(lines.length).toBeLessThan(30);
    expect(topicsOf(await open())).toEqual(["t/26", "t/27", "t/28", "t/29", "t/30", "t/31"]);
  });

  it("compacts at open a journal of mostly done records (restarts came before compactAfter was reached)", async () => {
    const lineCount = (): number => readFileSync(join(dir, JOURNAL_FILE), "utf8").trim().split("\n").length;
    let seq = 0;
    // Two short runs, each with fewer done records than compactAfter: the running queue never compacts.
    const first = await open({ compactAfter: 100_000 });
    for (let i = 0; i < 450; i++) await first.ack(await first.append(msg(++seq)));
    await first.close();
    const second = await open({ compactAfter: 100_000 });
    expect(lineCount()).toBe(900); // 900 done records at this open: below the threshold, kept
    for (let i = 0; i < 60; i++) await second.ack(await second.append(msg(++seq)));
    await second.append(msg(++seq));
    await second.append(msg(++seq));
    await second.close();
    expect(lineCount()).toBe(1022);
    const q = await open();
    expect(topicsOf(q)).toEqual(["t/511", "t/512"]);
    await q.close();
    expect(lineCount()).toBe(3);
    expect(topicsOf(await open())).toEqual(["t/511", "t/512"]);
  });

  it("group-commits concurrent appends and keeps their order", async () => {
    const q = await open();
    const seqs = await Promise.all(Array.from({ length: 50 }, (_, i) => q.append(msg(i))));
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await q.close();
    expect(topicsOf(await open())).toEqual(Array.from({ length: 50 }, (_, i) => `t/${i}`));
    expect(existsSync(join(dir, JOURNAL_FILE))).toBe(true);
  });
});

describe("a last record cut exactly before its newline (found by `npm run proof -- power-cut`)", () => {
  it("is discarded, so the next append starts on its own line and nothing after it is lost", async () => {
    const q = await open();
    for (let i = 1; i <= 3; i++) await q.append(msg(i));
    await q.close();
    const path = join(dir, JOURNAL_FILE);
    // A complete, valid record for t/4 — but its newline never reached the disk.
    writeFileSync(path, readFileSync(path, "utf8") + encodeRecord({ t: "m", s: 4, tp: "t/4", p: Buffer.from("m4").toString("base64"), q: 1, r: false, at: "" }).toString("utf8").trimEnd());
    const again = await open();
    expect(topicsOf(again)).toEqual(["t/1", "t/2", "t/3"]);
    for (let i = 5; i <= 6; i++) await again.append(msg(i));
    await again.close();
    const third = await open();
    expect(topicsOf(third)).toEqual(["t/1", "t/2", "t/3", "t/5", "t/6"]);
    expect(readdirSync(dir).filter((f) => f.includes(".corrupt-"))).toEqual([]);
  });
});

describe("retained messages supersede their topic's unsent predecessor (found by `npm run proof -- soak`)", () => {
  const state = (topic: string, v: number, size = 30_000) => ({ topic, payload: Buffer.alloc(size, v % 256), qos: 1 as const, retain: true });
  const versionOf = (m: { payload: Buffer }) => m.payload[0];

  it("holds one version per retained topic during an outage, not every one (a 190-recipient alert held 11 MiB)", async () => {
    const q = await open({ maxBytes: 64 << 20 });
    await q.append(msg(1));
    for (let v = 1; v <= 100; v++) {
      await q.append(state("alerts/a", v), 0);
      if (v % 10 === 0) await q.append(msg(100 + v), 0); // not retained: never superseded
    }
    await q.append(state("alerts/b", 7), 0);
    const left = q.peek(0, 1000);
    expect(left.map((m) => m.topic)).toEqual(["t/1", ...Array.from({ length: 9 }, (_, i) => `t/${110 + i * 10}`), "alerts/a", "t/200", "alerts/b"]);
    expect(versionOf(left.find((m) => m.topic === "alerts/a")!)).toBe(100);
    expect(q.totalBytes).toBe(2 * 30_000 + 2 + 10 * 4);
    await q.close();
  });

  it("keeps a version already handed to the broker (seq below supersedeFrom) until its PUBACK", async () => {
    const q = await open();
    const first = await q.append(state("alerts/a", 1), 0);
    const second = await q.append(state("alerts/a", 2), first + 1); // the first is in flight
    const third = await q.append(state("alerts/a", 3), first + 1); // the second was not sent yet: superseded
    expect(q.peek(0, 10).map((m) => m.seq)).toEqual([first, third]);
    await q.ack(second); // a late PUBACK of a superseded version changes nothing
    expect(q.size).toBe(2);
    await q.ack(first);
    expect(q.headSeq).toBe(third);
    await q.ack(third);
    expect(q.size).toBe(0);
    expect(q.totalBytes).toBe(0);
    await q.close();
  });

  it("supersedes none by default, and again when it reopens the journal (nothing is in flight then)", async () => {
    const q = await open();
    for (let v = 1; v <= 5; v++) await q.append(state("alerts/a", v, 10));
    expect(q.size).toBe(5);
    await q.append(msg(9));
    await q.close();
    const again = await open();
    expect(again.peek(0, 10).map((m) => [m.topic, versionOf(m)])).toEqual([["alerts/a", 5], ["t/9", 0x6d]]);
    expect(again.headSeq).toBe(5);
    await again.close();
  });

  it("moves the head past a superseded first message, so a reopen does not resend it", async () => {
    const q = await open();
    await q.append(state("alerts/a", 1, 10), 0);
    await q.append(state("alerts/a", 2, 10), 0);
    expect(q.headSeq).toBe(2);
    await q.close();
    const lines = readFileSync(join(dir, JOURNAL_FILE), "utf8").trim().split("\n");
    expect(lines.map((l) => decodeRecord(l)).some((r) => r.ok && r.value.t === "h" && r.value.s === 2)).toBe(true);
  });
});
