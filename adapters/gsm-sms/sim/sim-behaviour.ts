import type { ParsedCommand } from "../../shared-kits/simulator/command-line.js";
import { cms, type SimReply } from "../../shared-kits/simulator/behaviour-chain.js";
import type { SentSms, SimModemState } from "./sim-modem-state.js";
import type { SimModemConfig, SimModemFaults } from "./sim-modem-config.js";

/**
 * The simulated modem's command handlers, as a chain (the terminal simulator's pattern): each handler
 * answers the commands it knows and returns `undefined` for the rest; an unknown command answers `ERROR`
 * (V.250). Commands parse with the simulator kit's V.250 parser (adapters/shared-kits/simulator/).
 */
export interface SimModemCommand extends ParsedCommand {
  /** The PDU of `AT+CMGS`, hex as received (up to, not including, Ctrl-Z). */
  data?: string;
}

export { cms, finalText, ok, type SimFinal, type SimReply } from "../../shared-kits/simulator/behaviour-chain.js";

/** What a handler may use. */
export interface SimModemContext {
  readonly config: SimModemConfig;
  readonly state: SimModemState;
  readonly faults: SimModemFaults;
  /** Writes unsolicited lines (one block, kept together). */
  unsolicited(lines: string[]): void;
  /** Runs `fn` after `ms` unless the modem restarts first. */
  schedule(ms: number, fn: () => void): void;
  /** Power-cycle (`AT+CFUN=1,1`). */
  reboot(downMs: number): void;
  setRegistration(stat: number): void;
  /** Records a submitted part and lets the network react (status report). */
  submitted(sent: SentSms): void;
}

/** One link of the handler chain; `undefined` passes the command on. */
export type SimHandler = (cmd: SimModemCommand, ctx: SimModemContext) => SimReply | undefined;

/** `+CME ERROR: n`, or plain `ERROR` while `+CMEE=0` (27.007 §9.1). */
export function cme(ctx: SimModemContext, code: number): SimReply {
  return { final: ctx.state.v.cmee === 0 ? "ERROR" : { cme: code } };
}

/** The SIM must be unlocked for this command: `+CME ERROR: 10` no SIM, `11` PIN, `12` PUK (27.007 §9.2.1). */
export function simGate(ctx: SimModemContext, sms: boolean): SimReply | undefined {
  const s = ctx.state.sim;
  if (s === "ready") return undefined;
  const code = s === "absent" ? 10 : s === "pin" ? 11 : 12;
  // 27.005 commands report the same conditions as +CMS ERROR 310/311/316 (27.005 §3.2.5).
  return sms ? cms(code === 10 ? 310 : code === 11 ? 311 : 316) : cme(ctx, code);
}
