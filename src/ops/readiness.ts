import { constants } from "node:fs";
import { access } from "node:fs/promises";

/**
 * `/readyz`: the gateway can do its job. Ready means the configuration was loaded, the state directory is
 * open for writing, and at least one alert channel is ready (a terminal for SDS or a modem for SMS whose
 * link is `ready` or `degraded`: degraded still sends).
 */
export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ReadinessInputs {
  configPath: string;
  stateDir: string;
  /** Link states of the alert channels (terminals and modems), by id. */
  channels: () => Record<string, string>;
}

const USABLE = new Set(["ready", "degraded"]);

export async function readiness(i: ReadinessInputs): Promise<{ ready: boolean; checks: ReadinessCheck[] }> {
  const checks: ReadinessCheck[] = [{ name: "config", ok: true, detail: `loaded from ${i.configPath}` }];
  try {
    await access(i.stateDir, constants.W_OK);
    checks.push({ name: "state", ok: true, detail: `${i.stateDir} writable` });
  } catch (err) {
    checks.push({ name: "state", ok: false, detail: `${i.stateDir}: ${(err as NodeJS.ErrnoException).code ?? "not writable"}` });
  }
  const channels = Object.entries(i.channels());
  const usable = channels.filter(([, s]) => USABLE.has(s)).map(([id]) => id);
  checks.push({ name: "alert-channel", ok: usable.length > 0, detail: usable.length > 0 ? `ready: ${usable.join(", ")}` : channels.length === 0 ? "no terminal or modem configured" : `none ready (${channels.map(([id, s]) => `${id} ${s}`).join(", ")})` });
  return { ready: checks.every((c) => c.ok), checks };
}
