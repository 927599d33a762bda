import { randomBytes } from "node:crypto";
import { open, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Replaces a file so that after a power cut it holds either the old or the new content, never an empty
 * or NUL-filled one: write a temp file, fsync it, rename over the target, fsync the directory. lowdb's
 * writer (steno) skips both fsyncs, which is how its files end up empty (lowdb issues #549, #352, #139;
 * docs/reliability.md). The temp name is unique so two writers never share it (steno's fixed name, docs/reliability.md #42).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await open(tmp, "w", mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}

/** fsyncs a directory so a rename or a new file in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const d = await open(dir, "r");
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
