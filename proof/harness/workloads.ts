import { goldenSequence } from "./random.js";
import { BASE, REMOTE_BASE, type Rig } from "./rig.js";

/**
 * A workload is one way work enters the gateway and one place it must come out: an "accepted item" (the
 * gateway said yes to its source) and "what the device must have received" (the simulated terminal or modem,
 * or the regional broker). Every proof counts the same way: accepted items missing at their sink are lost;
 * an item delivered more than 1 + k times, k = crashes between its submission and its last delivery, is a
 * duplicate outside the at-least-once window (docs/reliability.md R3).
 *
 * Alert dispatch plugs in with the same shape (alertWorkloads below): one item is one alert, and its sink
 * keys are one per recipient (`<key>@<address>`), so a recipient never reached is a loss and a recipient
 * alerted twice on one channel outside the window is a duplicate.
 */
export type Outcome = "accepted" | "rejected" | "unknown";

export interface Workload {
  readonly name: string;
  /** Submits the item with this unique key; resolves with what its source was told. */
  submit(rig: Rig, key: string): Promise<Outcome>;
  /**
   * Copies one crash may add (R3's k counts crashes): 1 where only the gateway resends; 2 for a device's
   * QoS 1 publish, which the device itself sends again after the broker died before its PUBACK, on top of
   * the uplink journal's own resend of a message whose regional PUBACK was not yet journaled.
   */
  readonly copiesPerCrash?: number;
  /** Arrival times (performance.now()) of every copy of each key at this workload's sink. */
  delivered(rig: Rig): Map<string, number[]>;
  /** The sink keys one item must reach (default: its own key); an alert has one per recipient. */
  sinkKeys?(key: string): readonly string[];
  /**
   * The item's outcome as known at the end of the run, when its source gives no answer of its own (an SDS
   * activation is accepted once its alert exists) or the answer was lost with a crash.
   */
  finalOutcome?(rig: Rig, item: Item): Outcome;
  /** The alert codes each key's copies carried (every copy of one alert must carry the same code). */
  codes?(rig: Rig): Map<string, Set<string>>;
}

const KEY_RE = /P[0-9a-z]+-\d+/g;

function indexKeys(texts: Iterable<{ text: string | null | undefined; at: number }>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { text, at } of texts) {
    for (const k of text?.match(KEY_RE) ?? []) {
      const l = out.get(k) ?? [];
      l.push(at);
      out.set(k, l);
    }
  }
  return out;
}

/** Epoch ms → performance.now() scale, for the simulators' Date stamps. */
const toPerf = (d: Date): number => d.getTime() - (Date.now() - performance.now());

function verbOutcome(r: Record<string, unknown>): Outcome {
  if (r["status"] === "ok") return "accepted";
  if (r["status"] === "error") return "rejected";
  return "unknown";
}

/** `sds/send`: accepted when the gateway answers ok (the terminal took the AT+CMGS); sink: the terminal. */
export const sdsVerb: Workload = {
  name: "sds/send",
  async submit(rig, key) {
    return verbOutcome(await rig.request("sds/send", { to: "issi:2009999", text: `Proof ${key}` }, 40_000).catch((): Record<string, unknown> => ({})));
  },
  delivered: (rig) => indexKeys(rig.terminal.sim.sent.map((s) => ({ text: s.text, at: toPerf(s.at) }))),
};

/** `sms/send`: accepted when the gateway answers ok (the modem answered +CMGS); sink: the modem. */
export const smsVerb: Workload = {
  name: "sms/send",
  async submit(rig, key) {
    return verbOutcome(await rig.request("sms/send", { to: "+46701234567", text: `Proof ${key}` }, 40_000).catch((): Record<string, unknown> => ({})));
  },
  delivered: (rig) => indexKeys(rig.modem.sim.sent.map((s) => ({ text: s.text, at: toPerf(s.at) }))),
};

/**
 * A local device's QoS 1 publish on a bridged topic: accepted on PUBACK from the gateway's broker; sink: the
 * regional Mosquitto (through the uplink's journal).
 */
export const uplinkPublish: Workload = {
  name: "uplink",
  copiesPerCrash: 2,
  submit(rig, key) {
    const c = rig.client;
    if (!c?.connected) return Promise.resolve("unknown");
    return new Promise((res) => {
      const timer = setTimeout(() => res("unknown"), 20_000);
      c.publish(`${BASE}/events/proof/${key}`, key, { qos: 1 }, (err) => {
        clearTimeout(timer);
        res(err ? "unknown" : "accepted");
      });
    });
  },
  delivered(rig) {
    const out = new Map<string, number[]>();
    const prefix = `${REMOTE_BASE}/events/proof/`;
    for (const [topic, at] of rig.upstream) if (topic.startsWith(prefix)) out.set(topic.slice(prefix.length), at);
    return out;
  },
};

/**
 * A fault that opens the at-least-once window: a moment (a kill, an unplug) or a span (an uplink outage, from
 * its start until the uplink is back). A duplicate is inside the window when a fault falls within, or a span
 * overlaps, the time from the item's submission to its last copy.
 */
export type WindowFault = number | { from: number; to: number };

