/**
 * Talk groups and AI mode (EN 300 392-5 clauses 6.14.7, 6.15.6, 6.11.5; docs/pei.md §7): `AT+CTOM`, `AT+CTGS`,
 * and the identity lists `AT+CNUMS` (codeplug groups) and `AT+CNUMD` (DGNA groups).
 */
import { cme, ok, type SimBehaviour, type SimCommand, type SimContext, type SimReply } from "./behaviour.js";
import { isDmoMode, ssiOf, type SimTalkGroup } from "./sim-config.js";
import { LIST_INDEX_MAX, selectedGroup, type IndexRange } from "./terminal-state.js";

const MAX_MODE = 6;

function ctom(cmd: SimCommand, ctx: SimContext): SimReply {
  switch (cmd.form) {
    case "read":
      return ok([`+CTOM: ${ctx.state.mode}`]);
    case "test":
      return ok([`+CTOM: (0-${MAX_MODE})`]);
    case "set": {
      // wodie sends `AT+CTOM=6,0`: extra fields are accepted and ignored (docs/pei.md §7.4).
      const raw = cmd.args[0] ?? "";
      if (!/^\d+$/.test(raw)) return cme(35);
      const mode = Number(raw);
      if (mode > MAX_MODE) return cme(34);
      if (ctx.state.call) return cme(ctx.config.callBusyCme);
      return ok([], () => ctx.setMode(mode));
    }
    case "exec":
      return cme(35);
  }
}

/** `AT+CTGS=<group type>,<identity>[,<group type>,<identity>…]` (docs/pei.md §7.1). */
function ctgsSet(cmd: SimCommand, ctx: SimContext): SimReply {
  const args = cmd.args;
  if (args.length < 2 || args.length % 2 !== 0) return cme(35);
  if (ctx.state.call) return cme(ctx.config.callBusyCme);
  // Group attachment signalling still running: "MT busy with signalling" (docs/pei.md §1.3 code 42, 10.12).
  if (Date.now() < ctx.state.attachBusyUntil) return cme(42);
  const programmed = ctx.groupsFor(ctx.state.mode);
  let select: SimTalkGroup | undefined;
  for (let i = 0; i < args.length; i += 2) {
    // In DMO the group type may be omitted (svx comment, docs/pei.md §7.1).
    const typeText = args[i] === "" && isDmoMode(ctx.state.mode) ? "1" : args[i]!;
    if (!/^\d$/.test(typeText)) return cme(35);
    const type = Number(typeText);
    if (type > 7) return cme(34);
    const ssi = ssiOf(args[i + 1]!);
    if (ssi === undefined) return cme(33);
    if (type === 0) continue; // "detach all groups": accepted, not modelled
    const group = programmed.find((g) => g.gssi === ssi);
    // The real code for "not in the codeplug" was never observed (docs/pei.md §7.3, §13): configurable.
    if (!group) return cme(ctx.config.unknownGroupCme);
    if (type === 1) select = group;
  }
  if (!select) return ok();
  const gssi = select.gssi;
  const attachMs = ctx.config.groupAttachMs;
  if (attachMs <= 0) return ok([], () => ctx.selectGroup(gssi));
  ctx.state.attachBusyUntil = Date.now() + attachMs;
  return ok([], () => ctx.schedule(attachMs, () => ctx.selectGroup(gssi)));
}

function ctgs(cmd: SimCommand, ctx: SimContext): SimReply {
  switch (cmd.form) {
    case "read": {
      const gssi = selectedGroup(ctx.state);
      return ok(gssi === undefined ? [] : [`+CTGS: 1,${ctx.formatGroup(gssi)}`]);
    }
    case "test":
      return ok(["+CTGS: (0-7),(0-16777215)"]);
    case "set":
      return ctgsSet(cmd, ctx);
    case "exec":
      return cme(35);
  }
}

/**
 * `AT+CNUMS` / `AT+CNUMD` (docs/pei.md §7.2, ftl-pei's range dance): `=?` gives the ranges, `=0,<from>,<to>` selects
 * an index range, `?` lists `+CNUMx: <count>` then `1,<identity>,<name>` per group in the range.
 */
function identityList(cmd: SimCommand, ctx: SimContext, header: "+CNUMS" | "+CNUMD"): SimReply {
  // A terminal that only supports probing (Motorola over an Enhanced Control Head answered 4, fms; docs/pei.md §1.3).
  if (!ctx.config.supportsListing) return cme(4);
  const rangeKey = header === "+CNUMS" ? "cnumsRange" : "cnumdRange";
  switch (cmd.form) {
    case "test":
      return ok([`${header}: (0),(1-${LIST_INDEX_MAX}),(1-${LIST_INDEX_MAX})`]);
    case "set": {
      const r = parseRange(cmd.args);
      if (typeof r === "number") return cme(r);
      ctx.state[rangeKey] = r;
      return ok();
    }
    case "read": {
      const list = header === "+CNUMS" ? staticGroups(ctx) : isDmoMode(ctx.state.mode) ? [] : ctx.config.dgnaGroups;
      const { from, to } = ctx.state[rangeKey];
      const shown = list.slice(from - 1, to);
      return ok([`${header}: ${shown.length}`, ...shown.map((g) => `1,${ctx.formatGroup(g.gssi)},${g.name}`)]);
    }
    case "exec":
      return cme(35);
  }
}

/** The codeplug list of the current mode (ftl-cli reads TMO and DMO lists by switching mode, docs/pei.md §7.2). */
function staticGroups(ctx: SimContext): SimTalkGroup[] {
  return isDmoMode(ctx.state.mode) ? ctx.config.dmoGroups : ctx.config.tmoGroups;
}

/** `0,<from>,<to>` → range, or a CME code (35 syntax, 34 out of range). */
function parseRange(args: readonly string[]): IndexRange | number {
  if (args.length === 0 || args.length > 3 || !args.every((a) => /^\d+$/.test(a))) return 35;
  if (args[0] !== "0") return 34;
  const from = args.length > 1 ? Number(args[1]) : 1;
  const to = args.length > 2 ? Number(args[2]) : LIST_INDEX_MAX;
  if (from < 1 || to > LIST_INDEX_MAX || from > to) return 34;
  return { from, to };
}

/** Default behaviours for talk groups, mode and identity lists. */
export const groupBehaviours: readonly SimBehaviour[] = [
  {
    name: "talk-groups",
    onCommand(cmd, ctx) {
      switch (cmd.name) {
        case "+CTOM":
          return ctom(cmd, ctx);
        case "+CTGS":
          return ctgs(cmd, ctx);
        case "+CNUMS":
        case "+CNUMD":
          return identityList(cmd, ctx, cmd.name);
        default:
          return undefined;
      }
    },
  },
];
