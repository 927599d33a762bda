import { GatewayError } from "../shared/errors.js";

/**
 * Ends a one-shot command on Ctrl-C or SIGTERM: `work` is abandoned with `AT_ABORTED`, so the caller's
 * `finally` closes the port and main prints one error line (exit 2) instead of dying with 130 mid-way.
 * Commands that handle the signal themselves (`sds listen`, `talkgroups check` with its restore) do not use it.
 */
export async function untilInterrupted<T>(work: Promise<T>): Promise<T> {
  let onSignal: () => void = () => undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = () => reject(new GatewayError("AT_ABORTED", "interrupted by a signal; the port was closed"));
  });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
