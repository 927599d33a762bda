import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes for the broker's users file: scrypt (RFC 7914) with a per-user random salt, stored as
 * `$scrypt$N=16384,r=8,p=1$<salt base64>$<key base64>`. N=2^14, r=8 is the RFC 7914 §2 interactive-login
 * example (~16 MiB, tens of ms); the parameters live in each line, so they can be raised later without
 * invalidating existing entries. Verification runs on libuv's thread pool (async scrypt) and compares in
 * constant time; an unknown user is checked against a dummy hash so timing does not reveal which names exist.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** RFC 7914 §2 interactive parameters: N=2^14, r=8, p=1 (16 MiB, tens of ms). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, params: ScryptParams, keyLen: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Hashes a password with a fresh salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `$scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

const HASH = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** Parses a stored hash; undefined when it is not in our format or its parameters are out of range. */
export function parseHash(hash: string): ParsedHash | undefined {
  const m = HASH.exec(hash);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds keep a hand-edited file from making one login cost gigabytes: N a power of two ≤ 2^20, r ≤ 32, p ≤ 16.
  if (!(N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16)) return undefined;
  const salt = Buffer.from(m[4] ?? "", "base64");
  const key = Buffer.from(m[5] ?? "", "base64");
  if (salt.length < 8 || key.length < 16) return undefined;
  return { params: { N, r, p }, salt, key };
}

let dummy: Promise<string> | undefined;

/** Verifies `password` against a stored hash (or, when `hash` is undefined, against a dummy one and fails). */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  const parsed = hash === undefined ? undefined : parseHash(hash);
  if (!parsed) {
    dummy ??= hashPassword("dummy password for unknown users");
    const d = parseHash(await dummy);
    if (d) await derive(password, d.salt, d.params, d.key.length);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}
