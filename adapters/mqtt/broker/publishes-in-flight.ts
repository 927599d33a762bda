/**
 * Publishes aedes has taken on and not yet handed to every subscriber. aedes acknowledges a QoS 1 publish
 * (PUBACK) before it delivers it, and delivers in a later turn of the event loop, so a broker that closed
 * its connections as soon as it was told to stop could drop a message its sender already counts as
 * delivered: the gateway's own retained `bridge/state` `offline`, published just before it stops the
 * broker, was such a message. The broker's close waits for these first (bounded), then closes its clients.
 */
interface Publisher {
  publish(packet: unknown, client: unknown, done?: (err?: Error) => void): void;
}

interface Waiter {
  /** Satisfied once every publish numbered up to this one is done. */
  upTo: number;
  resolve(): void;
}

export class PublishesInFlight {
  private seq = 0;
  /** Numbers of the publishes in flight, in the order they started (a Set keeps insertion order). */
  private readonly pending = new Set<number>();
  private waiters: Waiter[] = [];

  /** Counts every publish that passes through `broker.publish` (clients', wills', the broker's own). */
  constructor(broker: Publisher) {
    const publish = broker.publish.bind(broker);
    broker.publish = (packet, client, done) => {
      // aedes' own calls may pass the callback in the client's place.
      const cb = typeof client === "function" ? (client as (err?: Error) => void) : done;
      const id = ++this.seq;
      this.pending.add(id);
      publish(packet, typeof client === "function" ? null : client, (err?: Error) => {
        this.pending.delete(id);
        if (this.waiters.length > 0) this.wake();
        cb?.(err);
      });
    };
  }

  get count(): number {
    return this.pending.size;
  }

  /**
   * Resolves once every publish in flight now has been handed to its subscribers, or after `timeoutMs`,
   * whichever is first. Publishes that start later are not waited for.
   */
  settled(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      const waiter: Waiter = {
        upTo: this.seq,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private wake(): void {
    const oldest = this.pending.values().next();
    const waiting: Waiter[] = [];
    for (const w of this.waiters) {
      if (oldest.done === true || oldest.value > w.upTo) w.resolve();
      else waiting.push(w);
    }
    this.waiters = waiting;
  }
}