/** One submitted item and what became of it. */
export interface Item {
  key: string;
  workload: Workload;
  submittedAt: number;
  settledAt?: number;
  outcome?: Outcome;
}

/** What became of `item` as known now: its workload's own final word when it has one, else the answer it got. */
export function outcomeOf(rig: Rig, item: Item): Outcome | undefined {
  return item.workload.finalOutcome?.(rig, item) ?? item.outcome;
}

/** The sink keys `item` must reach: one per alert recipient, or its own key. */
export function sinkKeysOf(item: Item): readonly string[] {
  return item.workload.sinkKeys?.(item.key) ?? [item.key];
}

export interface LedgerFigures {
  /** Sink keys the accepted items had to reach (one per item, or one per alert recipient). */
  sinks: number;
  /** Items whose copies carried more than one alert code. */
  codeMismatches: number;
  submitted: number;
  accepted: number;
  rejected: number;
  unknown: number;
  lost: number;
  duplicates: number;
  duplicatesOutsideWindow: number;
  lostKeys: string[];
  duplicateKeys: string[];
}

/** The ledger of a run: which items were accepted, and the diff against the sinks. */
export class Ledger {
  readonly items: Item[] = [];
  private n = 0;
  readonly run = `P${Date.now().toString(36)}`;

  nextKey(): string {
    return `${this.run}-${++this.n}`;
  }

  async submit(rig: Rig, w: Workload): Promise<Item> {
    const item: Item = { key: this.nextKey(), workload: w, submittedAt: performance.now() };
    this.items.push(item);
    item.outcome = await w.submit(rig, item.key);
    item.settledAt = performance.now();
    return item;
  }

  /** Diffs accepted items against their sinks; `faults` are the kill times (performance.now()) or spans. */
  figures(rig: Rig, faults: readonly WindowFault[], workloads: readonly Workload[] = [...new Set(this.items.map((i) => i.workload))]): Map<string, LedgerFigures> {
    const out = new Map<string, LedgerFigures>();
    for (const w of workloads) {
      const sink = w.delivered(rig);
      const codes = w.codes?.(rig);
      const items = this.items.filter((i) => i.workload === w);
      const f: LedgerFigures = { sinks: 0, codeMismatches: 0, submitted: items.length, accepted: 0, rejected: 0, unknown: 0, lost: 0, duplicates: 0, duplicatesOutsideWindow: 0, lostKeys: [], duplicateKeys: [] };
      for (const i of items) {
        const outcome = outcomeOf(rig, i);
        if (outcome === "accepted") f.accepted++;
        else if (outcome === "rejected") f.rejected++;
        else f.unknown++;
        if ((codes?.get(i.key)?.size ?? 0) > 1) f.codeMismatches++;
        for (const key of sinkKeysOf(i)) {
          const copies = sink.get(key) ?? [];
          if (outcome === "accepted") {
            f.sinks++;
            if (copies.length === 0) {
              f.lost++;
              f.lostKeys.push(key);
            }
          }
          if (copies.length > 1) {
            f.duplicates += copies.length - 1;
            const last = Math.max(...copies);
            const k = faults.filter((c) => (typeof c === "number" ? c >= i.submittedAt && c <= last : c.from <= last && c.to >= i.submittedAt)).length * (w.copiesPerCrash ?? 1);
            if (copies.length > 1 + k) {
              f.duplicatesOutsideWindow += copies.length - 1 - k;
              f.duplicateKeys.push(key);
            }
          }
        }
      }
      out.set(w.name, f);
    }
    return out;
  }
}

// ---- alert dispatch ------------------------------------------------------------------------------------

/** The proof site's dispatch roster: six roles of one person each; r1–r4 reached by SDS, r5–r6 by SMS. */
export const PROOF_ROSTER = {
  people: [1, 2, 3, 4, 5, 6].map((n) => ({ id: `p${n}`, name: `Proof person ${n}`, channels: [n <= 4 ? { sds: `300000${n}` } : { sms: `+4673000000${n}` }] })),
  roles: [1, 2, 3, 4, 5, 6].map((n) => ({ id: `r${n}`, name: `Proof role ${n}`, people: [`p${n}`] })),
};
const roleAddress = (role: string): string => {
  const n = Number(role.slice(1));
  return n <= 4 ? `issi:300000${n}` : `msisdn:+4673000000${n}`;
};
/** The activators allowed by the proof site (dispatch.activators). */
export const PROOF_ACTIVATOR_ISSI = "2008888";
export const PROOF_ACTIVATOR_MSISDN = "+46708888888";
const ALERT_CODE_RE = /SSR (\d{4}):/;

/** Deterministic per key, so a run repeats with its seed: a number in [0, 1). */
function keyRandom(key: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1_000_003) / 1_000_003;
}

