import { PeiTalkgroupReader } from "../../../adapters/rakel-pei/talkgroups/pei-talkgroup-reader.js";
import type { SimTerminalConfig } from "../../../adapters/rakel-pei/sim/index.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { runTalkgroupCheck, type RunCheckOptions } from "../../../src/talkgroups/check-runner.js";
import type { PlanGroup, TalkgroupPlan } from "../../../src/talkgroups/plan-schema.js";
import { fastProfile, radioRig, type RadioRig } from "../../helpers/radio-rig.js";

/**
 * The real PEI adapter and talk-group reader on a simulated terminal (memory link), with test timings, for
 * the talk-group integration tests. `commandTimes` has the time each command reached the simulator.
 */
export interface TgRig extends RadioRig {
  reader: PeiTalkgroupReader;
  commandTimes: { line: string; t: number }[];
  check(plan: TalkgroupPlan, o?: Partial<RunCheckOptions>): ReturnType<typeof runTalkgroupCheck>;
  /** Commands that would transmit (a call, PTT, an SDS): a check must never send one. */
  transmitCommands(): string[];
}

export async function tgRig(sim: Partial<SimTerminalConfig> = {}, o: { minProbeIntervalMs?: number; listing?: "cnums" | "none" } = {}): Promise<TgRig> {
  const profile = fastProfile((p) => {
    p.talkgroups.minProbeIntervalMs = o.minProbeIntervalMs ?? 20;
    if (o.listing) p.talkgroups.listing = o.listing;
  });
  const rig = await radioRig({ sim, profile, adapter: { heartbeatMs: 0 } });
  const commandTimes: { line: string; t: number }[] = [];
  rig.sim.on("command", (line) => commandTimes.push({ line, t: performance.now() }));
  const reader = new PeiTalkgroupReader({ terminal: rig.radio, timeoutMs: 600 });
  return Object.assign(rig, {
    reader,
    commandTimes,
    check: (plan: TalkgroupPlan, opts: Partial<RunCheckOptions> = {}) =>
      runTalkgroupCheck({ reader, plan, log: silentLogger(), restoreTimeoutMs: 5000, tuning: { confirmPollMs: 10, busyBackoffMs: 20 }, ...opts }),
    transmitCommands: () => rig.commands.filter((c) => /^ATD|^AT\+CMGS=\d|^AT\+CTXD|^AT\+CUTXC|^AT\+CTSDS/i.test(c)),
  });
}

/** A plan from shorthand groups. */
export function plan(groups: Partial<PlanGroup>[] & { gssi: number; name: string }[]): TalkgroupPlan {
  return {
    name: "Integration plan",
    version: "9",
    groups: groups.map((g) => ({ folder: "F", mode: "tmo", required: true, ...g })),
  } as TalkgroupPlan;
}

/** Every TMO and DMO group of the simulator's default codeplug, as a plan that should pass. */
export const SIM_DEFAULT_PLAN = plan([
  { gssi: 9001, name: "RSÄK Sthlm 1" },
  { gssi: 9002, name: "RSÄK Sthlm 2" },
  { gssi: 9010, name: "SOS Larm Sthlm" },
  { gssi: 9020, name: "SAMV Sthlm 1" },
  { gssi: 9021, name: "SAMV Sthlm 2" },
  { gssi: 101, name: "DMO RÄDD 1", mode: "dmo" },
  { gssi: 102, name: "DMO RÄDD 2", mode: "dmo", required: false },
]);
