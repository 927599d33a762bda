import { getHeapStatistics } from "node:v8";
import { SdNotify } from "../../adapters/systemd/sd-notify.js";
import { LoopWatchdog } from "../ops/loop-watchdog.js";
import { Gateway } from "./gateway.js";
import { loadGatewayConfig } from "./gateway-config.js";
import { createRootLogger } from "../shared/logger.js";

/**
 * The daemon (`rakelgw run --config FILE`): load and validate the configuration, start the gateway, and
 * stop it in order on SIGTERM/SIGINT within systemd's TimeoutStopSec (15 s). A fatal error exits non-zero
 * so systemd restarts the service; a lost radio or modem is not fatal (it degrades its link).
 */
export interface DaemonOptions {
  configPath: string;
  allowSim: boolean;
  version: string;
  /** Overrides the configuration's log level. */
  logLevel?: string;
  pretty?: boolean;
}

const STOP_DEADLINE_MS = 12_000;

export async function runDaemon(o: DaemonOptions): Promise<number> {
  const { config, warnings } = loadGatewayConfig(o.configPath, o.allowSim);
  const log = createRootLogger({ level: o.logLevel ?? config.log.level, pretty: o.pretty ?? false });
  for (const w of warnings) log.warn({ config: o.configPath }, w);
  // The unit's V8 flags (src/app/daemon-v8-flags.ts) show here: 268 MiB with them (old space plus the young
  // generation), about 4,144 MiB on a 24 GiB machine without them (a hand-started daemon).
  // So do its malloc settings (src/shared/malloc-env.ts): null when started without them.
  log.info(
    {
      event: "v8-heap",
      heapLimitMiB: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
      mallocArenaMax: process.env["MALLOC_ARENA_MAX"] ?? null,
      mallocMmapThreshold: process.env["MALLOC_MMAP_THRESHOLD_"] ?? null,
    },
    "V8 heap limit and malloc settings",
  );
  // Listen before starting: a SIGTERM that arrives while links are still opening is honoured by an
  // ordered stop as soon as the start has finished, never by dying half-started.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const systemd = new SdNotify({ log });
  const gateway = await Gateway.start({ config, log, version: o.version, allowSim: o.allowSim, configPath: o.configPath });
  // READY=1 only now: the state directory is open and the broker listens (Gateway.start resolved).
  const statusText = (): string => {
    const links = Object.entries(gateway.links.snapshot()).map(([id, h]) => `${id} ${h.state}`);
    const page = gateway.ops?.server ? `; page ${gateway.ops.server.url}` : config.http.enabled ? "; status page NOT running" : "";
    return `${config.site}: ${links.join(", ") || "no links"}${page}`;
  };
  await systemd.ready(statusText());
  let statusTimer: NodeJS.Timeout | undefined;
  const offStatus = gateway.links.on("change", () => {
    statusTimer ??= setTimeout(() => {
      statusTimer = undefined;
      void systemd.status(statusText());
    }, 1000);
  });
  // WATCHDOG=1 from the event loop, only while it runs on time (WatchdogSec= in the unit).
  const watchdog = new LoopWatchdog({ manager: systemd, onUnhealthy: (lagMs) => log.warn({ event: "loop-lag", lagMs: Math.round(lagMs) }, "event loop late; watchdog not fed") });
  watchdog.start();
  const signal = await stopSignal;
  log.info({ signal }, "stopping");
  offStatus();
  if (statusTimer) clearTimeout(statusTimer);
  watchdog.stop();
  await systemd.stopping(`${config.site}: stopping (${signal})`);
  const deadline = setTimeout(() => {
    log.fatal({ deadlineMs: STOP_DEADLINE_MS }, "stop took too long; exiting");
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  await gateway.stop();
  clearTimeout(deadline);
  log.info("stopped");
  return 0;
}
