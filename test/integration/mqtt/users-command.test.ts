import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import sinon from "sinon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "../../../adapters/mqtt/auth/password-hash.js";
import { loadUsersFile } from "../../../adapters/mqtt/auth/users-file.js";
import { registerUsersCommands } from "../../../src/cli/commands/users.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";

let dir: string;
let out: string[];
let stub: sinon.SinonStub;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rakelgw-users-cli-"));
  out = [];
  stub = sinon.stub(process.stdout, "write").callsFake((s: string | Uint8Array) => (out.push(String(s)), true));
});
afterEach(() => {
  stub.restore();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<void> {
  const program = new Command("rakelgw").exitOverride();
  registerUsersCommands(program, () => silentLogger());
  await program.parseAsync(["node", "rakelgw", ...args]);
}

describe("rakelgw users", () => {
  it("adds, updates, lists and removes users; the file holds only scrypt hashes", async () => {
    const f = join(dir, "users");
    await cli("users", "add", "county-board", "--file", f, "--password", "first-pass");
    await cli("users", "add", "display-1", "--file", f, "--password", "d1-pass", "--json");
    await cli("users", "add", "county-board", "--file", f, "--password", "second-pass");
    expect(out[0]).toMatch(/^added user county-board/);
    expect(JSON.parse(out[1] ?? "")).toEqual({ file: f, username: "display-1", action: "added" });
    expect(out[2]).toMatch(/^updated user county-board/);
    const users = await loadUsersFile(f);
    expect(await verifyPassword("second-pass", users.get("county-board"))).toBe(true);
    expect(readFileSync(f, "utf8")).not.toMatch(/pass/);
    out.length = 0;
    await cli("users", "list", "--file", f, "--json");
    expect(JSON.parse(out[0] ?? "")).toEqual({ file: f, users: ["county-board", "display-1"] });
    await cli("users", "remove", "display-1", "--file", f);
    expect([...(await loadUsersFile(f)).keys()]).toEqual(["county-board"]);
  });

  it("refuses bad usernames, unknown users and a password from nowhere", async () => {
    const f = join(dir, "users");
    await expect(cli("users", "add", "bad/name", "--file", f, "--password", "xxxx")).rejects.toSatisfy((e: unknown) => isGatewayError(e, "CLI_USAGE"));
    await cli("users", "add", "u", "--file", f, "--password", "xxxx");
    await expect(cli("users", "remove", "nobody", "--file", f)).rejects.toSatisfy((e: unknown) => isGatewayError(e, "MQTT_NO_SUCH_USER"));
    if (!process.stdin.isTTY) await expect(cli("users", "add", "v", "--file", f)).rejects.toSatisfy((e: unknown) => isGatewayError(e, "CLI_USAGE"));
    await expect(cli("users", "add", "v", "--file", f, "--password", "x", "--password-stdin")).rejects.toSatisfy((e: unknown) => isGatewayError(e, "CLI_USAGE"));
  });
});
