import { describe, expect, it } from "vitest";
import type { StoredAlert } from "../../../src/dispatch/alert-model.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { FakeRadio, flush, MemoryReceiptFile, MemoryStore, rig, type Rig } from "./harness.js";

type Pub = { state: string; code: string; recipients: { person?: string; address?: string; state: string; answer?: string; attempts: { channel: string; result: string }[] }[]; summary: Record<string, number> };
const pub = (r: { published: Map<string, Record<string, unknown>> }, id: string): Pub => r.published.get(id) as unknown as Pub;

/** Dora activates kib by SDS; the terminal goes down; Cecilia answers by SMS, which completes the alert. */
async function answeredWhileTerminalDown(r: Rig, word: "OK" | "NEJ"): Promise<StoredAlert> {
  r.radio.incomingText("2009999", "LARM kib Samverkan nu");
  await flush();
  const [alert] = r.dispatcher.activeAlerts() as [StoredAlert];
  r.links.set("terminal-1", "unresponsive", "unplugged");
  r.modem.incoming("+46701000003", `${word} ${alert.code}`);
  await flush();
  expect(pub(r, alert.id).state).toBe("completed");
  return alert;
}

describe("dispatcher: escalation with fakes and a fake clock", () => {
  it("is durably written (with the first send in flight) before send() resolves and before the first SDS", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Konferens 14:30", recipients: ["role:tib"] }, { via: "mqtt" });
    const first = r.store.puts[0]!;
    expect(first.id).toBe(alert.id);
    expect(first.recipients[0]?.inFlight?.channel).toBe("sds");
    await flush();
    expect(r.radio.textsTo("2001001")).toEqual([`LARM SSR ${alert.code}: Konferens 14:30 Svara OK ${alert.code} / NEJ ${alert.code} / SEN ${alert.code}`]);
    expect(r.store.last(alert.id)?.recipients[0]?.attempts[0]?.result).toBe("sent");
  });

  it("no answer → next channel (SMS) → next person → group fallback, each after ackTimeoutS", async () => {
    const r = await rig({ config: { ackTimeoutS: 60 } });
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Test", recipients: ["role:tib"] }, { via: "mqtt" });
    await flush();
    expect(r.radio.textsTo("2001001")).toHaveLength(1);
    expect(r.modem.sent).toHaveLength(0);
    await r.clock.advance(59_000);
    expect(r.modem.sent).toHaveLength(0);
    await r.clock.advance(1_000);
    expect(r.modem.textsTo("+46701000001")).toHaveLength(1);
    await r.clock.advance(60_000);
    expect(r.radio.textsTo("2001002")).toHaveLength(1);
    await r.clock.advance(60_000);
    expect(r.modem.textsTo("+46701000002")).toHaveLength(1);
    await r.clock.advance(60_000);
    const group = r.radio.sent.filter((s) => s.to.kind === "gssi");
    expect(group.map((g) => g.to.ssi)).toEqual(["9001"]);
    const p = pub(r, alert.id);
    expect(p.recipients.map((x) => x.person ?? x.address)).toEqual(["anna", "bertil", "gssi:9001"]);
    expect(p.state).toBe("active");
    // Deadline: nobody answered → expired, people unreached.
    await r.clock.advance(3600_000);
    expect(pub(r, alert.id).state).toBe("expired");
    expect(pub(r, alert.id).summary).toMatchObject({ coming: 0, unreached: 2, pending: 0 });
    expect(r.store.archived.has(alert.id)).toBe(true);
  });

  it("the first answer stops escalation for that person on every channel; the alert completes", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["role:tib", "role:kib"] }, { via: "mqtt" });
    await flush();
    r.radio.incomingText("2001001", `ok ${alert.code}`);
    await flush();
    r.modem.incoming("+46701000003", `Nej ${alert.code}`);
    await flush();
    await r.clock.advance(600_000);
    expect(r.modem.textsTo("+46701000001")).toHaveLength(0);
    expect(r.radio.textsTo("2001002")).toHaveLength(0);
    const p = pub(r, alert.id);
    expect(p.state).toBe("completed");
    expect(p.summary).toMatchObject({ coming: 1, notComing: 1, pending: 0 });
  });

  it("a replayed answer changes nothing once its alert has ended, and the next alert does not reuse the ended one's code (#15)", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    r.radio.incomingText("2001001", `OK ${alert.code}`);
    await flush();
    expect(pub(r, alert.id).state).toBe("completed");
    // The rig's random source is fixed, so without the recent-codes rule the next code would be the same.
    const { alert: next } = await r.dispatcher.send({ kind: "activation", text: "y", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    expect(next.code).not.toBe(alert.code);
    r.radio.incomingText("2001001", `OK ${alert.code}`);
    await flush();
    expect(pub(r, next.id).recipients[0]?.answer).toBeUndefined();
    expect(pub(r, next.id).state).toBe("active");
  });

  it("a role member answering not-coming moves to the next person at once", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["role:tib"] }, { via: "mqtt" });
    await flush();
    r.radio.incomingText("2001001", `NEJ ${alert.code}`);
    await flush();
    expect(r.radio.textsTo("2001002")).toHaveLength(1);
    expect(r.modem.textsTo("+46701000001")).toHaveLength(0);
  });

  it("a configured Rakel status answers the person's most recent active alert", async () => {
    const r = await rig();
    const a1 = (await r.dispatcher.send({ kind: "activation", text: "one", recipients: ["person:anna"] }, { via: "mqtt" })).alert;
    r.clock.stepWall(1000);
    const a2 = (await r.dispatcher.send({ kind: "activation", text: "two", recipients: ["person:anna"] }, { via: "mqtt" })).alert;
    await flush();
    r.radio.incomingStatus("2001001", 32772);
    await flush();
    expect(pub(r, a2.id).recipients[0]?.answer).toBe("coming");
    expect(pub(r, a1.id).recipients[0]?.answer).toBeUndefined();
  });

  it("an answer from an address not on the alert is ignored; an unknown code too", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    r.radio.incomingText("2005555", `OK ${alert.code}`);
    r.radio.incomingText("2001001", "OK 1234");
    await flush();
    expect(pub(r, alert.id).recipients[0]?.answer).toBeUndefined();
  });

  it("delivery reports make a recipient delivered, never acknowledged; a failed report escalates at once", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna", "person:bertil"] }, { via: "mqtt" });
    await flush();
    const [toAnna, toBertil] = r.radio.sent;
    r.radio.report(toAnna!.id, "delivered");
    r.radio.report(toBertil!.id, "failed");
    await flush();
    const p = pub(r, alert.id);
    expect(p.recipients[0]).toMatchObject({ person: "anna", state: "delivered" });
    expect(p.recipients[0]?.answer).toBeUndefined();
    expect(r.modem.textsTo("+46701000002")).toHaveLength(1);
  });

  it("a delivery report that comes before its send is recorded (a fast terminal) is applied once it is", async () => {
    const radio = new FakeRadio();
    radio.reportBeforeResolve = "delivered";
    const r = await rig({ radio });
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    expect(r.radio.sent).toHaveLength(1);
    expect(pub(r, alert.id).recipients[0]).toMatchObject({ person: "anna", state: "delivered" });
    expect(r.store.last(alert.id)?.recipients[0]?.attempts[0]?.result).toBe("delivered");
  });

  it("skips a channel whose link is not ready and tries it when it comes back", async () => {
    const r = await rig();
    r.links.set("terminal-1", "unresponsive", "gone");
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    expect(r.radio.sent).toHaveLength(0);
    expect(r.modem.textsTo("+46701000001")).toHaveLength(1);
    await r.clock.advance(60_000);
    r.links.set("terminal-1", "ready", "");
    await flush();
    expect(r.radio.textsTo("2001001")).toHaveLength(1);
    expect(pub(r, alert.id).state).toBe("active");
  });

  it("a failed send goes on to the next channel without waiting", async () => {
    const r = await rig();
    r.radio.failNext = 1;
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    expect(r.modem.textsTo("+46701000001")).toHaveLength(1);
    expect(pub(r, alert.id).recipients[0]?.attempts.map((a) => a.result)).toEqual(["failed", "sent"]);
  });

  it("a repeated id returns the existing alert; the same activation by SDS within the window is one alert", async () => {
    const r = await rig();
    const a = await r.dispatcher.send({ id: "ext-1", kind: "activation", text: "Konf 14:30", recipients: ["role:tib"] }, { via: "mqtt" });
    await flush();
    const sentBefore = r.radio.sent.length;
    const b = await r.dispatcher.send({ id: "ext-1", kind: "activation", text: "other", recipients: ["role:tib"] }, { via: "mqtt" });
    await flush();
    expect(b.existing).toBe(true);
    expect(r.radio.sent).toHaveLength(sentBefore); // idempotent: no second send
    expect(b.alert.id).toBe("ext-1");
    const c = await r.dispatcher.send({ kind: "activation", text: "Brand  i hamnen", recipients: ["role:tib"] }, { via: "mqtt" });
    r.radio.incomingText("2009999", "LARM tib brand i hamnen");
    r.modem.incoming("+46709999999", "larm TIB Brand i hamnen");
    await flush();
    expect(r.dispatcher.activeAlerts().map((x) => x.id).sort()).toEqual([a.alert.id, c.alert.id].sort());
    expect(c.alert.origin.arrivals.map((x) => x.via)).toEqual(["mqtt", "sds", "sms"]);
  });

  it("MQTT, SDS and SMS of one activator are one alert; another activator with the same text is another alert", async () => {
    const r = await rig();
    r.radio.incomingText("2009999", "LARM tib Rökutveckling Centralen");
    await flush();
    r.modem.incoming("+46709999999", "larm TIB rökutveckling  centralen");
    const viaMqtt = await r.dispatcher.send({ kind: "activation", text: "Rökutveckling Centralen", recipients: ["role:tib"] }, { via: "mqtt" });
    await flush();
    expect(viaMqtt.existing).toBe(true);
    expect(r.dispatcher.activeAlerts()).toHaveLength(1);
    const [first] = r.dispatcher.activeAlerts() as [StoredAlert];
    expect(first.origin.arrivals.map((x) => x.via)).toEqual(["sds", "sms", "mqtt"]);
    // A second activator (not Dora) sending the same words starts its own alert.
    r.radio.incomingText("2008888", "LARM tib Rökutveckling Centralen");
    await flush();
    expect(r.dispatcher.activeAlerts()).toHaveLength(2);
    expect(r.dispatcher.activeAlerts()[1]!.origin.from).toBe("2008888");
  });

  it("an activation carrying an existing alert's code joins it (same activator, within the window)", async () => {
    const r = await rig({ config: { dedupWindowS: 300 } });
    r.radio.incomingText("2009999", "LARM tib Brand i hamnen");
    await flush();
    const [alert] = r.dispatcher.activeAlerts() as [StoredAlert];
    r.modem.incoming("+46709999999", `LARM tib ${alert.code} brand hamnen, samling 14:30`);
    await flush();
    expect(r.dispatcher.activeAlerts()).toHaveLength(1);
    expect(alert.origin.arrivals.map((x) => x.via)).toEqual(["sds", "sms"]);
    // Another activator quoting the code does not join Dora's alert.
    r.radio.incomingText("2008888", `LARM tib ${alert.code} brand hamnen`);
    await flush();
    expect(r.dispatcher.activeAlerts()).toHaveLength(2);
    // After the window the same text from Dora is a new alert.
    await r.clock.advance(301_000);
    r.radio.incomingText("2009999", "LARM tib Brand i hamnen");
    await flush();
    expect(r.dispatcher.activeAlerts().filter((a) => a.origin.from === "2009999")).toHaveLength(2);
  });

  it("activation by SDS from an activator starts an alert and the activator gets receipts; from another ISSI it is refused", async () => {
    const r = await rig();
    r.radio.incomingText("2005555", "LARM tib Samverkan nu");
    await flush();
    expect(r.dispatcher.activeAlerts()).toHaveLength(0);
    expect(r.radio.sent).toHaveLength(0);
    r.radio.incomingText("2009999", "LARM tib Samverkan nu");
    await flush();
    const [alert] = r.dispatcher.activeAlerts() as [StoredAlert];
    expect(alert.origin).toMatchObject({ via: "sds", from: "2009999" });
    r.radio.incomingText("2001001", alert.code);
    await flush();
    expect(r.radio.textsTo("2009999")).toEqual([`KVITTO ${alert.code}: 1 kommer, 0 kommer ej, 0 ej nådd`]);
    expect(pub(r, alert.id).state).toBe("completed");
  });

  it("ÖVNING starts a test alert whose texts start with ÖVNING; unknown roles are answered with a refusal", async () => {
    const r = await rig();
    r.modem.incoming("+46709999999", "ÖVNING alla Övning pågår");
    await flush();
    const [alert] = r.dispatcher.activeAlerts() as [StoredAlert];
    expect(alert.kind).toBe("test");
    expect(alert.slots.map((s) => s.spec)).toEqual(["role:tib", "role:kib"]);
    expect(r.radio.textsTo("2001001")[0]).toMatch(/^ÖVNING SSR \d{4}: Övning pågår/);
    r.modem.incoming("+46709999999", "LARM nope text");
    await flush();
    expect(r.modem.textsTo("+46709999999")).toEqual(["LARM EJ STARTAT: okänd roll nope"]);
  });

  it("a full disk refuses a new alert with STORE_FULL and sends nothing", async () => {
    const store = new MemoryStore();
    store.full = true;
    const r = await rig({ store });
    const err = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["role:tib"] }, { via: "mqtt" }).catch((e: unknown) => e);
    expect(isGatewayError(err, "STORE_FULL")).toBe(true);
    await flush();
    expect(r.radio.sent).toHaveLength(0);
    expect(r.dispatcher.activeAlerts()).toHaveLength(0);
  });

  it("when the disk fills after an alert was accepted, its escalation goes on from memory", async () => {
    const store = new MemoryStore();
    const r = await rig({ store });
    await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    expect(r.radio.textsTo("2001001")).toHaveLength(1);
    store.full = true;
    await r.clock.advance(60_000);
    expect(r.modem.textsTo("+46701000001")).toHaveLength(1);
  });

  it("unknown roles or people are refused with path: reason", async () => {
    const r = await rig();
    const err = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["role:nope", "person:zed", "issi:123456789"] }, { via: "mqtt" }).catch((e: unknown) => e);
    expect(isGatewayError(err, "ALERT_BAD_RECIPIENTS")).toBe(true);
    expect((err as { context: { problems: string[] } }).context.problems).toEqual([
      expect.stringMatching(/^\/recipients\/0: unknown role "nope"/),
      '/recipients/1: unknown person "zed"',
      '/recipients/2: "123456789" is not an ISSI (1-8 digits)',
    ]);
  });

  it("a receipt owed while the activator's link is down is sent when it comes back, and survives a restart", async () => {
    const file = new MemoryReceiptFile();
    const r = await rig({ receiptFile: file });
    const alert = await answeredWhileTerminalDown(r, "OK");
    expect(r.radio.textsTo("2009999")).toEqual([]);
    expect(file.saved.map((x) => x.id)).toEqual([`${alert.id}:receipt:final`]);
    // Restart while the receipt is owed; the new process sends it once the terminal is ready.
    r.dispatcher.stop();
    const radio = new FakeRadio();
    const r2 = await rig({ receiptFile: file, clock: r.clock, radio });
    await flush();
    expect(radio.textsTo("2009999")).toEqual([`KVITTO ${alert.code}: 1 kommer, 0 kommer ej, 0 ej nådd`]);
    expect(file.saved).toEqual([]);
    r2.dispatcher.stop();
  });

  it("an owed receipt is retried on link change and dropped after the alert's deadline", async () => {
    const r = await rig({ config: { deadlineS: 600 } });
    const alert = await answeredWhileTerminalDown(r, "NEJ");
    r.links.set("terminal-1", "degraded", "still bad");
    await flush();
    expect(r.radio.textsTo("2009999")).toEqual([]);
    r.links.set("terminal-1", "ready", "");
    await flush();
    expect(r.radio.textsTo("2009999")).toEqual([`KVITTO ${alert.code}: 0 kommer, 1 kommer ej, 0 ej nådd`]);
    // A second alert whose receipt is still owed at its deadline is dropped, not sent late.
    r.radio.incomingText("2009999", "LARM kib Ny händelse");
    await flush();
    const second = r.dispatcher.activeAlerts()[0]!;
    r.links.set("terminal-1", "unresponsive", "unplugged");
    r.modem.incoming("+46701000003", `OK ${second.code}`);
    await flush();
    await r.clock.advance(601_000);
    r.links.set("terminal-1", "ready", "");
    await flush();
    expect(r.radio.textsTo("2009999")).toHaveLength(1);
  });

  it("a restart resumes: an in-flight send is sent again, a recorded one is not", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna", "person:bertil"] }, { via: "mqtt" });
    await flush();
    r.dispatcher.stop();
    // State as a crash would leave it: anna's SDS recorded, bertil's in flight (crash between send and record).
    const snap = structuredClone(r.store.last(alert.id)!);
    const bertil = snap.recipients.find((x) => x.person === "bertil")!;
    bertil.attempts = [];
    bertil.inFlight = { channel: "sds", address: "2001002", since: snap.createdAt, step: 0 };
    snap.slots[1]!.step = 1;
    delete snap.slots[1]!.waitUntil;
    const store = new MemoryStore();
    store.recovered = [snap];
    const r2 = await rig({ store, clock: r.clock });
    await flush();
    expect(r2.radio.textsTo("2001001")).toHaveLength(0);
    expect(r2.radio.textsTo("2001002")).toHaveLength(1);
    // anna's wait continues from the stored wall time: SMS after the rest of her 60 s.
    await r2.clock.advance(60_000);
    expect(r2.modem.textsTo("+46701000001")).toHaveLength(1);
  });

  it("alert/cancel ends the alert and stops escalation", async () => {
    const r = await rig();
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["role:tib"] }, { via: "mqtt" });
    await flush();
    await r.dispatcher.cancel(alert);
    await r.clock.advance(600_000);
    expect(r.modem.sent).toHaveLength(0);
    expect(pub(r, alert.id).state).toBe("cancelled");
    const err = await r.dispatcher.cancel(alert).catch((e: unknown) => e);
    expect(isGatewayError(err, "ALERT_NOT_ACTIVE")).toBe(true);
  });

  it("timers are monotonic: a wall-clock step does not fire the escalation early", async () => {
    const r = await rig();
    await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    r.clock.stepWall(3_000_000);
    await r.clock.advance(30_000);
    expect(r.modem.sent).toHaveLength(0);
    await r.clock.advance(30_000);
    expect(r.modem.sent).toHaveLength(1);
  });

  it("changes made while a publish of the alert is in flight go out as one more publish of the newest state", async () => {
    const calls: { doc: Record<string, unknown>; release: () => void }[] = [];
    const r = await rig({ publish: (_id, doc) => new Promise<void>((release) => calls.push({ doc: structuredClone(doc), release })) });
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Konferens", recipients: ["person:anna", "person:bertil", "person:cecilia"] }, { via: "mqtt" });
    await flush();
    // Three recipients were marked in flight and sent while the first publish was held: one publish so far.
    expect(calls).toHaveLength(1);
    expect(r.store.puts.length).toBeGreaterThan(3);
    calls[0]!.release();
    await flush();
    // The held changes become exactly one more publish, carrying every attempt made meanwhile.
    expect(calls).toHaveLength(2);
    const attempts = (calls[1]!.doc as unknown as Pub).recipients.map((x) => x.attempts.length);
    expect(attempts).toEqual([1, 1, 1]);
    calls[1]!.release();
    await flush();
    expect(calls).toHaveLength(2);
    // A later change publishes again.
    r.radio.incomingText("2001001", `OK ${alert.code}`);
    await flush();
    expect(calls).toHaveLength(3);
    expect((calls[2]!.doc as unknown as Pub).summary["coming"]).toBe(1);
    calls[2]!.release();
  });

  it("a send waits in a busy terminal's queue past ackTimeoutS without failing; the link going down ends the wait and the ladder moves on", async () => {
    const r = await rig();
    r.radio.busy = true;
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Konferens", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    // The send may wait until the alert's deadline, not only ackTimeoutS.
    expect(r.radio.calls[0]?.timeoutMs).toBeGreaterThan(60_000);
    await r.clock.advance(120_000);
    expect(pub(r, alert.id).recipients[0]).toMatchObject({ state: "attempting", attempts: [] });
    expect(r.modem.sent).toHaveLength(0);
    // The terminal is lost: the waiting send is aborted at once and Anna's next channel (SMS) goes out.
    r.links.set("terminal-1", "unresponsive", "unplugged");
    await flush();
    expect(pub(r, alert.id).recipients[0]!.attempts[0]).toMatchObject({ channel: "sds", result: "failed" });
    expect(r.modem.sent.map((m) => m.to)).toEqual(["+46701000001"]);
  });

  it("a busy terminal's queued sends go out when it frees up; nobody behind the queue is marked unreached", async () => {
    const r = await rig();
    r.radio.busy = true;
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Konferens", recipients: ["issi:2005001", "issi:2005002", "issi:2005003"] }, { via: "mqtt" });
    await r.clock.advance(90_000);
    expect(pub(r, alert.id).summary["unreached"]).toBe(0);
    r.radio.release();
    await flush();
    expect(r.radio.sent.map((s) => s.to.ssi)).toEqual(["2005001", "2005002", "2005003"]);
    expect(pub(r, alert.id).recipients.map((x) => x.attempts[0]?.result)).toEqual(["sent", "sent", "sent"]);
  });

  it("start-up does not wait for owed receipts to be sent (a busy terminal must not hold READY and incoming activations)", async () => {
    const radio = new FakeRadio();
    radio.busy = true;
    const receiptFile = new MemoryReceiptFile();
    receiptFile.saved = [{ id: "a1:receipt:final", alert: "a1", channel: "sds", to: "2009999", text: "KVITTO 4711: 1 kommer", notAfter: new Date(Date.UTC(2026, 0, 15, 12)).toISOString() }];
    let started = false;
    const r = rig({ radio, receiptFile }).then((x) => ((started = true), x));
    await flush();
    expect(started).toBe(true);
    radio.release();
    await flush();
    expect(radio.textsTo("2009999")).toEqual(["KVITTO 4711: 1 kommer"]);
    await r;
  });

  it("a code-like number inside another activation's text, or with other roles, does not join that alert", async () => {
    const r = await rig({ config: { dedupWindowS: 300 } });
    r.radio.incomingText("2009999", "LARM tib Brand i hamnen");
    await flush();
    const [alert] = r.dispatcher.activeAlerts() as [StoredAlert];
    // Digits of a reference, a phone number or a key that happen to equal the code.
    for (const text of [`LARM tib Ärende P7-${alert.code}`, `LARM tib ring 08-${alert.code}`, `LARM tib Ref12${alert.code}`]) {
      r.radio.incomingText("2009999", text);
      await flush();
    }
    // The code as a word of its own, but for other roles.
    r.radio.incomingText("2009999", `LARM kib ${alert.code} brand hamnen`);
    await flush();
    expect(r.dispatcher.activeAlerts()).toHaveLength(5);
    expect(alert.origin.arrivals).toHaveLength(1);
  });

  it("a send aborted because its link went down is tried again when the link is back, not counted as the end of the ladder", async () => {
    const r = await rig();
    r.radio.busy = true;
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Konferens", recipients: ["issi:2005001"] }, { via: "mqtt" });
    await flush();
    r.links.set("terminal-1", "unresponsive", "unplugged");
    await flush();
    expect(pub(r, alert.id).recipients[0]).toMatchObject({ state: "attempting" });
    expect(pub(r, alert.id).summary["unreached"]).toBe(0);
    r.radio.busy = false;
    r.links.set("terminal-1", "ready", "back");
    await flush();
    expect(r.radio.sent.map((x) => x.to.ssi)).toEqual(["2005001"]);
    expect(pub(r, alert.id).recipients[0]!.attempts.map((t) => t.result)).toEqual(["failed", "sent"]);
  });

  it("keeps the retained documents of the newest retainedFinished finished alerts and clears older ones, oldest first", async () => {
    const r = await rig({ config: { archive: { alertsPerFile: 2000, keepFiles: 25, retainedFinished: 2 } } });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { alert } = await r.dispatcher.send({ kind: "info", text: `x${i}`, recipients: ["person:anna"] }, { via: "mqtt" });
      await flush();
      await r.dispatcher.cancel(alert);
      await flush();
      ids.push(alert.id);
    }
    expect(r.cleared).toEqual(ids.slice(0, 2));
    expect([...r.published.keys()]).toEqual(ids.slice(2));
    // A cleared alert is still there for alert/get and alert/list.
    expect((await r.dispatcher.get(ids[0]!))?.state).toBe("cancelled");
    expect(r.dispatcher.list().map((a) => a.id)).toEqual([...ids].reverse());
    // A restart clears again what lies beyond the kept ones (a clear may have been lost in a crash).
    const again = await rig({ store: r.store, config: { archive: { alertsPerFile: 2000, keepFiles: 25, retainedFinished: 2 } } });
    expect(again.cleared).toEqual(ids.slice(0, 2));
  });

  it("an alert that ends withdraws its sends still queued in a busy terminal (expiry and cancel)", async () => {
    const r = await rig({ config: { deadlineS: 60 } });
    r.radio.busy = true;
    const expiring = (await r.dispatcher.send({ kind: "activation", text: "Konferens", recipients: ["person:anna"] }, { via: "mqtt" })).alert;
    await r.clock.advance(61_000);
    expect(r.store.archived.get(expiring.id)?.state).toBe("expired");
    const cancelled = (await r.dispatcher.send({ kind: "activation", text: "Konferens 2", recipients: ["person:bertil"] }, { via: "mqtt" })).alert;
    await flush();
    await r.dispatcher.cancel(cancelled);
    await flush();
    expect(r.store.archived.get(cancelled.id)?.state).toBe("cancelled");
    r.radio.release();
    await flush();
    // Neither queued SDS went out once its alert had ended, and nothing of either alert stays in memory.
    expect(r.radio.sent).toEqual([]);
    expect(r.radio.calls).toHaveLength(2);
    const inner = r.dispatcher as unknown as { refs: { size: number }; active: Map<string, unknown>; sends: { size: number } };
    expect({ refs: inner.refs.size, active: inner.active.size, sends: inner.sends.size }).toEqual({ refs: 0, active: 0, sends: 0 });
  });

  it("a send that returns after its alert was archived changes nothing: no journal write, no reference kept", async () => {
    // A send already on the air is not withdrawn (the adapter lets it finish) and answers late.
    class OnTheAir extends FakeRadio {
      answer: (() => void) | undefined;
      onAir: Parameters<FakeRadio["sendSds"]>[2];
      override async sendSds(...args: Parameters<FakeRadio["sendSds"]>): ReturnType<FakeRadio["sendSds"]> {
        this.onAir = args[2];
        await new Promise<void>((resolve) => (this.answer = resolve));
        return super.sendSds(...args);
      }
    }
    const radio = new OnTheAir();
    const r = await rig({ radio, config: { deadlineS: 60 } });
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "Konferens", recipients: ["person:anna"] }, { via: "mqtt" });
    await r.clock.advance(61_000);
    expect(r.store.archived.get(alert.id)?.state).toBe("expired");
    // The ending alert withdrew the send but did not abort it: an aborted AT+CMGS holds the terminal
    // quiet for its settle time (2 s), which every other alert's SDS would wait out.
    expect({ withdrawn: radio.onAir?.withdraw?.aborted, aborted: radio.onAir?.signal?.aborted }).toEqual({ withdrawn: true, aborted: false });
    const writes = r.store.puts.length;
    radio.answer?.();
    await flush();
    expect(radio.sent).toHaveLength(1);
    const inner = r.dispatcher as unknown as { refs: { size: number }; active: Map<string, unknown> };
    expect({ writes: r.store.puts.length, refs: inner.refs.size, active: inner.active.size }).toEqual({ writes, refs: 0, active: 0 });
  });

  it("a delivery report while its ended alert is being archived writes nothing after the final state", async () => {
    // The archive write takes a while (an fsync); a report arriving meanwhile must not put the alert into the
    // journal again after (or in the same batch as) its removal record: it would come back as an alert
    // ended but not archived, stay in the store's memory and be archived a second time at the next start.
    class SlowArchive extends MemoryStore {
      open: (() => void) | undefined;
      putsAtArchive = -1;
      override async archive(a: StoredAlert): Promise<void> {
        this.putsAtArchive = this.puts.length;
        await new Promise<void>((resolve) => (this.open = resolve));
        return super.archive(a);
      }
    }
    const store = new SlowArchive();
    const r = await rig({ store });
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    const [toAnna] = r.radio.sent;
    const cancelling = r.dispatcher.cancel(alert);
    await flush();
    expect(store.putsAtArchive).toBeGreaterThan(0);
    r.radio.report(toAnna!.id, "delivered");
    await flush();
    store.open?.();
    await cancelling;
    await flush();
    expect({ putsAfterArchiveBegan: store.puts.length - store.putsAtArchive, archived: store.archived.get(alert.id)?.state }).toEqual({ putsAfterArchiveBegan: 0, archived: "cancelled" });
    expect(store.last(alert.id)?.state).toBe("cancelled");
  });

  it("forgets an archived alert's send references and answer waits (nothing per alert stays in memory)", async () => {
    const r = await rig({ config: { ackTimeoutS: 60 } });
    const { alert } = await r.dispatcher.send({ kind: "activation", text: "x", recipients: ["role:tib", "role:kib"] }, { via: "mqtt" });
    await flush();
    const inner = r.dispatcher as unknown as { refs: { size: number }; due: Map<string, number>; timers: Map<string, unknown>; active: Map<string, unknown>; sends: { size: number } };
    expect(inner.refs.size).toBeGreaterThan(0);
    expect(inner.due.size).toBeGreaterThan(0);
    await r.dispatcher.cancel(alert);
    await flush();
    expect({ refs: inner.refs.size, due: inner.due.size, timers: inner.timers.size, active: inner.active.size, sends: inner.sends.size }).toEqual({ refs: 0, due: 0, timers: 0, active: 0, sends: 0 });
  });
});
