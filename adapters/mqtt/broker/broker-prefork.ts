import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { withMallocDefaults } from "../../../src/shared/malloc-env.js";

/**
 * Forking the broker process, and forking it early.
 *
 * The broker child only loads aedes and its own few modules, then waits for its `start` message. The
 * gateway process has far more to load (config schemas, device adapters, dispatch, status page) before its
 * supervisor asks for the broker, so loading the two one after the other made `READY=1` wait for both.
 * `rakelgw run` therefore forks the child first thing (`preforkBrokerChild`, from src/main.ts, before the
 * rest of the program is imported); the supervisor's first start takes it (`forkBrokerChild`) when its
 * heap cap matches, so the child's loading overlaps the gateway's. A prefork nobody takes (a config error,
 * an external broker) is killed after `UNCLAIMED_MS` and never keeps the gateway process alive.
 *
 * This module imports nothing but Node built-ins (and the import-free malloc-env.ts) so that it can run before
 * everything else is loaded.
 */

const here = fileURLToPath(import.meta.url);
const isTs = here.endsWith(".ts");
const ENTRY = join(dirname(here), isTs ? "broker-child.ts" : "broker-child.js");
/** The broker's default V8 heap cap (`mqtt.broker.maxOldSpaceMb`); a prefork with another cap is not used. */
export const DEFAULT_BROKER_HEAP_MB = 256;
const UNCLAIMED_MS = 30_000;
/** Each young-generation semi-space (`mqtt.broker.maxSemiSpaceMb`): 4 MiB, what V8 picks under the unit's memory limit, as for the daemon (src/app/daemon-v8-flags.ts). */
export const BROKER_SEMI_SPACE_MB = 4;
/**
 * V8's low-memory mode for the broker process (`mqtt.broker.optimizeForSize`), as for the daemon
 * (src/app/daemon-v8-flags.ts): the heap total stays close to the live data. The 2.4-hour soak of
 * docs/reliability.md (run G) left the broker's heap total growing 0.9 MiB/h without it.
 */
export const BROKER_OPTIMIZE_FOR_SIZE = true;
/** The broker process's V8 settings; a prefork is used only when they are the ones asked for. */
export interface BrokerHeap {
  maxOldSpaceMb: number;
  maxSemiSpaceMb: number;
  optimizeForSize: boolean;
}
const DEFAULT_HEAP: BrokerHeap = { maxOldSpaceMb: DEFAULT_BROKER_HEAP_MB, maxSemiSpaceMb: BROKER_SEMI_SPACE_MB, optimizeForSize: BROKER_OPTIMIZE_FOR_SIZE };

/** The V8 flags a broker child with these settings is started with. */
export function brokerV8Flags(heap: BrokerHeap): string[] {
  return [`--max-old-space-size=${heap.maxOldSpaceMb}`, `--max-semi-space-size=${heap.maxSemiSpaceMb}`, ...(heap.optimizeForSize ? ["--optimize-for-size"] : [])];
}

let early: { child: ChildProcess; heap: BrokerHeap; timer: ReturnType<typeof setTimeout> } | undefined;

function forkNow(heap: BrokerHeap): ChildProcess {
  const execArgv = [...brokerV8Flags(heap), ...(isTs ? ["--import", pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href] : [])];
  // The malloc settings (src/shared/malloc-env.ts says what they do), as the broker measured them: its first
  // concurrent scrypt logins (four threads) left four arenas of about 16 MiB resident for good, and after
  // glibc raised its mmap threshold to scrypt's 16 MiB blocks a reconnect storm left broker RSS peaks of
  // 184 MiB (60-minute soak); with them, five storms of 50 logins in a test process left 86 instead of
  // 123–172 MiB resident (docs/reliability.md, R9). The child always gets them, unless the environment
  // sets its own.
  const env = withMallocDefaults(process.env);
  return fork(ENTRY, [], { execArgv, env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** Forks the broker child now, before the gateway has loaded; at most one, and only once. */
export function preforkBrokerChild(heap: BrokerHeap = DEFAULT_HEAP): void {
  if (early) return;
  let child: ChildProcess;
  try {
    child = forkNow(heap);
  } catch {
    return; // the supervisor forks (and reports the failure) as before
  }
  child.on("error", () => undefined);
  // Idle until claimed: neither the child nor its IPC channel keep this process running.
  child.unref();
  child.channel?.unref();
  const timer = setTimeout(() => discardPreforkedChild(), UNCLAIMED_MS);
  timer.unref();
  early = { child, heap, timer };
}

/** The pid of the preforked child not yet claimed, if any. */
export function preforkedPid(): number | undefined {
  return early?.child.pid;
}

/** Kills a preforked broker child nobody claimed (no-op without one). */
export function discardPreforkedChild(): void {
  if (!early) return;
  clearTimeout(early.timer);
  early.child.kill("SIGKILL");
  early = undefined;
}

/** The preforked child if it is still alive and has the V8 sizes asked for, else a new fork. */
export function forkBrokerChild(heap: BrokerHeap): ChildProcess {
  const pre = early;
  if (pre) {
    clearTimeout(pre.timer);
    early = undefined;
    if (brokerV8Flags(pre.heap).join(" ") === brokerV8Flags(heap).join(" ") && pre.child.exitCode === null && pre.child.signalCode === null && pre.child.connected) {
      pre.child.removeAllListeners("error");
      pre.child.ref();
      pre.child.channel?.ref();
      return pre.child;
    }
    pre.child.kill("SIGKILL");
  }
  return forkNow(heap);
}
