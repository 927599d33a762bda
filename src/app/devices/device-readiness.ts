import { GatewayError } from "../../shared/errors.js";
import type { Unsubscribe } from "../../shared/typed-emitter.js";

/**
 * Waiting on a device through its port alone (RadioTerminal, SmsModem): the daemon and the demo hold the
 * ports, not the adapters, so they wait on the `health` and `progress` events every port has.
 */
interface HealthSource {
  readonly name: string;
  readonly health: { state: string; detail: string };
  on(event: "health", fn: (h: { state: string; detail: string }) => void): Unsubscribe;
}

/** Resolves once the device reports `ready`; rejects with LINK_NOT_OPEN after `timeoutMs`. */
export function untilReady(device: HealthSource, timeoutMs: number): Promise<void> {
  if (device.health.state === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new GatewayError("LINK_NOT_OPEN", `${device.name} not ready within ${timeoutMs} ms: ${device.health.detail}`, { context: { health: device.health.state } }));
    }, timeoutMs);
    const off = device.on("health", (h) => {
      if (h.state !== "ready") return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

interface ProgressSource<P extends { id: string; stage: string }> {
  on(event: "progress", fn: (p: P) => void): Unsubscribe;
}

/** Resolves with the first progress event of `id` at one of `stages` (or "failed"); undefined after `timeoutMs`. */
export function untilProgress<P extends { id: string; stage: string }>(device: ProgressSource<P>, id: () => string | undefined, stages: readonly string[], timeoutMs: number): Promise<P | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(undefined);
    }, timeoutMs);
    const off = device.on("progress", (p) => {
      if (p.id !== id() || (!stages.includes(p.stage) && p.stage !== "failed")) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

/**
 * The error a one-shot command reports when its device never became ready: LINK_OPEN_FAILED when the port
 * itself could not be opened (with the operating system's reason), else LINK_NOT_OPEN with the last health
 * detail.
 */
export function notReadyError(port: string, device: string, health: { detail: string }, timeoutMs: number, openFailure: GatewayError | undefined, cause: unknown): GatewayError {
  if (openFailure) {
    const reason = openFailure.cause instanceof Error ? openFailure.cause.message : openFailure.message;
    return new GatewayError("LINK_OPEN_FAILED", `cannot open ${port}: ${reason.replace(/^Error: /, "")}`, { cause: openFailure, context: openFailure.context });
  }
  return new GatewayError("LINK_NOT_OPEN", `${device} on ${port} did not answer within ${timeoutMs / 1000} s (${health.detail})`, { cause });
}
