/**
 * The behaviour chain every simulated AT device uses (after zwave-js `MockController.defineBehavior`): a
 * command is offered to the chain's links in order; the first that returns a reply answers it, and a command
 * nobody knows answers `ERROR` (V.250). The defaults model a real device; a test puts its own link in front
 * to script a firmware quirk. Here are the reply types and helpers shared by the terminal and modem sims.
 */

/** Final result code of an answer: V.250 `OK`/`ERROR`, 27.007 `+CME ERROR`, 27.005 `+CMS ERROR`. */
export type SimFinal = "OK" | "ERROR" | { cme: number } | { cms: number };

/** An answer: information lines, a final result, an optional delay and an action once it is queued. */
export interface SimReply {
  info?: string[];
  final: SimFinal;
  /** Extra time before this answer (e.g. the network accepting a submission). */
  delayMs?: number;
  /** Runs after the answer is written (unsolicited follow-ups, timers). */
  then?: () => void;
}

/** `OK` with optional information lines and follow-up. */
export const ok = (info: string[] = [], then?: () => void): SimReply => (then ? { info, final: "OK", then } : { info, final: "OK" });
/** `+CME ERROR: <code>`. */
export const cme = (code: number): SimReply => ({ final: { cme: code } });
/** `+CMS ERROR: <code>` (27.005 §3.2.5). */
export const cms = (code: number): SimReply => ({ final: { cms: code } });
/** Plain `ERROR` (V.250: unknown command). */
export const error = (): SimReply => ({ final: "ERROR" });

/** The text of a final result code. */
export function finalText(f: SimFinal): string {
  if (typeof f === "string") return f;
  return "cme" in f ? `+CME ERROR: ${f.cme}` : `+CMS ERROR: ${f.cms}`;
}

/** Offers a command to the chain's links in order; the first reply wins, none answers `ERROR` (V.250). */
export function firstReply<L>(chain: readonly L[], offer: (link: L) => SimReply | undefined): SimReply {
  for (const link of chain) {
    const reply = offer(link);
    if (reply) return reply;
  }
  return error();
}
