// Preloaded into the daemon by the proof runner (`node --import proof/harness/daemon-probe.mjs …`).
// It only measures and injects faults the proofs ask for through the environment; the daemon itself is
// the unmodified build.
//   PROOF_LAG_FILE   append one JSON line every PROOF_LAG_EVERY_MS (default 1000) with event-loop delay
//                    (interval p99/max, cumulative p99) and RSS, both in ms / KiB.
//   PROOF_CLOCK_FILE a file holding a wall-clock offset in ms; Date and Date.now() follow it (re-read every
//                    100 ms), monotonic clocks (performance.now, process.hrtime, timers) do not: a stepped
//                    NTP or RTC clock, as the clock proof needs it.
//   PROOF_BLOCK_MS   on SIGUSR2 the event loop is blocked for this long (a busy loop): the watchdog proof.
import { appendFileSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const env = process.env;

if (env.PROOF_LAG_FILE) {
  const file = env.PROOF_LAG_FILE;
  const interval = monitorEventLoopDelay({ resolution: 10 });
  const total = monitorEventLoopDelay({ resolution: 10 });
  interval.enable();
  total.enable();
  const every = Number(env.PROOF_LAG_EVERY_MS ?? 1000);
  const t = setInterval(() => {
    const line = {
      t: Math.round(performance.now()),
      pid: process.pid,
      p99: interval.percentile(99) / 1e6,
      max: interval.max / 1e6,
      totalP99: total.percentile(99) / 1e6,
      rssKiB: Math.round(process.memoryUsage.rss() / 1024),
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
  const read = () => {
    try {
      offset = Number(readFileSync(file, "utf8").trim()) || 0;
    } catch {
      offset = 0;
    }
  };
  read();
  setInterval(read, 100).unref();
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
}

if (env.PROOF_BLOCK_MS) {
  const ms = Number(env.PROOF_BLOCK_MS);
  process.on("SIGUSR2", () => {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      /* blocked on purpose */
    }
  });
}
