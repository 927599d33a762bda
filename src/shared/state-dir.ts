import { homedir } from "node:os";
import { join } from "node:path";

/** Where the daemon keeps its state when neither the environment nor the configuration names a place. */
export const SERVICE_STATE_DIR = "/var/lib/rakelgw";

/**
 * The one default state directory (PIN attempts, SMS inbox, talk-group check log, broker persistence):
 * `$RAKELGW_STATE_DIR`; else systemd's `$STATE_DIRECTORY` (set from `StateDirectory=`, the first entry when it
 * lists several, separated by colons); else, for the daemon (`service`), /var/lib/rakelgw, and for a user's
 * CLI command `$XDG_STATE_HOME/rakelgw` or `~/.local/state/rakelgw`.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, o: { service?: boolean } = {}): string {
  const systemd = env["STATE_DIRECTORY"]?.split(":")[0];
  const fromEnv = env["RAKELGW_STATE_DIR"] || systemd;
  if (fromEnv) return fromEnv;
  if (o.service) return SERVICE_STATE_DIR;
  return join(env["XDG_STATE_HOME"] || join(homedir(), ".local", "state"), "rakelgw");
}
