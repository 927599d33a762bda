import type { Command } from "commander";
import { hashPassword } from "../../../adapters/mqtt/auth/password-hash.js";
import { checkUsername, loadUsersFile, saveUsersFile } from "../../../adapters/mqtt/auth/users-file.js";
import { GatewayError } from "../../shared/errors.js";
import type { Logger } from "../../shared/logger.js";
import { printJson, usage } from "../output.js";

/**
 * `rakelgw users add|remove|list --file F`: manages the embedded broker's users file (scrypt hashes, one
 * `username:hash` per line, written atomically with mode 0600). The password comes from `--password-stdin`
 * or an echo-free prompt, so it never lands in the shell history; `--password` exists for scripts that
 * accept that risk. The running broker applies changes on restart or reload.
 */
interface FileOpt {
  file: string;
  json?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** Reads one line from the terminal without echo. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(usage("cancelled"));
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function obtainPassword(o: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (o.password !== undefined && o.passwordStdin) throw usage("use either --password or --password-stdin");
  if (o.password !== undefined) return o.password;
  if (o.passwordStdin) return readStdin();
  if (!process.stdin.isTTY) throw usage("no password given: use --password-stdin (or run in a terminal to be prompted)");
  const first = await promptHidden("Password: ");
  const again = await promptHidden("Repeat password: ");
  if (first !== again) throw usage("the passwords do not match");
  return first;
}

/** Adds `users add|remove|list` to the program. */
export function registerUsersCommands(program: Command, log: () => Logger): void {
  const users = program.command("users").description("users of the embedded MQTT broker (scrypt-hashed users file)");

  users
    .command("add <username>")
    .description("add a user, or change the password of an existing one")
    .requiredOption("--file <path>", "users file (created if missing)")
    .option("--password-stdin", "read the password from standard input")
    .option("--password <password>", "the password itself (visible in shell history and ps; prefer --password-stdin)")
    .option("--json", "JSON output")
    .action(async (username: string, o: FileOpt & { password?: string; passwordStdin?: boolean }) => {
      const bad = checkUsername(username);
      if (bad) throw usage(bad);
      const password = await obtainPassword(o);
      if (password.length < 4) throw usage("the password must have at least 4 characters");
      const map = await loadUsersFile(o.file, true);
      const action = map.has(username) ? "updated" : "added";
      map.set(username, await hashPassword(password));
      await saveUsersFile(o.file, map);
      log().info({ mod: "cli-users", file: o.file, username, action }, "users file changed");
      if (o.json) printJson({ file: o.file, username, action });
      else process.stdout.write(`${action} user ${username} in ${o.file} (restart or reload the gateway to apply)\n`);
    });

  users
    .command("remove <username>")
    .description("remove a user")
    .requiredOption("--file <path>", "users file")
    .option("--json", "JSON output")
    .action(async (username: string, o: FileOpt) => {
      const map = await loadUsersFile(o.file);
      if (!map.delete(username)) throw new GatewayError("MQTT_NO_SUCH_USER", `no user "${username}" in ${o.file}`);
      await saveUsersFile(o.file, map);
      log().info({ mod: "cli-users", file: o.file, username, action: "removed" }, "users file changed");
      if (o.json) printJson({ file: o.file, username, action: "removed" });
      else process.stdout.write(`removed user ${username} from ${o.file} (restart or reload the gateway to apply)\n`);
    });

  users
    .command("list")
    .description("list the users (names only)")
    .requiredOption("--file <path>", "users file")
    .option("--json", "JSON output")
    .action(async (o: FileOpt) => {
      const names = [...(await loadUsersFile(o.file)).keys()].sort();
      if (o.json) printJson({ file: o.file, users: names });
      else process.stdout.write(names.length > 0 ? names.join("\n") + "\n" : `no users in ${o.file}\n`);
    });
}
