/**
 * A small typed event emitter. Listener errors are isolated: one failing listener is reported through
 * `onListenerError` and never stops the others or the emitter's owner (zigbee2mqtt eventBus rule).
 */
export type Unsubscribe = () => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- event maps are checked at the call sites
export type EventMap<E> = { [K in keyof E]: (...args: any[]) => void };

export class TypedEmitter<E extends EventMap<E>> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>();

  constructor(private readonly onListenerError: (err: unknown, event: string) => void = () => undefined) {}

  on<K extends keyof E>(event: K, fn: E[K]): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  once<K extends keyof E>(event: K, fn: E[K]): Unsubscribe {
    const off = this.on(event, ((...args: Parameters<E[K]>) => {
      off();
      fn(...args);
    }) as E[K]);
    return off;
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAll(): void {
    this.listeners.clear();
  }
}
