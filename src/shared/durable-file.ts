import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { open, rename, stat } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * One way to write files that must survive a power cut: after a crash a file holds either its old or its
 * new content, never an empty or NUL-filled one. Writes go to `<path>.<pid>.<rand>.tmp`, are fsynced,
 * renamed over the target, and the directory is fsynced so the rename itself is durable.
 */
function tmpName(path: string): string {
  return `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}

/** Replaces `path` atomically and durably (default mode 0600). */
export async function writeFileDurable(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  const tmp = tmpName(path);
  const fh = await open(tmp, "w", opts.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDirectory(dirname(path));
}

/** Appends and fsyncs; fsyncs the directory too when the file was created by this call. */
export async function appendDurable(path: string, data: string | Uint8Array): Promise<void> {
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  const fh = await open(path, "a", 0o600);
  try {
    await fh.appendFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (!existed) await fsyncDirectory(dirname(path));
}

/** Synchronous {@link writeFileDurable}, for shutdown paths that cannot await. */
export function writeFileDurableSync(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): void {
  const tmp = tmpName(path);
  const fd = openSync(tmp, "w", opts.mode ?? 0o600);
  try {
    const buf = typeof data === "string" ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const d = openSync(dirname(path), "r");
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

/** fsyncs a directory so a rename or a new file in it survives a power cut. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
