import { LinkHealthRegistry } from "../../../src/link-health/link-registry.js";
import type { RadioTerminal, RadioTerminalEvents, SdsBody, SendSdsOptions, TetraAddress } from "../../../src/ports/radio-terminal.js";
import type { SendSmsOptions, SmsModem, SmsModemEvents } from "../../../src/ports/sms-modem.js";
import type { Clock, TimerHandle } from "../../../src/shared/clock.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { TypedEmitter } from "../../../src/shared/typed-emitter.js";
import { listItem, type AlertListItem, type StoredAlert } from "../../../src/dispatch/alert-model.js";
import { ChannelPorts } from "../../../src/dispatch/channel-ports.js";
import { DispatchConfigSchema, type DispatchConfig } from "../../../src/dispatch/dispatch-config.js";
import { Dispatcher, type AlertRecords } from "../../../src/dispatch/dispatcher.js";
import { IncomingRouter } from "../../../src/dispatch/incoming.js";
import { ReceiptQueue, type OwedReceipt, type OwedReceiptFile } from "../../../src/dispatch/receipt-queue.js";
import { RosterIndex, validateRoster, type Roster } from "../../../src/dispatch/roster.js";
import { Value } from "@sinclair/typebox/value";

/** Fake monotonic + wall clock; `advance()` fires due timers in order. */
export class FakeClock implements Clock {
  private mono = 0;
  private wall: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  constructor(start = Date.UTC(2026, 0, 15, 10, 0, 0)) {
    this.wall = start;
  }
  now(): number {
    return this.mono;
  }
  wallNow(): Date {
    return new Date(this.wall);
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.mono + ms, fn });
    return id as unknown as TimerHandle;
  }
  clearTimeout(h: TimerHandle): void {
    this.timers.delete(h as unknown as number);
  }
  async advance(ms: number): Promise<void> {
    const end = this.mono + ms;
    for (;;) {
      await flush();
      const next = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.wall += next[1].at - this.mono;
      this.mono = next[1].at;
      next[1].fn();
    }
    this.wall += end - this.mono;
    this.mono = end;
    await flush();
  }
  /** A wall-clock step (NTP): monotonic timers must not care. */
  stepWall(ms: number): void {
    this.wall += ms;
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

type Health = RadioTerminal["health"];

export class FakeRadio implements RadioTerminal {
  readonly name = "terminal-1";
  readonly sent: { to: TetraAddress; body: SdsBody; id: string }[] = [];
  readonly events = new TypedEmitter<RadioTerminalEvents>();
  failNext = 0;
  /** When set, the terminal reports each send's delivery before `sendSds` resolves (a fast terminal). */
  reportBeforeResolve?: "delivered" | "failed";
  /** While true, sends wait (a busy terminal) until `busy` is cleared again, or their signal or withdraw aborts them. */
  busy = false;
  /** The options of every sendSds call, in order. */
  readonly calls: SendSdsOptions[] = [];
  private readonly held: (() => void)[] = [];
  health: Health = { state: "ready", since: new Date(), detail: "" };
  state = { identity: {}, callActive: false };
  private n = 0;
  start = (): Promise<void> => Promise.resolve();
  stop = (): Promise<void> => Promise.resolve();
  /** Ends the busy spell: held sends go out in order. */
  release(): void {
    this.busy = false;
    for (const go of this.held.splice(0)) go();
  }
  async sendSds(to: TetraAddress, body: SdsBody, opts: SendSdsOptions = {}): Promise<{ id: string; messageReferences: number[]; parts: number; acceptedAt: Date }> {
    this.calls.push(opts);
    if (this.busy) {
      await new Promise<void>((resolve, reject) => {
        this.held.push(resolve);
        opts.signal?.addEventListener("abort", () => reject(new GatewayError("AT_ABORTED", "SDS send aborted")), { once: true });
        // As the adapter's: a send that has not started yet is taken back.
        opts.withdraw?.addEventListener("abort", () => reject(new GatewayError("AT_ABORTED", "SDS send withdrawn before start")), { once: true });
      });
    }
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new GatewayError("SDS_SEND_FAILED", "air failure"));
    }
    const id = `sds-${++this.n}`;
    this.sent.push({ to, body, id });
    if (this.reportBeforeResolve) this.report(id, this.reportBeforeResolve);
    return Promise.resolve({ id, messageReferences: [this.n], parts: 1, acceptedAt: new Date() });
  }
  on<E extends keyof RadioTerminalEvents>(event: E, fn: RadioTerminalEvents[E]): () => void {
    return this.events.on(event, fn);
  }
  textsTo(ssi: string): string[] {
    return this.sent.filter((s) => s.to.ssi === ssi && s.body.type === "text").map((s) => (s.body as { text: string }).text);
  }
  incomingText(from: string, text: string): void {
    this.events.emit("sds", { from, to: "1000", aiService: 12, bits: 0, hex: "", payload: { kind: "text", text }, receivedAt: new Date() });
  }
  incomingStatus(from: string, value: number): void {
    this.events.emit("sds", { from, to: "1000", aiService: 13, bits: 16, hex: "", payload: { kind: "status", value }, receivedAt: new Date() });
  }
  report(id: string, stage: "delivered" | "failed"): void {
    this.events.emit("progress", { id, to: { kind: "issi", ssi: "0" }, stage, messageReferences: [], at: new Date() });
  }
}

