import { fsyncDirectory, writeFileDurable } from "../../src/shared/durable-file.js";

/**
 * Kept for the MQTT modules not yet moved to src/shared/durable-file.ts (the one durable-file primitive);
 * both names delegate to it. lowdb's writer (steno) skips the fsyncs, which is how its files end up empty
 * (lowdb issues #549, #352, #139;
 * docs/reliability.md).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  return writeFileDurable(path, data, { mode });
}

/** fsyncs a directory so a rename or a new file in it survives a power cut. */
export const fsyncDir = fsyncDirectory;
