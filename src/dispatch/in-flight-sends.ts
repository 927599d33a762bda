import type { ChannelKind } from "./addresses.js";

/**
 * The alert sends waiting for or on their channel, each with the AbortController its port send listens to.
 * Two things withdraw them: the channel's link ceasing to be ready (the ladder moves on) and their alert
 * ending (a cancelled or expired alert's queued SDS and SMS must not go out afterwards).
 */
export class InFlightSends {
  private readonly byChannel = new Map<ChannelKind, Set<AbortController>>();
  private readonly byAlert = new Map<string, Set<AbortController>>();

  /** A new send of `alert` on `channel`; call the returned `done` when it settles. */
  start(channel: ChannelKind, alert: string): { signal: AbortSignal; done: () => void } {
    const abort = new AbortController();
    const of = <K>(map: Map<K, Set<AbortController>>, key: K): Set<AbortController> => map.get(key) ?? map.set(key, new Set()).get(key)!;
    of(this.byChannel, channel).add(abort);
    of(this.byAlert, alert).add(abort);
    return {
      signal: abort.signal,
      done: () => {
        this.remove(this.byChannel, channel, abort);
        this.remove(this.byAlert, alert, abort);
      },
    };
  }

  /** Withdraws every send on the channels for which `notReady` holds. */
  abortChannels(notReady: (channel: ChannelKind) => boolean, reason: (channel: ChannelKind) => Error): void {
    for (const [channel, set] of this.byChannel) if (notReady(channel)) for (const abort of set) abort.abort(reason(channel));
  }

  /** Withdraws every send of one alert. */
  abortAlert(alert: string, reason: Error): void {
    for (const abort of this.byAlert.get(alert) ?? []) abort.abort(reason);
  }

  /** Sends not yet settled (for tests and figures). */
  get size(): number {
    let n = 0;
    for (const set of this.byChannel.values()) n += set.size;
    return n;
  }

  private remove<K>(map: Map<K, Set<AbortController>>, key: K, abort: AbortController): void {
    const set = map.get(key);
    set?.delete(abort);
    if (set?.size === 0) map.delete(key);
  }
}