export class FakeModem implements SmsModem {
  readonly name = "modem-1";
  readonly sent: { to: string; text: string; id: string }[] = [];
  readonly events = new TypedEmitter<SmsModemEvents>();
  health = { state: "ready" as const, since: new Date(), detail: "" };
  state = { identity: {}, sim: { status: "ready" as const }, registration: {}, service: "ready" as const };
  start = (): Promise<void> => Promise.resolve();
  stop = (): Promise<void> => Promise.resolve();
  sendSms(to: string, text: string, o: SendSmsOptions = {}): Promise<{ id: string; to: string; parts: number; references: number[]; coding: "gsm7"; submittedAt: Date }> {
    const id = o.id ?? `sms-${this.sent.length + 1}`;
    this.sent.push({ to, text, id });
    return Promise.resolve({ id, to, parts: 1, references: [1], coding: "gsm7", submittedAt: new Date() });
  }
  queueStats(): ReturnType<SmsModem["queueStats"]> {
    return { depth: 0, oldestAgeMs: 0, byPriority: { emergency: 0, operator: 0, normal: 0, bulk: 0 }, submittedParts: 0, failedMessages: 0 };
  }
  on<E extends keyof SmsModemEvents>(event: E, fn: SmsModemEvents[E]): () => void {
    return this.events.on(event, fn);
  }
  textsTo(n: string): string[] {
    return this.sent.filter((s) => s.to === n).map((s) => s.text);
  }
  incoming(from: string, text: string): void {
    this.events.emit("sms", { id: "in", from, text, complete: true, parts: 1, sentAt: "", receivedAt: new Date(), modem: "modem-1" });
  }
}

/** Owed receipts "on disk": survives a new rig (a restart) when passed to it again. */
export class MemoryReceiptFile implements OwedReceiptFile {
  saved: OwedReceipt[] = [];
  load(): OwedReceipt[] {
    return structuredClone(this.saved);
  }
  save(list: readonly OwedReceipt[]): Promise<void> {
    this.saved = structuredClone([...list]);
    return Promise.resolve();
  }
}

export class MemoryStore implements AlertRecords {
  recovered: StoredAlert[] = [];
  readonly puts: StoredAlert[] = [];
  readonly archived = new Map<string, StoredAlert>();
  full = false;
  put(a: StoredAlert): Promise<void> {
    if (this.full) return Promise.reject(new GatewayError("STORE_FULL", "disk full"));
    this.puts.push(structuredClone(a));
    return Promise.resolve();
  }
  archive(a: StoredAlert): Promise<void> {
    this.archived.set(a.id, structuredClone(a));
    return Promise.resolve();
  }
  getArchived(id: string): Promise<StoredAlert | undefined> {
    return Promise.resolve(this.archived.get(id));
  }
  recentArchived(max: number): AlertListItem[] {
    return [...this.archived.values()].reverse().slice(0, max).map(listItem);
  }
  loadListed(): Promise<void> {
    return Promise.resolve();
  }
  lastArchivedIds(max: number): string[] {
    return [...this.archived.keys()].slice(-max);
  }
  last(id: string): StoredAlert | undefined {
    return [...this.puts].reverse().find((a) => a.id === id);
  }
}

