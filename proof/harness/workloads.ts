import { BASE, REMOTE_BASE, type Rig } from "./rig.js";

/**
 * A workload is one way work enters the gateway and one place it must come out: an "accepted item" (the
 * gateway said yes to its source) and "what the device must have received" (the simulated terminal or modem,
 * or the regional broker). Every proof counts the same way: accepted items missing at their sink are lost;
 * an item delivered more than 1 + k times, k = crashes between its submission and its last delivery, is a
 * duplicate outside the at-least-once window (docs/reliability.md R3).
 *
 * Alert dispatch (alert/send, SDS and SMS activations) plugs in as further workloads with the same shape.
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

/** One submitted item and what became of it. */
export interface Item {
  key: string;
  workload: Workload;
  submittedAt: number;
  settledAt?: number;
  outcome?: Outcome;
}

export interface LedgerFigures {
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

  /** Diffs accepted items against their sinks; `crashes` are the kill times (performance.now()). */
  figures(rig: Rig, crashes: readonly number[], workloads: readonly Workload[] = [...new Set(this.items.map((i) => i.workload))]): Map<string, LedgerFigures> {
    const out = new Map<string, LedgerFigures>();
    for (const w of workloads) {
      const sink = w.delivered(rig);
      const items = this.items.filter((i) => i.workload === w);
      const f: LedgerFigures = { submitted: items.length, accepted: 0, rejected: 0, unknown: 0, lost: 0, duplicates: 0, duplicatesOutsideWindow: 0, lostKeys: [], duplicateKeys: [] };
      for (const i of items) {
        const copies = sink.get(i.key) ?? [];
        if (i.outcome === "accepted") f.accepted++;
        else if (i.outcome === "rejected") f.rejected++;
        else f.unknown++;
        if (i.outcome === "accepted" && copies.length === 0) {
          f.lost++;
          f.lostKeys.push(i.key);
        }
        if (copies.length > 1) {
          f.duplicates += copies.length - 1;
          const last = Math.max(...copies);
          const k = crashes.filter((c) => c >= i.submittedAt && c <= last).length * (w.copiesPerCrash ?? 1);
          if (copies.length > 1 + k) {
            f.duplicatesOutsideWindow += copies.length - 1 - k;
            f.duplicateKeys.push(i.key);
          }
        }
      }
      out.set(w.name, f);
    }
    return out;
  }
}
