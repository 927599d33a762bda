import { readFile } from "node:fs/promises";
import { GatewayError, fail, ok, type ParseResult } from "../../../src/shared/errors.js";
import { byCodeUnits } from "../../../src/shared/code-unit-order.js";
import { removeStaleTemps, writeFileDurable } from "../../../src/shared/durable-file.js";
import { parseHash } from "./password-hash.js";

/**
 * The broker's users file, in the spirit of mosquitto's password file: one `username:hash` per line,
 * `#` comments and blank lines ignored. Hashes are `$scrypt$…` (see password-hash.ts). The file is written
 * only by `rakelgw users add|remove` (atomically, mode 0600) and read by the broker at start and on reload.
 *
 *   # county board's dispatch console
 *   county-board:$scrypt$N=16384,r=8,p=1$3q2+7w…$Zm9v…
 *   display-1:$scrypt$N=16384,r=8,p=1$…$…
 */
export type UsersMap = Map<string, string>;

/**
 * Usernames: letters, digits, `_ . @ -`, 1-64 characters. No `/ + #` so `%u` in an ACL pattern can never
 * widen a topic, no `:` (the file's separator), and no leading `$` (reserved for the gateway's own account).
 */
export const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Returns why `name` is not a valid username, or undefined. */
export function checkUsername(name: string): string | undefined {
  return USERNAME.test(name) ? undefined : "username must be 1-64 characters of A-Z a-z 0-9 _ . @ -";
}

/** Parses users-file text; problems are reported as `line N: reason`. */
export function parseUsersFile(text: string): ParseResult<UsersMap> {
  const users: UsersMap = new Map();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const hash = colon < 0 ? "" : line.slice(colon + 1);
    const bad = checkUsername(name) ?? (parseHash(hash) ? undefined : "hash is not a valid $scrypt$ hash (create entries with `rakelgw users add`)");
    if (bad) problems.push(`line ${i + 1}: ${bad}`);
    else if (users.has(name)) problems.push(`line ${i + 1}: user "${name}" appears twice`);
    else users.set(name, hash);
  });
  return problems.length > 0 ? fail(problems.join("; ")) : ok(users);
}

/** Renders a users map as file text, sorted by name (code units: the same file on every machine). */
export function serializeUsers(users: UsersMap): string {
  const lines = ["# rakelgw MQTT users (written by `rakelgw users`); format: username:$scrypt$N=…,r=…,p=…$salt$key"];
  for (const [name, hash] of [...users].sort(([a], [b]) => byCodeUnits(a, b))) lines.push(`${name}:${hash}`);
  return lines.join("\n") + "\n";
}

/**
 * Reads and parses a users file; a missing file is an empty map when `missingOk`. Temp files a
 * `rakelgw users` write interrupted by a crash left beside it are removed first.
 */
export async function loadUsersFile(path: string, missingOk = false): Promise<UsersMap> {
  await removeStaleTemps(path);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (missingOk && (err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw new GatewayError("MQTT_AUTH_FILE_INVALID", `cannot read users file ${path}`, { cause: err, context: { path } });
  }
  const parsed = parseUsersFile(text);
  if (!parsed.ok) throw new GatewayError("MQTT_AUTH_FILE_INVALID", `users file ${path}: ${parsed.reason}`, { context: { path, problems: parsed.reason.split("; ") } });
  return parsed.value;
}

/** Writes the users file atomically with mode 0600. */
export async function saveUsersFile(path: string, users: UsersMap): Promise<void> {
  await writeFileDurable(path, serializeUsers(users), { mode: 0o600 });
}