export const ROSTER: Roster = validateRoster(
  {
    people: [
      { id: "anna", name: "Anna Andersson", channels: [{ sds: "2001001" }, { sms: "+46701000001" }] },
      { id: "bertil", name: "Bertil Berg", channels: [{ sds: "2001002" }, { sms: "+46701000002" }] },
      { id: "cecilia", name: "Cecilia Ceder", channels: [{ sms: "+46701000003" }] },
      // The duty officer who starts alerts: both activator addresses are hers (one activator, two channels).
      { id: "dora", name: "Dora Dahl", channels: [{ sds: "2009999" }, { sms: "+46709999999" }] },
    ],
    roles: [
      { id: "tib", name: "Tjänsteperson i beredskap", people: ["anna", "bertil"], fallback: { gssi: "9001" } },
      { id: "kib", name: "Kommunikatör i beredskap", people: ["cecilia"] },
    ],
  },
  "test roster",
);

export function dispatchConfig(over: Partial<DispatchConfig> = {}): DispatchConfig {
  const base = Value.Default(DispatchConfigSchema, { roster: "roster.json", answers: { status: { "32772": "coming", "32773": "not-coming" } }, activators: [{ sds: "2009999" }, { sms: "+46709999999" }, { sds: "2008888" }] }) as DispatchConfig;
  return { ...base, ...over };
}

export interface Rig {
  clock: FakeClock;
  radio: FakeRadio;
  modem: FakeModem;
  store: MemoryStore;
  links: LinkHealthRegistry;
  dispatcher: Dispatcher;
  incoming: IncomingRouter;
  published: Map<string, Record<string, unknown>>;
  /** Alert ids whose retained document was cleared, in order. */
  cleared: string[];
}

export async function rig(o: { config?: Partial<DispatchConfig>; store?: MemoryStore; receiptFile?: MemoryReceiptFile; clock?: FakeClock; radio?: FakeRadio; modem?: FakeModem; publish?: (id: string, doc: Record<string, unknown>) => Promise<void> } = {}): Promise<Rig> {
  const clock = o.clock ?? new FakeClock();
  const radio = o.radio ?? new FakeRadio();
  const modem = o.modem ?? new FakeModem();
  const store = o.store ?? new MemoryStore();
  const log = silentLogger();
  const links = new LinkHealthRegistry({ log });
  links.set("terminal-1", "ready", "");
  links.set("modem-1", "ready", "");
  const config = dispatchConfig(o.config);
  const ports = new ChannelPorts({ radios: new Map([["terminal-1", radio]]), modems: new Map([["modem-1", modem]]), links });
  const published = new Map<string, Record<string, unknown>>();
  const cleared: string[] = [];
  const index = new RosterIndex(ROSTER);
  const receipts = new ReceiptQueue({ file: o.receiptFile ?? new MemoryReceiptFile(), ports, clock, log });
  const dispatcher = new Dispatcher({ config, roster: () => index, store, ports, clock, log, receipts, publish: (id, doc) => (published.set(id, doc), o.publish?.(id, doc) ?? Promise.resolve()), unpublish: (id) => (published.delete(id), cleared.push(id), Promise.resolve()), random: () => 0.4 });
  const incoming = new IncomingRouter({ config, dispatcher, roster: () => index, ports, log });
  ports.onIncoming((m) => void incoming.handle(m));
  await dispatcher.start();
  return { clock, radio, modem, store, links, dispatcher, incoming, published, cleared };
}
