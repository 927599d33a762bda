import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { GatewayError } from "../shared/errors.js";

/**
 * One gateway per state directory: two daemons on one alert journal would both send every alert and
 * overwrite each other's records. The lock file holds the owner's pid; a lock left by a process that no
 * longer exists (kill -9, power cut) is taken over.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class StoreLock {
  private constructor(readonly path: string) {}

  static acquire(path: string): StoreLock {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, "wx", 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new StoreLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      let pid = NaN;
      try {
        pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      } catch {
        // vanished meanwhile: try again
      }
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) {
        throw new GatewayError("STORE_LOCKED", `another gateway (pid ${pid}) uses ${path}; stop it first, or give this one its own stateDir`, { context: { pid, path } });
      }
      try {
        unlinkSync(path); // stale: its owner is gone
      } catch {
        // someone else took it over first; the next round sees their pid
      }
    }
    throw new GatewayError("STORE_LOCKED", `could not take the lock ${path}`, { context: { path } });
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
