import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InboxStore } from "../../../adapters/gsm-sms/inbox-store.js";
import { PinStateStore } from "../../../adapters/gsm-sms/pin-guard.js";
import { StateDirectory } from "../../../src/shared/durable-file.js";

// A pass-through spy: the stores really write, and the test counts how often they create their directory.
vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return { ...real, mkdirSync: vi.fn(real.mkdirSync) };
});
const mkdirSpy = vi.mocked(fs.mkdirSync);

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(join(tmpdir(), "rakelgw-statedir-"));
  mkdirSpy.mockClear();
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const part = (key: string) => ({ key, modem: "m", receivedAt: "2024-05-01T08:00:00Z", from: "+46701234567", sentAt: null, concat: null, text: key, pdu: "00" });
const record = (detail: string) => ({ status: "rejected" as const, at: "2024-05-01T08:00:00Z", detail });
const stateDirCalls = (dir: string): number => mkdirSpy.mock.calls.filter(([p]) => p === dir).length;

describe("state directories are created once per store, and again only when removed", () => {
  it("SMS inbox", () => {
    const dir = join(root, "sms");
    const store = new InboxStore(join(dir, "inbox.jsonl"));
    store.appendPart(part("k1"));
    store.appendPart(part("k2"));
    store.markEmitted("id1", ["k1", "k2"]);
    expect(stateDirCalls(dir)).toBe(1);
    fs.rmSync(dir, { recursive: true });
    store.appendPart(part("k3"));
    expect(stateDirCalls(dir)).toBe(2);
    expect(new InboxStore(join(dir, "inbox.jsonl")).pendingParts().map((p) => p.key)).toEqual(["k3"]);
  });

  it("SIM PIN state", () => {
    const dir = join(root, "pin");
    const store = new PinStateStore(join(dir, "pin-state.json"));
    store.set("sim-a", record("one"));
    store.set("sim-b", record("two"));
    expect(store.clear("sim-a")).toBe(true);
    expect(stateDirCalls(dir)).toBe(1);
    fs.rmSync(dir, { recursive: true });
    store.set("sim-c", record("three"));
    expect(stateDirCalls(dir)).toBe(2);
    expect(Object.keys(new PinStateStore(join(dir, "pin-state.json")).list())).toEqual(["sim-c"]);
  });

  it("retries a write once after ENOENT, and other errors not at all", () => {
    const dir = new StateDirectory(join(root, "x"));
    const failing = (code: string) => vi.fn(() => {
      throw Object.assign(new Error(code), { code });
    });
    const enoent = failing("ENOENT");
    expect(() => dir.writeSync(enoent)).toThrow("ENOENT");
    expect(enoent).toHaveBeenCalledTimes(2);
    const eacces = failing("EACCES");
    expect(() => dir.writeSync(eacces)).toThrow("EACCES");
    expect(eacces).toHaveBeenCalledTimes(1);
    expect(stateDirCalls(join(root, "x"))).toBe(2);
  });
});
