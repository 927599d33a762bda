import { GatewayError } from "../shared/errors.js";

/**
 * A daily time of day, `HH:MM` in the gateway's local time (e.g. `03:30` for a nightly check). Enough for
 * "check every night"; anything richer belongs in the daemon's configuration, not here.
 */
export interface DailyTime {
  hour: number;
  minute: number;
}

/** Parses `HH:MM` (00:00–23:59); throws CFG_INVALID with the offending text. */
export function parseDailyTime(text: string): DailyTime {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!m) throw new GatewayError("CFG_INVALID", `schedule "${text}" is not a time of day HH:MM (00:00-23:59)`, { context: { schedule: text } });
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/**
 * The next local time `t` strictly after `now`. Built with the local calendar, so a daylight-saving change
 * moves the run with the wall clock; a time skipped by the change (02:30 on the spring-forward night) runs at
 * the moment the clock jumps past it.
 */
export function nextDailyRun(now: Date, t: DailyTime): Date {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate(), t.hour, t.minute, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next;
}
