/**
 * Events of the simulated terminal, for tests, the demo UI and `rakelgw simulate terminal` logging.
 */
import type { RadioDisplayItem, SentSds } from "./behaviour.js";

/** Event map of {@link SimTerminal} (a `TypedEmitter`). */
export interface SimTerminalEvents {
  /** A command line (or user data block) arrived from the host and was taken for processing. */
  command: (line: string) => void;
  /** The host sent an SDS (`AT+CMGS` accepted); also appended to `sim.sent`. */
  "sds-sent": (sds: SentSds) => void;
  /** An incoming SDS was shown on the radio (not routed to the PEI, or profile 2); also in `sim.shownOnRadio`. */
  "radio-display": (item: RadioDisplayItem) => void;
  /** Unsolicited lines written (or held for writing) to the PEI. */
  unsolicited: (lines: string[]) => void;
  /** Power state changed (reboot). */
  power: (state: "off" | "on") => void;
  /** Registration status changed (0 not registered, 1 registered, 2 searching). */
  registration: (stat: number) => void;
  /** The selected talk group changed (host, front panel or mode switch). */
  "group-selected": (gssi: string, mode: number) => void;
  /** A byte link was attached or went away. */
  connection: (state: "attached" | "detached", description: string) => void;
  /** Something the gateway must never do happened (e.g. it sent `ATZ`). */
  warning: (message: string) => void;
}
