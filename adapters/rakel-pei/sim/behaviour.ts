/**
 * The behaviour chain (after zwave-js `MockController.defineBehavior`): each command is
 * offered to the behaviours newest first; the first one that returns a reply answers it. The defaults model
 * a real terminal; a test adds its own in front to script a firmware quirk.
 */
import type { Logger } from "../../../src/shared/logger.js";
import type { SimReply } from "../../shared-kits/simulator/behaviour-chain.js";
import type { DecodedSds } from "../sds/index.js";
import type { ParsedCommand } from "../../shared-kits/simulator/command-line.js";
import type { SimTalkGroup, SimTerminalConfig } from "./sim-config.js";
import type { SimFaults } from "./sim-faults.js";
import type { TerminalState } from "./terminal-state.js";

/** A command as the behaviours see it; `data` is the user data of `AT+CMGS` (up to, not including, Ctrl-Z). */
export interface SimCommand extends ParsedCommand {
  data?: string;
}

export { cme, error, finalText, ok, type SimFinal, type SimReply } from "../../shared-kits/simulator/behaviour-chain.js";

/** One link of the chain. Return `undefined` to pass the command on. */
export interface SimBehaviour {
  readonly name: string;
  onCommand(cmd: SimCommand, ctx: SimContext): SimReply | undefined;
}

/** A gated service: `AT+CTSP` layer 1 and layer 2 (docs/pei.md §2.1). */
export interface ServiceKey {
  layer1: number;
  layer2: number;
}

/** One SDS the host sent through `AT+CMGS`, as the radio would put it on the air. */
export interface SentSds {
  at: Date;
  /** Called party identity as the host wrote it. */
  destination: string;
  /** The SSI inside it (last 8 digits of a TSI). */
  ssi: string;
  /** True when the SSI is one of the programmed talk groups. */
  toGroup: boolean;
  aiService: number;
  bits: number;
  /** Canonical uppercase hex, trimmed to `bits`. */
  hex: string;
  /** Decoded with the gateway's SDS codec; `undefined` when it could not be decoded (see `decodeError`). */
  decoded: DecodedSds | undefined;
  decodeError?: string;
  /** Text of a text SDS, for convenience. */
  text?: string;
  /** The reference reported in `+CMGS: 0,<status>,<ref>` (SDS-TL reference, else 0). */
  messageReference: number;
  /** Outcome over the air: `+CMGS: 0,4` (sent) or `0,5` (failed). */
  transmission: "sent" | "failed";
}

/** An incoming SDS that was shown on the radio only, because no `AT+CTSP` routed it to the PEI. */
export interface RadioDisplayItem {
  at: Date;
  from: string;
  to: string;
  aiService: number;
  bits: number;
  hex: string;
  decoded: DecodedSds | undefined;
  text?: string;
  /** `mt-only`: not routed to the PEI; `mt-copy`: profile 2, also written to the PEI. */
  reason: "mt-only" | "mt-copy";
}

/** What a behaviour may use: state, configuration, and the terminal's outputs. */
export interface SimContext {
  readonly config: SimTerminalConfig;
  readonly state: TerminalState;
  readonly faults: SimFaults;
  readonly log: Logger;
  /** Unsolicited lines that need an `AT+CTSP` registration; returns true when they reached the PEI. */
  notify(service: ServiceKey, lines: string[]): boolean;
  /** Unsolicited lines that need no registration (`+CREG`, `+CMGS: 0,4,ref`). */
  unsolicited(lines: string[]): void;
  /** Runs `fn` after `ms`, unless the terminal reboots first. */
  schedule(ms: number, fn: () => void): void;
  /** The programmed groups for an AI mode: TMO codeplug plus DGNA, or the DMO codeplug. */
  groupsFor(mode: number): SimTalkGroup[];
  /** Group identity as this terminal writes it (SSI or TSI, config `groupIdentityFormat`). */
  formatGroup(gssi: string): string;
  /** Selects a group and announces it (`+CTGS: 1,<gssi>` when group management is registered). */
  selectGroup(gssi: string): void;
  /** Switches AI mode and announces it (`+CTOM: <mode>`). */
  setMode(mode: number): void;
  /** Records an SDS the host sent and schedules its air result and the peer's reaction. */
  transmit(sent: Omit<SentSds, "at" | "transmission">): SentSds;
  /** Ends the active call (`+CTCR: <cc>,<cause>`). */
  endCall(cause?: number): void;
  /** Loud warning (logged at error and emitted as `warning`). */
  warn(message: string): void;
  /** Power-cycles the terminal. */
  reboot(downMs: number): Promise<void>;
}
