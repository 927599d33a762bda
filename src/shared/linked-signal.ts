/**
 * One AbortSignal that fires when any of `signals` does, with its listeners removed by `dispose()`.
 *
 * `AbortSignal.any` is not used for per-message signals: in Node 20 a combined signal with a listener stays
 * referenced from a global set until it fires or loses the listener, and each source keeps a WeakRef to
 * it that is never pruned, so one per SMS or SDS send grows the heap for as long as the daemon runs.
 */
export function linkSignals(...signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const offs: (() => void)[] = [];
  for (const s of signals) {
    if (!s) continue;
    if (s.aborted) {
      ctl.abort(s.reason);
      break;
    }
    const on = (): void => ctl.abort(s.reason);
    s.addEventListener("abort", on, { once: true });
    offs.push(() => s.removeEventListener("abort", on));
  }
  return { signal: ctl.signal, dispose: () => offs.splice(0).forEach((off) => off()) };
}
