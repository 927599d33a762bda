/**
 * SDS routing and sending (EN 300 392-5 clauses 6.14.6, 6.13.2 and the CTSP registration; docs/pei.md §1.5, §2, §3):
 * `AT+CTSP`, `AT+CTSDS`, `AT+CMGS`.
 */
import { cme, ok, type SimBehaviour, type SimCommand, type SimContext, type SimReply } from "./behaviour.js";
import { validateCmgs } from "./cmgs-validate.js";
import type { ServiceProfile } from "./routing-table.js";

const INT = /^\d+$/;

/**
 * `AT+CTSP=<profile>,<layer1>[,<layer2>][,<AI mode>][,<link id>]` (docs/pei.md §2.1). Re-registering is accepted
 * (no CME 38). `AT+CTSP?` lists one `+CTSP: <profile>,<layer1>,<layer2>` line per registration; the real
 * read format was not captured (docs/pei.md §2.1 [?]), this one mirrors the set syntax.
 */
function ctsp(cmd: SimCommand, ctx: SimContext): SimReply {
  switch (cmd.form) {
    case "read":
      return ok(ctx.state.routing.list().map((r) => `+CTSP: ${r.profile},${r.layer1},${r.layer2}`));
    case "test":
      return ok(["+CTSP: (0-2),(0-3),(0-255)"]);
    case "set": {
      const [p, l1, l2 = "0"] = cmd.args;
      if (cmd.args.length < 2 || cmd.args.length > 5 || ![p, l1, l2].every((a) => a !== undefined && INT.test(a))) return cme(35);
      const profile = Number(p);
      const layer1 = Number(l1);
      const layer2 = Number(l2);
      if (profile > 2 || layer1 > 3 || layer2 > 255) return cme(34);
      ctx.state.routing.register({ profile: profile as ServiceProfile, layer1, layer2 });
      return ok();
    }
    case "exec":
      return cme(35);
  }
}

/** `AT+CTSDS=<AI service>,<called party identity type>[,<area>][,<access priority>][,<e2ee>]` (docs/pei.md §3.1). */
function ctsds(cmd: SimCommand, ctx: SimContext): SimReply {
  switch (cmd.form) {
    case "read":
      return ok([`+CTSDS: ${ctx.state.aiService},${ctx.state.calledIdType}`]);
    case "test":
      return ok(["+CTSDS: (9-13),(0-5),(0),(0-2),(0-1)"]);
    case "set": {
      const args = cmd.args;
      if (args.length < 2 || args.length > 5 || !args.every((a) => a === "" || INT.test(a)) || args[0] === "" || args[1] === "") return cme(35);
      const ai = Number(args[0]);
      const idType = Number(args[1]);
      // Only the SDS services 9–13 can be sent with AT+CMGS (docs/pei.md §3.1 table); identity types 0–5.
      if (ai < 9 || ai > 13 || idType > 5) return cme(34);
      ctx.state.aiService = ai;
      ctx.state.calledIdType = idType;
      return ok();
    }
    case "exec":
      return cme(35);
  }
}

/** `AT+CMGS=<called party>,<length in bits>` + CR LF + hex + Ctrl-Z, one write, no prompt (docs/pei.md §1.5). */
function cmgs(cmd: SimCommand, ctx: SimContext): SimReply {
  switch (cmd.form) {
    case "test":
      // Ranges as a real radio advertised them (ftl-pei command_test.go, docs/pei.md §3.2).
      return ok([`+CMGS: (0-16777214,00000001-10231638316777214,1-255,0-999999999999999999999999),(8-${ctx.config.maxSdsBits})`]);
    case "set": {
      const v = validateCmgs(cmd, ctx);
      if (!v.ok) {
        ctx.log.debug({ cme: v.cme, reason: v.reason }, "sim rejects AT+CMGS");
        return cme(v.cme);
      }
      ctx.state.sdsSendTimes.push(Date.now());
      // `+CMGS: 0` only means "accepted by the MT"; Motorola reuses instance 0 every time (docs/pei.md §3.2).
      return ok(["+CMGS: 0"], () => ctx.transmit(v.sds));
    }
    case "read":
    case "exec":
      return cme(35);
  }
}

/** Default behaviours for SDS routing and sending. */
export const sdsBehaviours: readonly SimBehaviour[] = [
  {
    name: "sds",
    onCommand(cmd, ctx) {
      switch (cmd.name) {
        case "+CTSP":
          return ctsp(cmd, ctx);
        case "+CTSDS":
          return ctsds(cmd, ctx);
        case "+CMGS":
          return cmgs(cmd, ctx);
        default:
          return undefined;
      }
    },
  },
];
