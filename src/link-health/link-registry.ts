import type { Logger } from "../shared/logger.js";
import { TypedEmitter, type Unsubscribe } from "../shared/typed-emitter.js";
import { linkHealthJson, type LinkHealth, type LinkHealthJson, type LinkState } from "./link-state.js";

/** Where link health goes: the MessageBus port's `publishLinkState` (retained `<base>/links/<link>`). */
export type LinkPublisher = (link: string, health: LinkHealthJson) => void;

/** Log, and an injectable wall clock. */
export interface LinkRegistryDeps {
  log: Logger;
  /** Wall clock for `since`; injected for tests. */
  wallNow?: () => Date;
}

/** Emitted on every change of a link's state or detail. */
export interface LinkRegistryEvents {
  change: (link: string, health: LinkHealth, previous: LinkHealth | undefined) => void;
}

/**
 * The one place every link's health lives. `set()` is cheap and idempotent: only a change of state or
 * detail is logged, emitted and published, and `since` moves only when the state changes, so a monitor can
 * report every sample without flooding the retained topic. Publishers attached later get the current
 * snapshot at once (the broker may start after the radios).
 */
export class LinkHealthRegistry {
  private readonly links = new Map<string, LinkHealth>();
  private readonly publishers = new Set<LinkPublisher>();
  private readonly events: TypedEmitter<LinkRegistryEvents>;
  private readonly wallNow: () => Date;

  constructor(private readonly deps: LinkRegistryDeps) {
    this.wallNow = deps.wallNow ?? (() => new Date());
    this.events = new TypedEmitter<LinkRegistryEvents>((err, event) => deps.log.error({ err, event }, "link-health listener failed"));
  }

  /** Records the health of `link`; returns true when something changed. */
  set(link: string, state: LinkState, detail: string): boolean {
    const prev = this.links.get(link);
    if (prev && prev.state === state && prev.detail === detail) return false;
    const next: LinkHealth = { state, detail, since: prev && prev.state === state ? prev.since : this.wallNow() };
    this.links.set(link, next);
    if (!prev || prev.state !== state) {
      const lvl = state === "ready" ? "info" : "warn";
      this.deps.log[lvl]({ mod: "link-health", link, state, from: prev?.state ?? null, detail }, "link state changed");
    }
    this.events.emit("change", link, next, prev);
    for (const p of this.publishers) this.safePublish(p, link, next);
    return true;
  }

  get(link: string): LinkHealth | undefined {
    return this.links.get(link);
  }

  /** Every link's health as published JSON, keyed by link name. */
  snapshot(): Record<string, LinkHealthJson> {
    const out: Record<string, LinkHealthJson> = {};
    for (const [k, v] of this.links) out[k] = linkHealthJson(v);
    return out;
  }

  /** Attaches a publisher and replays the current state to it. */
  addPublisher(p: LinkPublisher): Unsubscribe {
    this.publishers.add(p);
    for (const [link, h] of this.links) this.safePublish(p, link, h);
    return () => this.publishers.delete(p);
  }

  on<K extends keyof LinkRegistryEvents>(event: K, fn: LinkRegistryEvents[K]): Unsubscribe {
    return this.events.on(event, fn);
  }

  private safePublish(p: LinkPublisher, link: string, h: LinkHealth): void {
    try {
      p(link, linkHealthJson(h));
    } catch (err) {
      this.deps.log.error({ mod: "link-health", link, err }, "link state publish failed");
    }
  }
}
