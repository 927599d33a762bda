import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./procs.js";

/**
 * A throwaway PKI made with the openssl CLI at test time: a CA, a server certificate for 127.0.0.1 and
 * localhost, client certificates with the given CNs, and an unrelated CA (for "wrong CA" tests).
 * EC P-256 keys keep generation fast.
 */
export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  otherCaCert: string;
  /** A server certificate like `serverCert`, from the same CA, whose validity ended a day before it began. */
  expiredServerCert?: string;
  expiredServerKey?: string;
  client: Record<string, { cert: string; key: string }>;
}

async function openssl(args: string[]): Promise<void> {
  const r = await run("openssl", args, { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function selfSignedCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await openssl(["req", "-x509", ...EC, "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
  return { cert, key };
}

const RSA = ["-newkey", "rsa:2048", "-nodes"];

async function signed(dir: string, name: string, cn: string, ca: { cert: string; key: string }, ext: string, keyArgs = EC, days = "2"): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await openssl(["req", ...keyArgs, "-keyout", key, "-out", csr, "-subj", `/CN=${cn}`]);
  await openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", days, "-extfile", extFile]);
  return { cert, key };
}

/**
 * `rsaServer`: an RSA server key, the only kind with which static-RSA suites such as AES128-SHA can be offered
 * at all. `expiredServer`: also an expired server certificate (`-days -1`: its notAfter is a day before now).
 */
export async function makePki(dir: string, clientCns: string[], o: { rsaServer?: boolean; expiredServer?: boolean } = {}): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const ca = await selfSignedCa(dir, "test-ca");
  const other = await selfSignedCa(dir, "other-ca");
  const serverExt = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
  const server = await signed(dir, "server", "localhost", ca, serverExt, o.rsaServer ? RSA : EC);
  const expired = o.expiredServer ? await signed(dir, "server-expired", "localhost", ca, serverExt, EC, "-1") : undefined;
  const client: TestPki["client"] = {};
  for (const cn of clientCns) client[cn] = await signed(dir, `client-${cn}`, cn, ca, "extendedKeyUsage=clientAuth\n");
  return { dir, caCert: ca.cert, serverCert: server.cert, serverKey: server.key, otherCaCert: other.cert, ...(expired ? { expiredServerCert: expired.cert, expiredServerKey: expired.key } : {}), client };
}
