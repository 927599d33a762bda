import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConferenceRegistry } from "../../../src/conference/conference-registry.js";
import { ChannelPorts } from "../../../src/dispatch/channel-ports.js";
import { Dispatcher } from "../../../src/dispatch/dispatcher.js";
import { RosterIndex } from "../../../src/dispatch/roster.js";
import { LinkHealthRegistry } from "../../../src/link-health/link-registry.js";
import type { ConferenceDirectory, ConferenceLegStatus } from "../../../src/ports/conference-directory.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { TypedEmitter } from "../../../src/shared/typed-emitter.js";
import { ReceiptQueue } from "../../../src/dispatch/receipt-queue.js";
import { dispatchConfig, FakeClock, FakeModem, FakeRadio, flush, MemoryReceiptFile, MemoryStore, ROSTER } from "./harness.js";

/** A conference directory over the real registry, with the leg state driven by the test. */
class FakeDirectory implements ConferenceDirectory {
  readonly registry = new ConferenceRegistry([{ id: "rsk", name: "RSK", uri: "sip:konferens@bridge.example", dialIn: "08-123 45 67", pin: "4711#", pinDelayMs: 0 }]);
  private readonly legs = new Map<string, ConferenceLegStatus>([["rsk", { id: "rsk", state: "idle", since: "2026-01-15T09:00:00.000Z" }]]);
  private readonly events = new TypedEmitter<{ status: (s: ConferenceLegStatus) => void }>();
  has = (id: string): boolean => this.registry.ids.includes(id);
  dialInText = (id: string): string => this.registry.dialInText(id);
  redactedDialInText = (id: string): string => this.registry.redactedDialInText(id);
  status = (id: string): ConferenceLegStatus | undefined => this.legs.get(id);
  onStatus = (l: (s: ConferenceLegStatus) => void): (() => void) => this.events.on("status", l);
  set(s: ConferenceLegStatus): void {
    this.legs.set(s.id, s);
    this.events.emit("status", s);
  }
}

