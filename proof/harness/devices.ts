import { SimModem } from "../../adapters/gsm-sms/sim/sim-modem.js";
import { runOnPty, type AttachableSimulator, type PtySession } from "../../adapters/shared-kits/simulator/pty-runner.js";
import { SimTerminal } from "../../adapters/rakel-pei/sim/sim-terminal.js";

/**
 * A simulated device served on a real pseudo-terminal (socat) at a fixed path, in the proof runner's own
 * process so it outlives every daemon crash. Every byte the gateway writes is kept in `wire` (the
 * simulators' own logs would die with a per-trial process), and the pty can be unplugged (socat killed,
 * symlink removed) and re-created at the same path.
 */
export class PtyDevice<S extends AttachableSimulator> {
  private session: PtySession | undefined;
  /** Everything the gateway wrote to this device, in order, across every plug cycle (latin1). */
  wire = "";
  /** performance.now() of the last unplug. */
  lastUnplugAt = 0;
  /** performance.now() of every unplug. */
  readonly unplugs: number[] = [];

  constructor(
    public sim: S,
    readonly path: string,
  ) {}

  /** Another device on the same port (a swapped radio): unplugs, swaps, plugs. */
  async swap(sim: S): Promise<S> {
    const old = this.sim;
    await this.unplug();
    this.sim = sim;
    await this.plug();
    return old;
  }

  get plugged(): boolean {
    return this.session !== undefined;
  }

  async plug(): Promise<void> {
    if (this.session) return;
    const s = await runOnPty(this.path, this.sim);
    s.link.onData((chunk) => (this.wire += chunk.toString("latin1")));
    this.session = s;
  }

  /** The USB adapter pulled: socat dies, the gateway's fd fails, the path disappears. */
  async unplug(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.lastUnplugAt = performance.now();
    this.unplugs.push(this.lastUnplugAt);
    if (s) await s.stop();
  }

  async stop(): Promise<void> {
    await this.unplug();
  }
}

export const TERMINAL_ISSI = "2001234";

export function simTerminal(issi = TERMINAL_ISSI, maxSdsPerMinute?: number): SimTerminal {
  return new SimTerminal({ config: { issi, ...(maxSdsPerMinute ? { maxSdsPerMinute } : {}) } });
}

export function simModem(): SimModem {
  return new SimModem();
}
