/**
 * Runs a simulator behind a pseudo-terminal so any serial software (the gateway with the real serialport
 * binding, minicom, a vendor tool) can open it as a tty: `rakelgw simulate terminal --link PATH`.
 *
 *   host ──open(PATH)──► /dev/pts/N ══ pty ══ socat ──stdin/stdout pipes──► SocatLink ──► SimTerminal
 *
 * socat (`PTY,link=PATH,rawer,echo=0 STDIO`) creates the pty, symlinks its slave at PATH, and copies bytes
 * between the pty master and its own stdio. socat keeps the slave open itself, so a host may close and
 * reopen PATH without ending the session (checked with socat 1.7.4); the link is removed when socat exits.
 * Beware that ptys buffer far more than real UARTs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { lstat, unlink } from "node:fs/promises";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger, type Logger } from "../../../src/shared/logger.js";
import { Listeners, type ByteLink, type LinkCloseInfo } from "../../serial-link/byte-link.js";

/** Anything that can be the device end of a byte link (a `SimTerminal`, a modem simulator). */
export interface AttachableSimulator {
  attach(link: ByteLink): void;
  detach(): void;
}

/** Options of {@link runOnPty}. */
export interface RunOnPtyOptions {
  /** Default `socat` from PATH (Debian: `apt-get install socat`). */
  socatPath?: string;
  /** How long to wait for PATH to appear. Default 5000 ms. */
  readyTimeoutMs?: number;
  log?: Logger;
}

/** A running pty session. */
export interface PtySession {
  /** The symlink the host opens. */
  readonly path: string;
  /** The pty slave behind it (`/dev/pts/N`), as socat reported it. */
  readonly ptsPath: string | undefined;
  readonly link: ByteLink;
  /** Detaches the simulator, ends socat and removes the symlink. */
  stop(): Promise<void>;
}

/** socat's stdio wrapped as a {@link ByteLink}. */
class SocatLink implements ByteLink {
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[LinkCloseInfo]>();
  private exited = false;
  private closing = false;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly description: string,
  ) {
    child.stdout.on("data", (chunk: Buffer) => this.data.emit(chunk));
    // EPIPE after socat died must not crash the process; the exit handler reports the close.
    child.stdin.on("error", () => undefined);
    child.on("exit", (code, signal) => {
      this.exited = true;
      const info: LinkCloseInfo = { intentional: this.closing };
      if (!this.closing) info.error = new Error(`socat exited (code ${String(code)}, signal ${String(signal)})`);
      this.closed.emit(info);
      this.closed.clear();
      this.data.clear();
    });
  }

  get isOpen(): boolean {
    return !this.exited && this.child.stdin.writable;
  }

  write(data: Buffer | string): Promise<void> {
    if (!this.isOpen) return Promise.reject(new GatewayError("LINK_LOST", `${this.description} is closed`));
    const chunk = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    return new Promise((resolve, reject) => {
      this.child.stdin.write(chunk, (err) => (err ? reject(new GatewayError("LINK_LOST", `write to ${this.description} failed`, { cause: err })) : resolve()));
    });
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }

  onClose(fn: (info: LinkCloseInfo) => void): () => void {
    return this.closed.add(fn);
  }

  async close(): Promise<void> {
    // A child that never started (spawn error) has no pid and may never emit "exit".
    if (this.exited || this.child.pid === undefined || this.child.exitCode !== null) return;
    this.closing = true;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await done;
    clearTimeout(timer);
  }
}

async function isSymlink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Starts socat on `linkPath`, attaches `sim` to it, and resolves once the path exists. */
export async function runOnPty(linkPath: string, sim: AttachableSimulator, options: RunOnPtyOptions = {}): Promise<PtySession> {
  const log = options.log ?? silentLogger();
  // A symlink left by a killed run would make socat fail; anything else at PATH is not ours to delete.
  if (await isSymlink(linkPath)) await unlink(linkPath);
  else if (await exists(linkPath)) throw new GatewayError("LINK_OPEN_FAILED", `${linkPath} exists and is not a symlink; choose another --link path`);

  const child = spawn(options.socatPath ?? "socat", ["-d", "-d", `PTY,link=${linkPath},rawer,echo=0`, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  let ptsPath: string | undefined;
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    ptsPath ??= /PTY is (\S+)/.exec(stderr)?.[1];
    if (stderr.length > 8192) stderr = stderr.slice(-4096);
  });
  const link = new SocatLink(child, `pty:${linkPath}`);
  await waitReady(child, linkPath, options.readyTimeoutMs ?? 5000, () => stderr).catch(async (err: unknown) => {
    await link.close();
    throw err;
  });
  sim.attach(link);
  log.info({ path: linkPath, pts: ptsPath }, "simulator serving on a pseudo-terminal");

  return {
    path: linkPath,
    get ptsPath() {
      return ptsPath;
    },
    link,
    async stop() {
      sim.detach();
      await link.close();
      if (await isSymlink(linkPath)) await unlink(linkPath).catch(() => undefined);
    },
  };
}

/** Resolves when the data loop runs and PATH exists; rejects if socat exits first or time runs out. */
function waitReady(child: ChildProcessWithoutNullStreams, path: string, timeoutMs: number, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      child.off("exit", onExit);
      child.off("error", onError);
      if (err) reject(err);
      else resolve();
    };
    const onExit = (code: number | null): void =>
      finish(new GatewayError("LINK_OPEN_FAILED", `socat exited (code ${String(code)}) before ${path} was ready: ${stderr().trim().split("\n").at(-1) ?? ""}`));
    const onError = (err: Error): void => finish(new GatewayError("LINK_OPEN_FAILED", `cannot start socat (is it installed?): ${err.message}`, { cause: err }));
    child.once("exit", onExit);
    child.once("error", onError);
    const poll = setInterval(() => {
      void exists(path).then((yes) => {
        if (yes && stderr().includes("starting data transfer loop")) finish();
        else if (Date.now() - started > timeoutMs) finish(new GatewayError("LINK_OPEN_FAILED", `${path} did not appear within ${timeoutMs} ms`));
      });
    }, 20);
  });
}