async function conferenceRig(withDirectory = true) {
  const clock = new FakeClock();
  const radio = new FakeRadio();
  const modem = new FakeModem();
  const store = new MemoryStore();
  const lines: string[] = [];
  const log = pino({ level: "trace" }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
  const links = new LinkHealthRegistry({ log });
  links.set("terminal-1", "ready", "");
  links.set("modem-1", "ready", "");
  const ports = new ChannelPorts({ radios: new Map([["terminal-1", radio]]), modems: new Map([["modem-1", modem]]), links });
  const published = new Map<string, Record<string, unknown>>();
  const directory = new FakeDirectory();
  const dispatcher = new Dispatcher({
    config: dispatchConfig({ ackTimeoutS: 60 }),
    roster: () => new RosterIndex(ROSTER),
    store,
    ports,
    clock,
    log,
    receipts: new ReceiptQueue({ file: new MemoryReceiptFile(), ports, clock, log }),
    publish: (id, doc) => (published.set(id, structuredClone(doc)), Promise.resolve()),
    random: () => 0.4,
    ...(withDirectory ? { conferences: directory } : {}),
  });
  await dispatcher.start();
  return { clock, radio, modem, store, lines, published, directory, dispatcher };
}

type Doc = { text: string; conference?: { id: string; state: string; since: string; joinedAt?: string; dialIn: string } };

describe("alerts of kind conference: dial-in text from the conference registry", () => {
  it("the SDS and SMS carry the bridge number and PIN; logs, store and the retained document never carry the PIN", async () => {
    const r = await conferenceRig();
    const { alert } = await r.dispatcher.send({ kind: "conference", text: "Samverkan 14:30", recipients: ["person:anna"], conference: "rsk" }, { via: "mqtt" });
    await flush();
    const [sds] = r.radio.textsTo("2001001");
    expect(sds).toContain("Samverkan 14:30 RSK: ring 08-123 45 67, kod 4711#");
    expect(sds).toMatch(/^KONFERENS SSR \d{4}:/);
    await r.clock.advance(60_000); // no answer: the SMS step
    expect(r.modem.textsTo("+46701000001")[0]).toContain("ring 08-123 45 67, kod 4711#");

    const doc = r.published.get(alert.id) as unknown as Doc;
    expect(doc.text).toBe("Samverkan 14:30");
    expect(doc.conference).toEqual({ id: "rsk", state: "idle", since: "2026-01-15T09:00:00.000Z", dialIn: "RSK: ring 08-123 45 67, kod ••••" });
    expect(JSON.stringify(doc)).not.toContain("4711");
    expect(JSON.stringify(r.store.puts)).not.toContain("4711");
    expect(r.lines.length).toBeGreaterThan(0);
    expect(r.lines.join("")).not.toContain("4711");
  });

  it("the document follows this gateway's leg: joinedAt is set when the leg reaches in-conference and kept after", async () => {
    const r = await conferenceRig();
    const { alert } = await r.dispatcher.send({ kind: "conference", text: "Samverkan", recipients: ["person:anna"], conference: "rsk" }, { via: "mqtt" });
    await flush();
    r.directory.set({ id: "rsk", state: "dialling", since: "2026-01-15T10:00:05.000Z" });
    await flush();
    expect((r.published.get(alert.id) as unknown as Doc).conference).toMatchObject({ state: "dialling" });
    expect((r.published.get(alert.id) as unknown as Doc).conference?.joinedAt).toBeUndefined();
    r.directory.set({ id: "other", state: "in-conference", since: "2026-01-15T10:00:06.000Z" });
    r.directory.set({ id: "rsk", state: "in-conference", since: "2026-01-15T10:00:09.000Z" });
    await flush();
    expect((r.published.get(alert.id) as unknown as Doc).conference).toMatchObject({ state: "in-conference", joinedAt: "2026-01-15T10:00:09.000Z" });
    r.directory.set({ id: "rsk", state: "ended", since: "2026-01-15T10:30:00.000Z" });
    await flush();
    expect((r.published.get(alert.id) as unknown as Doc).conference).toMatchObject({ state: "ended", joinedAt: "2026-01-15T10:00:09.000Z" });
    expect(r.store.last(alert.id)?.conference?.joinedAt).toBe("2026-01-15T10:00:09.000Z");
  });

  it("an alert sent while the leg is already in the conference shows joinedAt at once", async () => {
    const r = await conferenceRig();
    r.directory.set({ id: "rsk", state: "in-conference", since: "2026-01-15T09:59:00.000Z" });
    const { alert } = await r.dispatcher.send({ kind: "conference", text: "Samverkan", recipients: ["person:anna"], conference: "rsk" }, { via: "mqtt" });
    expect(alert.conference).toMatchObject({ state: "in-conference", joinedAt: "2026-01-15T09:59:00.000Z" });
  });

  it("an unknown conference id, or a gateway without conferences, is refused with ALERT_UNKNOWN_CONFERENCE and nothing is sent", async () => {
    for (const withDirectory of [true, false]) {
      const r = await conferenceRig(withDirectory);
      const err = await r.dispatcher.send({ kind: "conference", text: "x", recipients: ["person:anna"], conference: "nope" }, { via: "mqtt" }).catch((e: unknown) => e);
      expect(isGatewayError(err) && err.code).toBe("ALERT_UNKNOWN_CONFERENCE");
      await flush();
      expect(r.store.puts).toHaveLength(0);
      expect(r.radio.sent).toHaveLength(0);
    }
  });

  it("an alert without a conference has no conference field and its text is unchanged", async () => {
    const r = await conferenceRig();
    const { alert } = await r.dispatcher.send({ kind: "conference", text: "Samverkan", recipients: ["person:anna"] }, { via: "mqtt" });
    await flush();
    expect(r.radio.textsTo("2001001")[0]).not.toContain("ring");
    expect(r.published.get(alert.id)).not.toHaveProperty("conference");
  });
});

describe("ConferenceRegistry.redactedDialInText", () => {
  it("replaces the PIN and does not read it (a missing PIN variable does not matter)", () => {
    const reg = new ConferenceRegistry([{ id: "rsk", name: "RSK", uri: "sip:+4681234@bridge", pin: { env: "NO_SUCH_PIN_VAR" }, pinDelayMs: 0 }], {});
    expect(reg.redactedDialInText("rsk")).toBe("RSK: ring +4681234, kod ••••");
    expect(() => reg.dialInText("rsk")).toThrow(expect.objectContaining({ code: "SIP_PIN_UNAVAILABLE" }) as Error);
  });
});
