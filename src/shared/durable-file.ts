import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, readdir, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * The one durable-write primitive of the gateway (docs/reliability.md). After a power cut a file written
 * here holds either its old or its new content, never an empty or NUL-filled one:
 *
 *   replace: write `<path>.<pid>.<rand>.tmp` → fsync it → rename over `path` → fsync the directory
 *   append:  open O_APPEND|O_CREAT → write → fsync → fsync the directory when the file was new
 *
 * lowdb's writer (steno) renames without either fsync and uses one fixed temp name, which is how its files
 * end up empty or clobbered by a second writer (lowdb issues #549, #352, #139). A failed replace removes its
 * temp file and leaves the old file as it was. A crash between the temp write and the rename leaves the temp
 * file behind; whoever opens the file removes those with {@link removeStaleTemps}.
 */

export interface DurableWriteOptions {
  /** File mode of a newly written file. Default 0o600: state files may hold secrets. */
  mode?: number;
}

const DEFAULT_MODE = 0o600;

/** Temp file name beside `path`: unique per process and call, so two writers never share one. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Whether `name` is a temp file of `base`, and its writer's pid when the name holds one: `<base>.<pid>.<hex>.tmp`
 * is the name {@link tempPathFor} gives; the hidden `.<base>.….tmp` names are older writers' (no pid read).
 * Any other name, e.g. an operator's `users.old.tmp`, is not a temp file of ours.
 */
function staleTempPid(name: string, base: string): number | undefined | false {
  if (!name.endsWith(".tmp")) return false;
  if (name.startsWith(`.${base}.`)) return undefined;
  if (!name.startsWith(`${base}.`)) return false;
  const pid = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(base.length + 1))?.[1];
  return pid === undefined ? false : Number(pid);
}

/** Whether another process with this pid runs now (EPERM: it runs, under another user). */
function otherProcessAlive(pid: number): boolean {
  if (pid === process.pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Deletes the temp files of `path` that a replace interrupted by a crash left behind, and returns their
 * names. Call it when the file is opened, before this process writes it. A temp file whose writer (the pid
 * in its name) is another process still running is kept: that may be a replace in progress, e.g.
 * `rakelgw users add` while the broker reads the users file. Files of other names are never touched.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = staleTempPid(name, base);
    if (pid === false || (pid !== undefined && otherProcessAlive(pid))) continue;
    await unlink(join(dir, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/** Errors a directory fsync may legitimately give on filesystems that do not support it. */
function ignorableDirSyncError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === "EINVAL" || code === "EISDIR" || code === "ENOTSUP" || code === "EPERM";
}

/** fsyncs a directory so a rename or a new file in it survives a power cut. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } catch (err) {
    if (!ignorableDirSyncError(err)) throw err;
  } finally {
    await d.close();
  }
}

function fsyncDirectorySync(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!ignorableDirSyncError(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` atomically and durably (see the file comment). */
export async function writeFileDurable(path: string, data: string | Uint8Array, opts: DurableWriteOptions = {}): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, "wx", opts.mode ?? DEFAULT_MODE);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDirectory(dirname(path));
}

/** The synchronous twin of {@link writeFileDurable}, for code that must not yield (e.g. before a PIN is sent). */
export function writeFileDurableSync(path: string, data: string | Uint8Array, opts: DurableWriteOptions = {}): void {
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, "wx", opts.mode ?? DEFAULT_MODE);
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw err;
  }
  fsyncDirectorySync(dirname(path));
}

/** Appends `data` in one write and fsyncs it; fsyncs the directory too when the file was created. */
export async function appendDurable(path: string, data: string | Uint8Array, opts: DurableWriteOptions = {}): Promise<void> {
  const fh = await open(path, "a", opts.mode ?? DEFAULT_MODE);
  let created: boolean;
  try {
    created = (await fh.stat()).size === 0;
    await fh.write(typeof data === "string" ? Buffer.from(data, "utf8") : data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (created) await fsyncDirectory(dirname(path));
}

/** The synchronous twin of {@link appendDurable} (the SMS inbox persists a part before `AT+CMGD`). */
export function appendDurableSync(path: string, data: string | Uint8Array, opts: DurableWriteOptions = {}): void {
  const fd = openSync(path, "a", opts.mode ?? DEFAULT_MODE);
  let created: boolean;
  try {
    created = fstatSync(fd).size === 0;
    writeAll(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDirectorySync(dirname(path));
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * The directory of a state file, created on the first write instead of before every write. When a write
 * fails with ENOENT (the directory was removed meanwhile) it is created again and the write retried once.
 * The directory itself is not fsynced, as before; the write's own fsyncs are unchanged.
 */
export class StateDirectory {
  private made = false;

  constructor(readonly dir: string) {}

  /** Runs the synchronous `write` into this directory (see the class comment). */
  writeSync<T>(write: () => T): T {
    if (!this.made) this.make();
    try {
      return write();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      this.make();
      return write();
    }
  }

  private make(): void {
    mkdirSync(this.dir, { recursive: true });
    this.made = true;
  }
}

/** The file's text, or `undefined` when it does not exist (other errors are thrown). */
export function readFileIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