/** Every alert copy the devices received, as `<key>@<address>` → arrival times, and key → codes seen. */
function alertSinks(rig: Rig): { arrivals: Map<string, number[]>; codes: Map<string, Set<string>> } {
  const arrivals = new Map<string, number[]>();
  const codes = new Map<string, Set<string>>();
  const add = (text: string | null | undefined, address: string, at: number): void => {
    if (!text?.includes("SSR ")) return;
    const code = ALERT_CODE_RE.exec(text)?.[1];
    for (const k of text.match(KEY_RE) ?? []) {
      const sk = `${k}@${address}`;
      const l = arrivals.get(sk) ?? [];
      l.push(at);
      arrivals.set(sk, l);
      if (code) {
        const c = codes.get(k) ?? new Set<string>();
        c.add(code);
        codes.set(k, c);
      }
    }
  };
  for (const s of rig.terminal.sim.sent) add(s.text, `issi:${s.ssi}`, toPerf(s.at));
  for (const s of rig.modem.sim.sent) add(s.text, `msisdn:${s.to.startsWith("+") ? s.to : `+${s.to}`}`, toPerf(s.at));
  return { arrivals, codes };
}

/**
 * The three ways an alert starts, each a workload whose sink is every recipient:
 * - `alert/send` over MQTT to 1–200 recipients (log-uniform; about one in ten an SMS number), accepted on
 *   the `ok` that follows the durable write. The counts follow a golden-ratio sequence rather than
 *   independent draws: every run of alerts spans the range evenly, so the recipients that alerts still open
 *   hold at once stay steady (with independent draws they wandered by a third over half an hour in the soak,
 *   the daemon's heap by 3 MiB with them: docs/reliability.md, run L);
 * - an SDS activation `LARM r…,r… Proof <key>` from the allowed ISSI, accepted once its alert exists (the
 *   radio gives the sender no receipt of its own: an SDS arriving while the daemon is dead is not accepted);
 * - an SMS activation from the allowed number, accepted as soon as the modem has it: from then on the
 *   gateway must not lose it (the SIM keeps it until the inbox has it, the inbox until its alert is written).
 */
export function alertWorkloads(): { alertSend: Workload; sdsActivation: Workload; smsActivation: Workload } {
  const sinks = new Map<string, string[]>();
  let cache: { at: number; value: ReturnType<typeof alertSinks> } | undefined;
  const sinksOf = (rig: Rig): ReturnType<typeof alertSinks> => {
    // drain() asks every 250 ms for each workload: one scan serves all three.
    if (!cache || performance.now() - cache.at > 200) cache = { at: performance.now(), value: alertSinks(rig) };
    return cache.value;
  };
  const common = {
    copiesPerCrash: 1,
    delivered: (rig: Rig) => sinksOf(rig).arrivals,
    codes: (rig: Rig) => sinksOf(rig).codes,
    sinkKeys: (key: string) => sinks.get(key) ?? [],
  };
  let quantile: (() => number) | undefined;
  const alertExists = (rig: Rig, item: Item): Outcome => (rig.alertTexts.has(item.key) ? "accepted" : (item.outcome ?? "unknown"));
  const roles = (key: string): string[] => {
    const picked = [1, 2, 3, 4, 5, 6].filter((n) => keyRandom(key, n) < (n <= 4 ? 0.5 : 0.1)).map((n) => `r${n}`);
    return picked.length > 0 ? picked : ["r1"];
  };
  return {
    alertSend: {
      name: "alert/send (1–200 recipients)",
      ...common,
      finalOutcome: (rig, item) => (item.outcome === "accepted" ? "accepted" : alertExists(rig, item)),
      async submit(rig, key) {
        quantile ??= goldenSequence(keyRandom(key, 0));
        const n = Math.max(1, Math.min(200, Math.floor(Math.exp(quantile() * Math.log(201)))));
        const base = Number(key.slice(key.lastIndexOf("-") + 1)) % 400;
        const recipients = Array.from({ length: n }, (_, i) => (keyRandom(key, 100 + i) < 0.1 && i < 3 ? `msisdn:+46731${String(base).padStart(3, "0")}${String(i).padStart(3, "0")}` : `issi:5${String(base).padStart(3, "0")}${String(i).padStart(3, "0")}`));
        sinks.set(key, recipients.map((r) => `${key}@${r}`));
        const r = await rig.request("alert/send", { kind: "activation", text: `Proof ${key}`, recipients, ackTimeoutS: 5 }, 40_000).catch((): Record<string, unknown> => ({}));
        return verbOutcome(r);
      },
    },
    sdsActivation: {
      name: "SDS activation",
      ...common,
      finalOutcome: alertExists,
      submit(rig, key) {
        const rs = roles(key);
        sinks.set(key, rs.map((r) => `${key}@${roleAddress(r)}`));
        if (!rig.terminal.plugged) return Promise.resolve("rejected");
        rig.terminal.sim.injectText(PROOF_ACTIVATOR_ISSI, `LARM ${rs.join(",")} Proof ${key}`);
        return Promise.resolve("unknown");
      },
    },
    smsActivation: {
      name: "SMS activation",
      ...common,
      submit(rig, key) {
        const rs = roles(key);
        sinks.set(key, rs.map((r) => `${key}@${roleAddress(r)}`));
        rig.modem.sim.deliverSms(PROOF_ACTIVATOR_MSISDN, `LARM ${rs.join(",")} Proof ${key}`);
        return Promise.resolve("accepted");
      },
    },
  };
}
