import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decidePin, PinStateStore, readPin, type PinDecisionInput, type PinRecord } from "../../../adapters/gsm-sms/pin-guard.js";
import type { GatewayError } from "../../../src/shared/errors.js";

const rejected: PinRecord = { status: "rejected", at: "2024-05-01T08:00:00Z", detail: "CME 16" };
const attempting: PinRecord = { status: "attempting", at: "2024-05-01T08:00:00Z", detail: "sent" };

describe("decidePin: the wrong-PIN rule as a table", () => {
  const base: PinDecisionInput = { cpin: "SIM PIN", record: undefined, attemptsLeft: 3, pinAvailable: true };
  it.each<[string, Partial<PinDecisionInput>, string, string?]>([
    ["SIM ready: nothing to send", { cpin: "READY" }, "none"],
    ["PIN2 does not block SMS", { cpin: "SIM PIN2" }, "none"],
    ["first PIN request with 3 attempts: send once", {}, "enter"],
    ["attempts unknown (no +CPINR): send once", { attemptsLeft: undefined }, "enter"],
    ["2 attempts left: still send", { attemptsLeft: 2 }, "enter"],
    ["1 attempt left: never", { attemptsLeft: 1 }, "refuse", "SIM_PIN_BLOCKED"],
    ["0 attempts left: never", { attemptsLeft: 0 }, "refuse", "SIM_PIN_BLOCKED"],
    ["SIM PUK: never a PIN", { cpin: "SIM PUK" }, "refuse", "SIM_PIN_BLOCKED"],
    ["phone lock: not ours", { cpin: "PH-SIM PIN" }, "refuse", "SIM_PIN_BLOCKED"],
    ["rejected before: never again", { record: rejected }, "refuse", "SIM_PIN_BLOCKED"],
    ["rejected before, even with a fresh SIM counter", { record: rejected, attemptsLeft: 3 }, "refuse", "SIM_PIN_BLOCKED"],
    ["unconfirmed attempt and the SIM still asks: treated as rejected", { record: attempting }, "refuse", "SIM_PIN_BLOCKED"],
    ["no PIN configured", { pinAvailable: false }, "refuse", "SIM_PIN_REQUIRED"],
  ])("%s", (_name, over, action, code) => {
    const d = decidePin({ ...base, ...over });
    expect(d.action).toBe(action);
    if (d.action === "refuse") expect(d.code).toBe(code);
  });

  it("an unconfirmed attempt is cleared once the SIM is ready (it was accepted)", () => {
    expect(decidePin({ ...base, cpin: "READY", record: attempting })).toEqual({ action: "none", clearRecord: true });
    expect(decidePin({ ...base, cpin: "READY", record: rejected })).toEqual({ action: "none", clearRecord: false });
  });

  it("marks an unconfirmed attempt as rejected", () => {
    const d = decidePin({ ...base, record: attempting });
    expect(d.action === "refuse" && d.markRejected).toBe(true);
  });
});

describe("PinStateStore", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "pin-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("persists, lists and clears per SIM", () => {
    const a = new PinStateStore(join(dir, "state", "pins.json"));
    expect(a.list()).toEqual({});
    a.set("8946001", rejected);
    const b = new PinStateStore(join(dir, "state", "pins.json")); // another process, same file
    expect(b.get("8946001")).toEqual(rejected);
    expect(b.get("8946002")).toBeUndefined();
    expect(b.clear("8946001")).toBe(true);
    expect(b.clear("8946001")).toBe(false);
    expect(a.list()).toEqual({});
  });

  it("an unreadable file is STORE_CORRUPT, never 'no facts'", () => {
    const path = join(dir, "pins.json");
    writeFileSync(path, "\0\0\0{");
    expect(() => new PinStateStore(path).get("x")).toThrow(expect.objectContaining({ code: "STORE_CORRUPT" }) as GatewayError);
  });
});

describe("readPin", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "pin-"))));
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env["TEST_SIM_PIN"];
  });

  it("reads a file (trimmed) and warns when others can read it", () => {
    const path = join(dir, "pin");
    writeFileSync(path, "1234\n");
    chmodSync(path, 0o644);
    const warnings: string[] = [];
    expect(readPin({ file: path }, (m) => warnings.push(m))).toBe("1234");
    expect(warnings[0]).toMatch(/chmod 600/);
    chmodSync(path, 0o600);
    warnings.length = 0;
    expect(readPin({ file: path }, (m) => warnings.push(m))).toBe("1234");
    expect(warnings).toEqual([]);
  });

  it("reads an environment variable; unset means no PIN", () => {
    expect(readPin({ env: "TEST_SIM_PIN" })).toBeUndefined();
    process.env["TEST_SIM_PIN"] = "98765432";
    expect(readPin({ env: "TEST_SIM_PIN" })).toBe("98765432");
    expect(readPin(undefined)).toBeUndefined();
  });

  it.each(["12a4", "123", "123456789", "12 34"])("refuses %j without repeating it", (bad) => {
    process.env["TEST_SIM_PIN"] = bad;
    try {
      readPin({ env: "TEST_SIM_PIN" });
      expect.unreachable();
    } catch (err) {
      expect((err as GatewayError).code).toBe("CFG_INVALID");
      expect((err as Error).message).not.toContain(bad);
    }
  });
});
