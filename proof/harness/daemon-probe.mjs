// Preloaded into the daemon by the proof runner (`node --import proof/harness/daemon-probe.mjs …`).
// It only measures and injects faults the proofs ask for through the environment; the daemon itself is
// the unmodified build.
//
// The probe reaches the daemon's Node child processes too (the embedded broker, forked with its own
// execArgv): it appends `--import <this file>` to NODE_OPTIONS of its own process, which every Node child
// inherits with the environment (Node's `--import` is allowed in NODE_OPTIONS, docs: nodejs.org/api/cli.html).
// The first process that loads it is the `daemon`, every descendant a `child` (PROOF_PROBE_ROOT_PID); each
// line and marker carries its pid, ppid and role, so readers never mix the processes up.
//
//   PROOF_LAG_FILE   append one JSON line every PROOF_LAG_EVERY_MS (default 1000) per process with event-loop
//                    delay (interval p99/max, cumulative p99, ms), RSS and V8 heap used/total (KiB), and
//                    the size V8 reserves for each heap space (new, old, code, large objects…; KiB), which
//                    tells growth of the heap's reservation from growth of live data.
//   PROOF_CLOCK_FILE a file holding a wall-clock offset in ms; Date and Date.now() follow it (re-read every
//                    100 ms), monotonic clocks (performance.now, process.hrtime, timers) do not: a stepped
//                    NTP or RTC clock, as the clock proof needs it. Whenever a process applies a new offset it
//                    writes `<PROOF_CLOCK_FILE>.pid-<pid>` ({pid, ppid, role, offset, seenMs}): `seenMs` is
//                    the global Date.now() minus the real clock, measured after the swap.
//   PROOF_BLOCK_MS   on SIGUSR2 the event loop is blocked for this long (a busy loop): the watchdog proof.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";

const LOADED = Symbol.for("rakelgw.proof.daemon-probe");
if (!globalThis[LOADED]) {
  globalThis[LOADED] = true;
  install();
}

function install() {
  const env = process.env;
  const root = !env.PROOF_PROBE_ROOT_PID;
  if (root) env.PROOF_PROBE_ROOT_PID = String(process.pid);
  const role = root ? "daemon" : "child";
  const self = `--import ${import.meta.url}`;
  const inherited = env.NODE_OPTIONS ?? "";
  if (!inherited.includes(self)) env.NODE_OPTIONS = `${inherited} ${self}`.trim();

  if (env.PROOF_LAG_FILE) {
    const file = env.PROOF_LAG_FILE;
    const interval = monitorEventLoopDelay({ resolution: 10 });
    const total = monitorEventLoopDelay({ resolution: 10 });
    interval.enable();
    total.enable();
    const every = Number(env.PROOF_LAG_EVERY_MS ?? 1000);
    const t = setInterval(() => {
      const heap = getHeapStatistics();
      const line = {
        t: Math.round(performance.now()),
        pid: process.pid,
        ppid: process.ppid,
        role,
        p99: interval.percentile(99) / 1e6,
        max: interval.max / 1e6,
        totalP99: total.percentile(99) / 1e6,
        rssKiB: Math.round(process.memoryUsage.rss() / 1024),
        heapUsedKiB: Math.round(heap.used_heap_size / 1024),
        heapTotalKiB: Math.round(heap.total_heap_size / 1024),
        externalKiB: Math.round(heap.external_memory / 1024),
        mallocedKiB: Math.round(heap.malloced_memory / 1024),
        spacesKiB: Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name.replace(/_space$/, ""), Math.round(sp.space_size / 1024)])),
      };
      interval.reset();
      try {
        appendFileSync(file, JSON.stringify(line) + "\n");
      } catch {
        /* the proof's directory is gone */
      }
    }, every);
    t.unref();
  }

  if (env.PROOF_CLOCK_FILE) {
    const file = env.PROOF_CLOCK_FILE;
    const RealDate = Date;
    let offset = 0;
    let marked;
    class ShiftedDate extends RealDate {
      constructor(...args) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...args);
      }
      static now() {
        return RealDate.now() + offset;
      }
    }
    globalThis.Date = ShiftedDate;
    const mark = () => {
      if (marked === offset) return;
      marked = offset;
      const seenMs = globalThis.Date.now() - RealDate.now();
      try {
        writeFileSync(`${file}.pid-${process.pid}`, JSON.stringify({ pid: process.pid, ppid: process.ppid, role, offset, seenMs }));
      } catch {
        /* the proof's directory is gone */
      }
    };
    const read = () => {
      try {
        offset = Number(readFileSync(file, "utf8").trim()) || 0;
      } catch {
        offset = 0;
      }
      mark();
    };
    read();
    setInterval(read, 100).unref();
  }

  if (env.PROOF_BLOCK_MS && root) {
    const ms = Number(env.PROOF_BLOCK_MS);
    process.on("SIGUSR2", () => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        /* blocked on purpose */
      }
    });
  }
}
