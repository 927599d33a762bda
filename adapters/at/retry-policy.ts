import { backoffDelay, type BackoffOptions } from "../../src/shared/backoff.js";
import { GatewayError } from "../../src/shared/errors.js";

/**
 * When the engine repeats an idempotent command. A timeout is always worth one more try (the answer may
 * have been lost on the line). A `+CME ERROR` is retried only when the device profile lists its code as
 * transient: the numbers mean different things per device family — on a TETRA PEI (EN 300 392-5) 42 is
 * "busy" (group attachment or SDS signalling under way), on a 3GPP TS 27.007 modem 42 is "network
 * personalisation PIN required", which no repeat will cure.
 */
export interface RetryPolicy {
  /** `+CME ERROR` codes that mean "try again shortly" on this device. */
  transientCme: readonly number[];
  /** Pause before repeating after a transient error (a timeout has already waited long enough). */
  busyBackoff: BackoffOptions;
}

export const DEFAULT_BUSY_BACKOFF: BackoffOptions = { baseMs: 200, capMs: 2000, minMs: 100 };

export function retryPolicy(transientCme: readonly number[] = [], busyBackoff: BackoffOptions = DEFAULT_BUSY_BACKOFF): RetryPolicy {
  return { transientCme, busyBackoff };
}

/** Milliseconds to wait before attempt `attempt + 1`, or undefined when `err` is not worth a retry. */
export function retryDelay(policy: RetryPolicy, err: unknown, attempt: number): number | undefined {
  if (!(err instanceof GatewayError)) return undefined;
  if (err.code === "AT_TIMEOUT") return 0;
  if (err.code === "AT_CME_ERROR" && policy.transientCme.includes(Number(err.context["cme"]))) return backoffDelay(attempt, policy.busyBackoff);
  return undefined;
}
