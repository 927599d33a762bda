/**
 * Entry of the broker process, forked by BrokerSupervisor. It runs aedes and nothing else, so a client
 * that drives aedes into a crash (1.2.0 overflowed its stack under a 10-client QoS 0 flood in 5 of 6
 * runs, docs/reliability.md) or into memory growth takes down only this process; the gateway keeps dispatching
 * over the radio and restarts it. The V8 heap is capped by the parent (--max-old-space-size), so growth
 * ends in a restart rather than in the OOM killer choosing the gateway.
 */
import { isGatewayError } from "../../../src/shared/errors.js";
import { createRootLogger, type Logger } from "../../../src/shared/logger.js";
import type { FromBroker, ToBroker } from "./broker-ipc.js";
import { startBrokerServer, type RunningBroker } from "./broker-server.js";

let broker: RunningBroker | undefined;
let log: Logger | undefined;
let stopping = false;
let intakeSeq = 0;
const intakes = new Map<number, (error?: string) => void>();
/** A held publish waits this long for the gateway's durable write, then is refused (no PUBACK). */
const INTAKE_TIMEOUT_MS = 10_000;

/** Hands a held publish to the gateway (the uplink journal) and resolves once it is durable there. */
function holdForGateway(m: { topic: string; payload: Buffer; qos: number; retain: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = ++intakeSeq;
    const timer = setTimeout(() => {
      intakes.delete(id);
      reject(new Error(`the gateway did not store the publish within ${INTAKE_TIMEOUT_MS} ms`));
    }, INTAKE_TIMEOUT_MS);
    intakes.set(id, (error) => {
      clearTimeout(timer);
      intakes.delete(id);
      if (error) reject(new Error(error));
      else resolve();
    });
    if (!process.connected) return intakes.get(id)?.("the gateway process is gone");
    send({ type: "intake", id, topic: m.topic, payload: m.payload.toString("base64"), qos: m.qos, retain: m.retain });
  });
}

function send(msg: FromBroker): void {
  if (process.connected) process.send?.(msg);
}

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const hard = setTimeout(() => process.exit(code), 3000);
  hard.unref();
  try {
    await broker?.close();
  } catch (err) {
    log?.error({ mod: "mqtt-broker", err }, "broker close failed");
  }
  process.exit(code);
}

process.on("message", (raw: ToBroker) => {
  switch (raw.type) {
    case "start":
      log = createRootLogger({ level: raw.logLevel, destination: raw.logFd }).child({ pid: process.pid });
      startBrokerServer(raw.config, log, holdForGateway).then(
        (b) => {
          broker = b;
          send({ type: "ready", ports: b.ports });
        },
        (err: unknown) => {
          log?.error({ mod: "mqtt-broker", err }, "broker failed to start");
          const errno = (err as NodeJS.ErrnoException | undefined)?.code;
          send({ type: "failed", message: err instanceof Error ? err.message : String(err), ...(isGatewayError(err) ? { code: err.code } : {}), ...(typeof errno === "string" && !isGatewayError(err) ? { errno } : {}) });
          setTimeout(() => process.exit(2), 50);
        },
      );
      return;
    case "stats":
      if (broker) send({ type: "stats", id: raw.id, stats: broker.stats() });
      return;
    case "reload":
      void broker?.reload().then(
        () => send({ type: "reloaded", id: raw.id }),
        (err: unknown) => send({ type: "reloaded", id: raw.id, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    case "intake-done":
      intakes.get(raw.id)?.(raw.error);
      return;
    case "stop":
      void stop(0);
      return;
  }
});

// The parent went away (crash, kill -9): never outlive it as an orphan holding port 1883.
process.on("disconnect", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
process.on("uncaughtException", (err) => {
  log?.fatal({ mod: "mqtt-broker", err }, "broker process crashed");
  process.exit(70);
});
process.on("unhandledRejection", (err) => {
  log?.fatal({ mod: "mqtt-broker", err }, "broker process crashed (unhandled rejection)");
  process.exit(70);
});
