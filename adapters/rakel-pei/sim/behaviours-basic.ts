/**
 * V.250 basics, identity and radio state (EN 300 392-5 clauses 6.11 and 6.14; docs/pei.md §1.2, §7.2, §8.1):
 * `AT`, `ATE`, `ATV`, `ATZ`, `ATH`, `ATI`, `AT+CSCS`, `AT+GMI/GMM/GMR`, `AT+CNUMF?`, `AT+CSQ`, `AT+CREG`,
 * `AT+CBC?`, `AT+CMEE`, `AT+CTSDC`.
 */
import { cme, error, ok, type SimBehaviour, type SimCommand, type SimContext, type SimReply } from "./behaviour.js";
import { ownItsi } from "./sim-config.js";

function basic(cmd: SimCommand, ctx: SimContext): SimReply | undefined {
  switch (cmd.name) {
    case "":
      return ok();
    case "E": {
      // V.250 6.2.4: E0 (or a bare E) turns echo off, E1 on.
      if (cmd.argText === "0" || cmd.argText === "") ctx.state.echo = false;
      else if (cmd.argText === "1") ctx.state.echo = true;
      else return error();
      return ok();
    }
    case "V":
      // Only verbose result codes are modelled; all observed traffic is verbose (docs/pei.md §1.2).
      return cmd.argText === "1" ? ok() : error();
    case "Z":
      ctx.warn("host sent ATZ: the gateway must never send it (reboots Sepura terminals, docs/pei.md §1.2)");
      if (ctx.config.atz === "reboot") return ok([], () => void ctx.reboot(1000));
      return error();
    case "H":
      if (ctx.state.call) return ok([], () => ctx.endCall(1));
      return ok();
    case "I":
      return cmd.argText === "" ? ok([`${ctx.config.manufacturer} ${ctx.config.model} ${ctx.config.firmware}`]) : error();
    default:
      return undefined;
  }
}

/** Free-text identity commands, answered without a header (formats vary by maker, docs/pei.md §8.1). */
function info(cmd: SimCommand, ctx: SimContext): SimReply | undefined {
  const text: Record<string, string> = { "+GMI": ctx.config.manufacturer, "+GMM": ctx.config.model, "+GMR": ctx.config.firmware };
  const value = text[cmd.name];
  if (value === undefined) return undefined;
  if (cmd.form === "exec" || cmd.form === "read") return ok([value]);
  return cmd.form === "test" ? ok() : error();
}

function creg(cmd: SimCommand, ctx: SimContext): SimReply {
  switch (cmd.form) {
    case "read":
      // EN 300 392-5 terminals answer `<stat>,<LA>,<MNI>` (no `<n>`); 27.007 modems `<n>,<stat>`.
      if (ctx.config.cregForm === "tetra") return ok([`+CREG: ${ctx.state.regStat},${ctx.config.locationArea},${ctx.config.mcc}${ctx.config.mnc}`]);
      return ok([`+CREG: ${ctx.state.cregMode},${ctx.state.regStat}`]);
    case "test":
      return ok(["+CREG: (0-2)"]);
    case "set": {
      const n = Number(cmd.args[0]);
      if (cmd.args.length !== 1 || !Number.isInteger(n)) return cme(35);
      if (n < 0 || n > 2) return cme(34);
      if (n > 0 && ctx.config.refuseCregReporting) return cme(4);
      ctx.state.cregMode = n;
      return ok();
    }
    case "exec":
      return cme(35);
  }
}

function identityAndState(cmd: SimCommand, ctx: SimContext): SimReply | undefined {
  switch (cmd.name) {
    case "+CSCS":
      // Only ISO 8859-1 is offered; ftl-cli writes it unquoted, tetraterm quoted (docs/pei.md §1.6).
      if (cmd.form === "read") return ok(['+CSCS: "8859-1"']);
      if (cmd.form === "test") return ok(['+CSCS: ("8859-1")']);
      return cmd.form === "set" && cmd.args[0]?.toUpperCase() === "8859-1" ? ok() : cme(34);
    case "+CNUMF":
      // Num type 6 = individual extended TSI (EN 300 392-5 6.17.38 via svx, docs/pei.md §7.2).
      return cmd.form === "read" ? ok([`+CNUMF: 6,${ownItsi(ctx.config)}`]) : cmd.form === "test" ? ok(["+CNUMF: (6)"]) : cme(35);
    case "+CSQ":
      return cmd.form === "exec" || cmd.form === "read" ? ok([`+CSQ: ${ctx.state.rssi},99`]) : cmd.form === "test" ? ok(["+CSQ: (0-31,99),(99)"]) : cme(35);
    case "+CBC":
      return cmd.form === "read" || cmd.form === "exec" ? ok(["+CBC: 0,100"]) : ok();
    case "+CREG":
      return creg(cmd, ctx);
    case "+CMEE":
    case "+CTSDC":
      // Accepted and ignored: errors are always reported as +CME, circuit-mode parameters are not modelled.
      return cmd.form === "set" ? ok() : cmd.form === "exec" ? cme(35) : ok();
    default:
      return undefined;
  }
}

/** Default behaviours for basic, identity and state commands. */
export const basicBehaviours: readonly SimBehaviour[] = [
  { name: "basic", onCommand: basic },
  { name: "identity-info", onCommand: info },
  { name: "identity-and-state", onCommand: identityAndState },
];
