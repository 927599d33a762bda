import type { ChannelKind } from "./addresses.js";

/**
 * The alert sends waiting for or on their channel, each with two AbortControllers its port send listens to:
 * - `signal`, fired when the channel's link ceases to be ready (the ladder moves on), ends the send even
 *   on the wire: the link is gone anyway;
 * - `withdraw`, fired when the alert ends (cancelled, expired, completed), takes the send back only while
 *   it waits to start: a cancelled alert's queued SDS and SMS must not go out afterwards, but a send already
 *   on the wire finishes. Aborting it there would gain nothing (the terminal may have taken the message) and
 *   would cost every other alert: the AT engine keeps the line quiet for its settle time (2 s) after an
 *   aborted command, so that a late answer is not read as the next command's.
 */
export class InFlightSends {
  private readonly byChannel = new Map<ChannelKind, Set<AbortController>>();
  private readonly byAlert = new Map<string, Set<AbortController>>();

  /** A new send of `alert` on `channel`; call the returned `done` when it settles. */
  start(channel: ChannelKind, alert: string): { signal: AbortSignal; withdraw: AbortSignal; done: () => void } {
    const linkGone = new AbortController();
    const ended = new AbortController();
    const of = <K>(map: Map<K, Set<AbortController>>, key: K): Set<AbortController> => map.get(key) ?? map.set(key, new Set()).get(key)!;
    of(this.byChannel, channel).add(linkGone);
    of(this.byAlert, alert).add(ended);
    return {
      signal: linkGone.signal,
      withdraw: ended.signal,
      done: () => {
        this.remove(this.byChannel, channel, linkGone);
        this.remove(this.byAlert, alert, ended);
      },
    };
  }

  /** Withdraws every send on the channels for which `notReady` holds. */
  abortChannels(notReady: (channel: ChannelKind) => boolean, reason: (channel: ChannelKind) => Error): void {
    for (const [channel, set] of this.byChannel) if (notReady(channel)) for (const abort of set) abort.abort(reason(channel));
  }

  /** Withdraws every send of one alert that has not started yet. */
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
