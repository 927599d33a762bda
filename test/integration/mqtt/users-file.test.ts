import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hashPassword, parseHash, verifyPassword } from "../../../adapters/mqtt/auth/password-hash.js";
import { loadUsersFile, parseUsersFile, saveUsersFile, serializeUsers } from "../../../adapters/mqtt/auth/users-file.js";
import { isGatewayError } from "../../../src/shared/errors.js";

const FAST = { N: 1024, r: 8, p: 1 };
const dir = mkdtempSync(join(tmpdir(), "rakelgw-users-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("password hashes (scrypt)", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const h = await hashPassword("s3cret", FAST);
    expect(h).toMatch(/^\$scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("s3cret", h)).toBe(true);
    expect(await verifyPassword("s3cret ", h)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same", FAST)).not.toBe(await hashPassword("same", FAST));
  });

  it("fails (without throwing) for unknown users and malformed hashes", async () => {
    expect(await verifyPassword("x", undefined)).toBe(false);
    expect(await verifyPassword("x", "$scrypt$N=3,r=8,p=1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")).toBe(false);
  });

  it.each([
    ["not a hash", false],
    ["$scrypt$N=1048576,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", true],
    ["$scrypt$N=2097152,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", false],
    ["$scrypt$N=1000,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", false],
  ])("parseHash(%s) accepted = %s (bounds keep a hand-edited file from costing gigabytes)", (h, ok) => {
    expect(parseHash(h) !== undefined).toBe(ok);
  });
});

describe("users file", () => {
  it("round-trips through serialize and parse, sorted, with a header comment", async () => {
    const users = new Map([
      ["zed", await hashPassword("a", FAST)],
      ["county-board", await hashPassword("b", FAST)],
    ]);
    const text = serializeUsers(users);
    expect(text.split("\n")[0]).toMatch(/^# /);
    expect(text.split("\n")[1]).toMatch(/^county-board:/);
    const back = parseUsersFile(text);
    expect(back.ok && [...back.value.entries()]).toEqual([...users.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it.each([
    ["bad:name:$scrypt$N=1024,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", "line 1"],
    ["$gateway:$scrypt$N=1024,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", "username"],
    ["user:plaintext", "not a valid $scrypt$ hash"],
    ["u:$scrypt$N=1024,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5\nu:$scrypt$N=1024,r=8,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", "appears twice"],
  ])("rejects %j", (text, reason) => {
    const r = parseUsersFile(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it("saves with mode 0600 and loads back; a missing file is empty only when allowed", async () => {
    const f = join(dir, "users");
    await expect(loadUsersFile(f)).rejects.toSatisfy((e: unknown) => isGatewayError(e, "MQTT_AUTH_FILE_INVALID"));
    expect((await loadUsersFile(f, true)).size).toBe(0);
    await saveUsersFile(f, new Map([["u", await hashPassword("p", FAST)]]));
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect([...(await loadUsersFile(f)).keys()]).toEqual(["u"]);
    expect(readFileSync(f, "utf8")).not.toContain(":p\n");
  });

  it("removes the temp files an interrupted `rakelgw users` write left, when the file is loaded", async () => {
    const sub = join(dir, "crashed");
    mkdirSync(sub);
    const f = join(sub, "users");
    await saveUsersFile(f, new Map([["u", await hashPassword("p", FAST)]]));
    const before = readFileSync(f, "utf8");
    // pid 4194304 is above the kernel's PID_MAX_LIMIT: the writer of this one is certainly gone.
    writeFileSync(join(sub, "users.4194304.deadbeef.tmp"), "# half a write\n");
    writeFileSync(join(sub, "acl"), "topic read a/#\n");
    expect([...(await loadUsersFile(f)).keys()]).toEqual(["u"]);
    expect(readdirSync(sub).sort()).toEqual(["acl", "users"]);
    expect(readFileSync(f, "utf8")).toBe(before);
  });
});
