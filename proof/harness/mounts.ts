import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A small tmpfs for a state directory (the power-cut and full-disk proofs). Needs root (CAP_SYS_ADMIN);
 * without it the proofs fall back to a plain directory and say so.
 */
export interface Scratch {
  path: string;
  mounted: boolean;
  remove(): void;
}

export function scratchDir(sizeKiB: number): Scratch {
  const path = mkdtempSync(join(tmpdir(), "rakelgw-proof-fs-"));
  let mounted = false;
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k,mode=0700`, "tmpfs", path], { stdio: "ignore" });
    mounted = true;
  } catch {
    /* not root: a plain directory */
  }
  return {
    path,
    mounted,
    remove() {
      if (mounted) {
        try {
          execFileSync("umount", ["-l", path], { stdio: "ignore" });
        } catch {
          /* already gone */
        }
      }
      rmSync(path, { recursive: true, force: true });
    },
  };
}
