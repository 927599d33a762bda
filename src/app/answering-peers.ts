/** The parts of the simulated terminal the answering people use. */
export interface AnsweringTerminal {
  on(event: "sds-sent", fn: (s: { ssi: string; toGroup: boolean; text?: string }) => void): () => void;
  injectText(from: string, text: string): unknown;
  injectStatus(from: string, value: number): unknown;
}

/** The parts of the simulated modem the answering people use. */
export interface ModemSimulator {
  on(event: "sms-sent", fn: (s: { to: string; text: string | null }) => void): () => void;
  deliverSms(from: string, text: string): unknown;
}

/**
 * Simulated people who answer alerts (the demo and the e2e tests): they read the 4-digit code from the
 * alert text the simulated terminal or modem sent them and answer after a delay, by SDS text, by Rakel
 * status or by SMS — or stay silent. One answer per alert code and person, like a person would.
 */
export type PeerAnswer =
  | { by: "sds"; text: string; delayMs: number }
  | { by: "status"; value: number; delayMs: number }
  | { by: "sms"; text: string; delayMs: number }
  | { by: "none" };

export interface AnsweringPeer {
  /** The ISSI (SDS) and/or MSISDN (SMS) this person is reached at. */
  issi?: string;
  msisdn?: string;
  answer: PeerAnswer;
}

/** The code of an alert text: the last 4-digit number (`… Svara OK 4711 / NEJ 4711 / SEN 4711`). */
export function codeOf(text: string): string | undefined {
  const all = text.match(/\b[0-9]{4}\b/g);
  return all?.at(-1);
}

export function attachAnsweringPeers(peers: readonly AnsweringPeer[], sims: { terminal?: AnsweringTerminal; modem?: ModemSimulator }, onAnswer?: (who: string, what: string) => void): () => void {
  const answered = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const reached = (who: AnsweringPeer, text: string | null | undefined): void => {
    const code = text ? codeOf(text) : undefined;
    const name = who.issi ?? who.msisdn ?? "?";
    if (!code || who.answer.by === "none" || answered.has(`${name}/${code}`) || /^KVITTO/.test(text ?? "")) return;
    answered.add(`${name}/${code}`);
    const a = who.answer;
    const t = setTimeout(() => {
      timers.delete(t);
      if (a.by === "sds" && who.issi) sims.terminal?.injectText(who.issi, a.text.replace("{code}", code));
      else if (a.by === "status" && who.issi) sims.terminal?.injectStatus(who.issi, a.value);
      else if (a.by === "sms" && who.msisdn) sims.modem?.deliverSms(who.msisdn, a.text.replace("{code}", code));
      onAnswer?.(name, a.by);
    }, a.delayMs);
    timers.add(t);
  };
  const onSds = (s: { ssi: string; toGroup: boolean; text?: string }): void => {
    if (s.toGroup) return;
    const who = peers.find((p) => p.issi !== undefined && Number(p.issi) === Number(s.ssi));
    if (who) reached(who, s.text);
  };
  const onSms = (s: { to: string; text: string | null }): void => {
    const who = peers.find((p) => p.msisdn !== undefined && p.msisdn.replace(/^\+/, "") === s.to.replace(/^\+/, ""));
    if (who) reached(who, s.text);
  };
  const offs = [sims.terminal?.on("sds-sent", onSds), sims.modem?.on("sms-sent", onSms)];
  return () => {
    for (const t of timers) clearTimeout(t);
    for (const off of offs) off?.();
  };
}
