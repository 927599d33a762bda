import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HANG_MS, modemRig, until } from "./modem-harness.js";

const FROM = "+46709876543";
const LONG = "Svar från TiB Solna: JA, jag ansluter till samverkanskonferensen kl 16:00. ".repeat(5);
const inboxLines = (dir: string): { kind: string; pdu?: string; keys?: string[] }[] =>
  readFileSync(join(dir, "inbox-modem-a.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { kind: string; pdu?: string });

describe("receiving SMS", () => {
  it("a multipart SMS is persisted (fsync) before each AT+CMGD, reassembled, then deleted", async () => {
    const rig = await modemRig();
    try {
      // At the moment the modem receives AT+CMGD=i, the PDU in slot i must already be in the inbox file.
      const checks: boolean[] = [];
      const slots = new Map<number, string>();
      rig.sim.on("command", (line) => {
        const m = /^AT\+CMGD=(\d+)/.exec(line);
        if (m) checks.push(inboxLines(rig.stateDir).some((r) => r.pdu === slots.get(Number(m[1]))));
      });
      rig.sim.on("unsolicited", (lines) => {
        const m = /^\+CMTI: "SM",(\d+)/.exec(lines[0] ?? "");
        if (m) slots.set(Number(m[1]), rig.sim.state.storage.get(Number(m[1]))!.hex);
      });
      const pdus = rig.sim.deliverSms(FROM, LONG, { order: [3, 1, 2] });
      expect(pdus).toHaveLength(3);
      await until(() => rig.received.length === 1, HANG_MS, "the reassembled message");
      expect(rig.received[0]).toMatchObject({ from: FROM, text: LONG, complete: true, parts: 3, modem: "modem-a" });
      await until(() => checks.length === 3 && rig.sim.state.storage.size === 0, HANG_MS, "three deletes");
      expect(checks).toEqual([true, true, true]);
      const lines = inboxLines(rig.stateDir);
      expect(lines.filter((l) => l.kind === "part")).toHaveLength(3);
      expect(lines.at(-1)).toMatchObject({ kind: "emitted" });
    } finally {
      await rig.close();
    }
  });

  it("direct delivery (+CMT, CNMI mt=2) and an alphanumeric sender", async () => {
    const rig = await modemRig();
    try {
      rig.sim.state.v.cnmi.mt = 2;
      rig.sim.deliverSms("Larmcentr", "Provlarm 🚒", { alphanumeric: true });
      await until(() => rig.received.length === 1, HANG_MS);
      expect(rig.received[0]).toMatchObject({ from: "Larmcentr", text: "Provlarm 🚒", complete: true });
      expect(inboxLines(rig.stateDir)[0]).toMatchObject({ kind: "part" });
    } finally {
      await rig.close();
    }
  });

  it("messages stored while the gateway was away are read by the sweep after init", async () => {
    const rig = await modemRig({ start: false });
    try {
      rig.sim.state.v.cnmi.mt = 0; // stored without indication, as before our init
      rig.sim.deliverSms(FROM, "JA 4711");
      rig.sim.deliverSms("+46701111111", "NEJ 4711");
      expect(rig.sim.state.storage.size).toBe(2);
      await rig.modem.start();
      await until(() => rig.received.length === 2, HANG_MS, "two messages");
      expect(rig.received.map((r) => r.text).sort()).toEqual(["JA 4711", "NEJ 4711"]);
      await until(() => rig.sim.state.storage.size === 0, HANG_MS);
    } finally {
      await rig.close();
    }
  });

  it("a PDU persisted but not deleted (crash in between) is deleted again, not handed on twice", async () => {
    const rig = await modemRig();
    try {
      rig.sim.state.v.cnmi.mt = 0;
      rig.sim.deliverSms(FROM, "JA 4711");
      const stored = [...rig.sim.state.storage.values()][0]!;
      await rig.modem.stop();
      const m2 = await rig.restart();
      await until(() => rig.received.length === 1 && rig.sim.state.storage.size === 0, HANG_MS, "first read");
      // The same PDU reappears on the SIM (the CMGD was lost): it is recognised.
      rig.sim.state.storage.set(7, { ...stored });
      await m2.stop();
      await rig.restart();
      await until(() => rig.sim.state.storage.size === 0, HANG_MS, "second delete");
      expect(rig.received).toHaveLength(1);
    } finally {
      await rig.close();
    }
  });

  it("parts persisted before a restart are reassembled after it; missing parts time out as incomplete", async () => {
    const rig = await modemRig({ adapter: { reassemblyTimeoutMs: 100 } });
    try {
      rig.sim.deliverSms(FROM, LONG, { omit: [2, 3], reference: 42 });
      await until(() => rig.sim.state.storage.size === 0, HANG_MS, "part 1 consumed");
      await rig.restart();
      await rig.modem.waitReady(2000);
      rig.sim.deliverSms(FROM, LONG, { order: [2, 3], reference: 42 });
      await until(() => rig.received.length === 1, HANG_MS, "reassembled across the restart");
      expect(rig.received[0]!.text).toBe(LONG);

      rig.sim.deliverSms(FROM, LONG, { omit: [2], reference: 43 });
      await until(() => rig.sim.state.storage.size === 0, HANG_MS, "two parts consumed");
      await new Promise((r) => setTimeout(r, 120));
      (rig.modem as unknown as { incoming: { expire(): void } }).incoming.expire();
      expect(rig.received[1]).toMatchObject({ complete: false, missing: [2], parts: 3 });
      expect(rig.received[1]!.text).toContain("[…]");
    } finally {
      await rig.close();
    }
  });

  it("one-shot CLI sessions (receive off) leave incoming SMS on the SIM for the daemon", async () => {
    const rig = await modemRig({ adapter: { receive: false } });
    try {
      rig.sim.deliverSms(FROM, "JA 4711");
      await new Promise((r) => setTimeout(r, 50));
      expect(rig.sim.state.storage.size).toBe(1);
      expect(rig.received).toHaveLength(0);
      expect(rig.sim.wire).not.toMatch(/AT\+CMG[RLD]/);
    } finally {
      await rig.close();
    }
  });

  it("an SMS is marked handed on only after its listener's durable work settles; a restart before that hands it on again", async () => {
    const rig = await modemRig();
    try {
      let finish!: () => void;
      const work = new Promise<void>((r) => (finish = r));
      const off = rig.modem.on("sms", (s) => s.waitUntil?.(work));
      rig.sim.deliverSms(FROM, "LARM tib Samverkan");
      await until(() => rig.received.length === 1 && rig.sim.state.storage.size === 0, HANG_MS, "read and deleted from the SIM");
      // On disk, off the SIM, but not marked handed on while the listener's work is open.
      expect(inboxLines(rig.stateDir).map((l) => l.kind)).toEqual(["part"]);
      off();
      // A crash now (the adapter restarts on the same inbox): handed on again, not lost.
      await rig.restart();
      await until(() => rig.received.length === 2, HANG_MS, "handed on again after the restart");
      expect(rig.received[1]).toMatchObject({ from: FROM, text: "LARM tib Samverkan" });
      await until(() => inboxLines(rig.stateDir).some((l) => l.kind === "emitted"), HANG_MS, "marked handed on");
      finish();
      // After the restart nobody held it: marked once, and a third start hands nothing on.
      await rig.restart();
      await new Promise((r) => setTimeout(r, 100));
      expect(rig.received).toHaveLength(2);
    } finally {
      await rig.close();
    }
  });

  it("with an incoming gate, messages are read and deleted at once but handed on only when it opens, in order", async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const rig = await modemRig({ adapter: { incomingGate: gate } });
    try {
      rig.sim.deliverSms(FROM, "first");
      rig.sim.deliverSms(FROM, "second");
      await until(() => rig.sim.state.storage.size === 0 && inboxLines(rig.stateDir).length === 2, HANG_MS, "both persisted and deleted");
      await new Promise((r) => setTimeout(r, 50));
      expect(rig.received).toHaveLength(0);
      open();
      await until(() => rig.received.length === 2, HANG_MS, "handed on");
      expect(rig.received.map((m) => m.text)).toEqual(["first", "second"]);
    } finally {
      await rig.close();
    }
  });
});
