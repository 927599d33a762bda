import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TalkgroupCheckReport } from "../../../src/talkgroups/check-report.js";
import { summarise } from "../../../src/talkgroups/check-report.js";
import { JsonlCheckStore } from "../../../src/talkgroups/check-store.js";
import { nextDailyRun, parseDailyTime } from "../../../src/talkgroups/daily-schedule.js";

const root = mkdtempSync(join(tmpdir(), "rakelgw-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

export function fakeReport(issi = "2001234", version = "1"): TalkgroupCheckReport {
  return {
    terminal: { name: "t", itsi: null, issi, manufacturer: null, model: null, firmware: null, mode: "tmo", modeCode: 0, selectedGroup: "9001" },
    plan: { name: "P", version },
    method: "list",
    groups: [],
    summary: summarise([], true),
    restored: true,
    checkedAt: "2025-03-01T10:00:00.000Z",
    durationMs: 5,
    restore: { changed: false, restored: true, detail: "nothing was changed", original: { modeCode: 0, group: "9001" }, final: { modeCode: 0, group: "9001" } },
  };
}

describe("JsonlCheckStore", () => {
  it("appends one JSON line per check with time, terminal identity and plan version, in a private file", async () => {
    const dir = join(root, "a", "state");
    const store = new JsonlCheckStore({ dir });
    await store.append("2001234", fakeReport("2001234", "1"));
    await Promise.all([store.append("2001235", fakeReport("2001235", "2")), store.append("2001234", fakeReport("2001234", "3"))]);
    const lines = readFileSync(store.path, "utf8").trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ recordVersion: 1, terminalId: "2001234", checkedAt: "2025-03-01T10:00:00.000Z", plan: { version: "1" }, terminal: { issi: "2001234" } });
    expect((await store.latest("2001234"))!.plan.version).toBe("3");
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
  });

  it("starts a fresh line after a record torn by a power cut and skips the torn one when reading", async () => {
    const store = new JsonlCheckStore({ dir: join(root, "b") });
    await store.append("x", fakeReport("1", "1"));
    appendFileSync(store.path, '{"recordVersion":1,"terminalId":"x","plan":{"ver');
    await store.append("x", fakeReport("1", "2"));
    const all = await store.readAll();
    expect(all.map((r) => r.plan.version)).toEqual(["1", "2"]);
  });

  it("reads an absent file as empty and reports an unwritable directory as STORE_WRITE_FAILED", async () => {
    expect(await new JsonlCheckStore({ dir: join(root, "none") }).readAll()).toEqual([]);
    const file = join(root, "a-file");
    appendFileSync(file, "x");
    await expect(new JsonlCheckStore({ dir: join(file, "sub") }).append("x", fakeReport())).rejects.toMatchObject({ code: "STORE_WRITE_FAILED" });
  });
});

describe("daily schedule", () => {
  it("parses HH:MM and rejects anything else", () => {
    expect(parseDailyTime("03:30")).toEqual({ hour: 3, minute: 30 });
    for (const bad of ["3:30", "24:00", "12:60", "nightly", ""]) expect(() => parseDailyTime(bad)).toThrow(/is not a time of day HH:MM/);
  });

  it("finds the next run later today or tomorrow, in local time", () => {
    const now = new Date(2025, 2, 1, 2, 0, 0);
    expect(nextDailyRun(now, { hour: 3, minute: 30 })).toEqual(new Date(2025, 2, 1, 3, 30));
    expect(nextDailyRun(new Date(2025, 2, 1, 3, 30), { hour: 3, minute: 30 })).toEqual(new Date(2025, 2, 2, 3, 30));
    expect(nextDailyRun(new Date(2025, 11, 31, 23, 0), { hour: 0, minute: 5 })).toEqual(new Date(2026, 0, 1, 0, 5));
  });
});
