import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The one default state directory (PIN attempts, SMS inbox, talk-group check log, broker persistence):
 * `$RAKELGW_STATE_DIR`; else systemd's `$STATE_DIRECTORY` (set from `StateDirectory=`, the first entry when it
 * lists several, separated by colons); else `$XDG_STATE_HOME/rakelgw`; else `~/.local/state/rakelgw`.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const systemd = env["STATE_DIRECTORY"]?.split(":")[0];
  return env["RAKELGW_STATE_DIR"] || systemd || join(env["XDG_STATE_HOME"] || join(homedir(), ".local", "state"), "rakelgw");
}
