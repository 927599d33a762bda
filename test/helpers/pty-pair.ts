import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Two linked pseudo-terminals made by socat: what is written to one is read from the other, through the
 * kernel's tty layer and the real serialport binding. `close()` kills socat, which makes both ends fail
 * as an unplugged USB adapter does.
 */
export interface PtyPair {
  a: string;
  b: string;
  close(): Promise<void>;
}

export async function ptyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), "rakelgw-pty-"));
  const a = join(dir, "a");
  const b = join(dir, "b");
  const child: ChildProcess = spawn("socat", [`PTY,link=${a},rawer,echo=0`, `PTY,link=${b},rawer,echo=0`], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const spawnError = new Promise<never>((_, reject) => child.once("error", (e) => reject(new Error(`socat could not start: ${e.message} (apt-get install socat)`))));
  const start = Date.now();
  while (!(existsSync(a) && existsSync(b))) {
    if (Date.now() - start > timeoutMs) {
      child.kill("SIGKILL");
      throw new Error(`socat did not create the ptys within ${timeoutMs} ms: ${stderr}`);
    }
    await Promise.race([new Promise((r) => setTimeout(r, 20)), spawnError]);
  }
  return {
    a,
    b,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          rmSync(dir, { recursive: true, force: true });
          return resolve();
        }
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}
