/**
 * Group-call PTT (EN 300 392-5 clause 6.17; docs/pei.md §8.2): `ATD<gssi>` sets up a group call with our
 * transmission granted, `AT+CTXD=<cc>,<prio>` asks for the floor in the active call, `AT+CUTXC=<cc>`
 * releases it. The floor is granted only when nobody else talks (`SimTerminal.radioTalk`); otherwise
 * `+CTXG: <cc>,1,…` (not granted). URCs go out only with call signalling routed (`AT+CTSP=x,0,0`).
 */
import { cme, ok, type SimBehaviour, type SimCommand, type SimContext, type SimReply } from "./behaviour.js";
import { SERVICE } from "./routing-table.js";

function dial(cmd: SimCommand, ctx: SimContext): SimReply {
  const gssi = cmd.argText;
  if (!/^\d{1,8}$/.test(gssi)) return cme(35);
  if (ctx.state.call) return cme(3);
  const cc = ctx.state.nextCc++;
  ctx.state.call = { cc, gssi, caller: ctx.config.issi, talker: "us" };
  return ok([], () => {
    ctx.notify(SERVICE.calls, [`+CTCC: ${cc},1,1,0,0,1,1`]);
    ctx.notify(SERVICE.calls, [`+CTXG: ${cc},0,0,0`]);
  });
}

function demand(cmd: SimCommand, ctx: SimContext): SimReply {
  const call = ctx.state.call;
  if (cmd.form !== "set" || !call || Number(cmd.args[0]) !== call.cc) return cme(3);
  if (call.talker !== undefined && call.talker !== "us") return ok([], () => ctx.notify(SERVICE.calls, [`+CTXG: ${call.cc},1,0,0`]));
  call.talker = "us";
  return ok([], () => ctx.notify(SERVICE.calls, [`+CTXG: ${call.cc},0,0,0`]));
}

function cease(cmd: SimCommand, ctx: SimContext): SimReply {
  const call = ctx.state.call;
  if (cmd.form !== "set" || !call || Number(cmd.args[0]) !== call.cc) return cme(3);
  if (call.talker !== "us") return ok();
  call.talker = undefined;
  return ok([], () => ctx.notify(SERVICE.calls, [`+CDTXC: ${call.cc},0`]));
}

export const callBehaviours: readonly SimBehaviour[] = [
  {
    name: "group-call-ptt",
    onCommand(cmd, ctx) {
      switch (cmd.name) {
        case "D":
          return dial(cmd, ctx);
        case "+CTXD":
          return demand(cmd, ctx);
        case "+CUTXC":
          return cease(cmd, ctx);
        default:
          return undefined;
      }
    },
  },
];
