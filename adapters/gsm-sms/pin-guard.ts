import { readFileSync, statSync } from "node:fs";
import { GatewayError } from "../../src/shared/errors.js";
import type { ModemService } from "../../src/ports/sms-modem.js";
import type { CpinState } from "./commands/sim-commands.js";
import { dirname } from "node:path";
import { StateDirectory, readFileIfExists, writeFileDurableSync } from "../../src/shared/durable-file.js";

/**
 * The wrong-PIN rule: a SIM must never lock. A PIN is sent at most once per SIM until it is known to be
 * right; a rejected or unconfirmed attempt is persisted per ICCID (fsynced, before the PIN is sent) and
 * no PIN is sent to that SIM again until an operator clears it (`rakelgw modem pin-clear`). Never a PIN
 * when the SIM asks for its PUK or has ≤ 1 attempt left (27.007 §8.3, §8.65). The PIN itself comes from
 * a secret file or an environment variable, never from the main configuration, and is never logged.
 */

/** Where the PIN comes from. Both unset: no PIN (fine for SIMs with the PIN check disabled). */
export interface PinSource {
  /** Path to a file holding only the PIN (mode 0600, e.g. /etc/rakelgw/secrets/modem-a.pin). */
  file?: string;
  /** Name of an environment variable holding the PIN (e.g. a systemd `LoadCredential`/`Environment`). */
  env?: string;
}

/** Reads the PIN; `undefined` when no source is set. Errors never contain the PIN. */
export function readPin(source: PinSource | undefined, warn?: (msg: string) => void): string | undefined {
  let raw: string | undefined;
  let where = "";
  if (source?.file) {
    where = `PIN file ${source.file}`;
    try {
      raw = readFileSync(source.file, "utf8");
      if ((statSync(source.file).mode & 0o077) !== 0) warn?.(`${where} is readable by group or others; chmod 600 it`);
    } catch (err) {
      throw new GatewayError("CFG_INVALID", `cannot read ${where}: ${(err as NodeJS.ErrnoException).code ?? "error"}`, { cause: err });
    }
  } else if (source?.env) {
    where = `environment variable ${source.env}`;
    raw = process.env[source.env];
    if (raw === undefined) return undefined;
  } else return undefined;
  const pin = raw.trim();
  // TS 31.102 §9.4.2 / ETSI TS 102 221: a PIN is 4-8 digits.
  if (!/^\d{4,8}$/.test(pin)) throw new GatewayError("CFG_INVALID", `${where} does not hold a PIN of 4-8 digits`);
  return pin;
}

/** A persisted PIN fact of one SIM. */
export interface PinRecord {
  /** `attempting`: written before the PIN was sent, outcome not (yet) known; `rejected`: the SIM said no. */
  status: "attempting" | "rejected";
  at: string;
  detail: string;
  modem?: string;
}

/**
 * The persisted PIN facts, one JSON object keyed by SIM (ICCID, or `modem:<name>` when the ICCID cannot
 * be read). Read on every access so a CLI run and the daemon see the same facts.
 */
export class PinStateStore {
  private readonly dir: StateDirectory;

  constructor(readonly path: string) {
    this.dir = new StateDirectory(dirname(path));
  }

  list(): Record<string, PinRecord> {
    const text = readFileIfExists(this.path);
    if (text === undefined || text.trim() === "") return {};
    try {
      const data = JSON.parse(text) as unknown;
      if (typeof data !== "object" || data === null || Array.isArray(data)) throw new Error("not an object");
      return data as Record<string, PinRecord>;
    } catch (err) {
      // Unreadable facts must not turn into "no facts": the caller then refuses every PIN (fail safe).
      throw new GatewayError("STORE_CORRUPT", `PIN state file ${this.path} is unreadable; fix or remove it after checking the SIMs`, { cause: err });
    }
  }

  get(simKey: string): PinRecord | undefined {
    return this.list()[simKey];
  }

  set(simKey: string, record: PinRecord): void {
    const all = this.list();
    all[simKey] = record;
    this.write(all);
  }

  /** Removes the record of one SIM; true when there was one. */
  clear(simKey: string): boolean {
    const all = this.list();
    if (!(simKey in all)) return false;
    delete all[simKey];
    this.write(all);
    return true;
  }

  private write(all: Record<string, PinRecord>): void {
    this.dir.writeSync(() => writeFileDurableSync(this.path, JSON.stringify(all, null, 2) + "\n"));
  }
}

/** What `decidePin` says to do. */
export type PinDecision =
  | { action: "none"; clearRecord: boolean }
  | { action: "enter" }
  | { action: "refuse"; service: Extract<ModemService, "sim-blocked" | "sim-pin-required">; code: "SIM_PIN_BLOCKED" | "SIM_PIN_REQUIRED"; reason: string; markRejected: boolean };

/** What `decidePin` decides on. */
export interface PinDecisionInput {
  cpin: CpinState;
  record: PinRecord | undefined;
  /** From `AT+CPINR`/`^SPIC`/`+QPINC`, when the model reports it. */
  attemptsLeft: number | undefined;
  pinAvailable: boolean;
}

/** Pure: what to do with the SIM's PIN request. Every branch that does not send the PIN says why. */
export function decidePin(i: PinDecisionInput): PinDecision {
  const blocked = (reason: string, markRejected = false): PinDecision => ({ action: "refuse", service: "sim-blocked", code: "SIM_PIN_BLOCKED", reason, markRejected });
  switch (i.cpin) {
    case "READY":
    case "SIM PIN2":
    case "SIM PUK2":
      // PIN2/PUK2 guard only fixed dialling and charging (27.007 §8.3); SMS works. An "attempting" record
      // with the SIM now ready means that attempt was accepted.
      return { action: "none", clearRecord: i.record?.status === "attempting" };
    case "SIM PUK":
      return blocked("the SIM asks for its PUK; no PIN is sent (unblock it in a phone)");
    case "SIM PIN":
      break;
    default:
      return blocked(`the SIM asks for "${i.cpin}", which the gateway never answers`);
  }
  if (i.record?.status === "rejected") return blocked(`a PIN was rejected for this SIM at ${i.record.at}; no PIN is sent again until an operator clears it`);
  if (i.record?.status === "attempting") {
    return blocked(`a PIN was sent at ${i.record.at} with no known outcome and the SIM still asks for it; treated as rejected`, true);
  }
  if (i.attemptsLeft !== undefined && i.attemptsLeft <= 1) return blocked(`only ${i.attemptsLeft} PIN attempt(s) left; no PIN is sent (the SIM would lock)`);
  if (!i.pinAvailable) return { action: "refuse", service: "sim-pin-required", code: "SIM_PIN_REQUIRED", reason: "the SIM asks for a PIN and none is configured", markRejected: false };
  return { action: "enter" };
}
