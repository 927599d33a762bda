import { type SimHandler, type SimModemContext, type SimReply, cme, ok, simGate } from "./sim-behaviour.js";

/**
 * V.250 basics, identity (27.007 §5), the SIM (§8.3 `+CPIN`, §8.65 `+CPINR`), `+CFUN` (§8.2) and network
 * status (§7.2 `+CREG`, §10.1.22 `+CEREG`, §7.3 `+COPS`, §8.5 `+CSQ`).
 */

function enterPin(ctx: SimModemContext, value: string | undefined): SimReply {
  const { state, config } = ctx;
  state.pinEntries++;
  if (state.sim === "absent") return cme(ctx, 10);
  if (state.sim === "puk") return cme(ctx, 12);
  if (state.sim === "ready") return cme(ctx, 3); // operation not allowed: no PIN asked for
  if (value !== undefined && value === config.pin) {
    state.sim = "ready";
    state.pinAttemptsLeft = config.pinAttempts;
    return ok();
  }
  state.pinAttemptsLeft--;
  if (state.pinAttemptsLeft <= 0) state.sim = "puk";
  return cme(ctx, 16); // incorrect password
}

function cpinState(ctx: SimModemContext): SimReply {
  switch (ctx.state.sim) {
    case "absent":
      return cme(ctx, 10);
    case "ready":
      return ok(["+CPIN: READY"]);
    case "pin":
      return ok(["+CPIN: SIM PIN"]);
    case "puk":
      return ok(["+CPIN: SIM PUK"]);
  }
}

function registration(ctx: SimModemContext, kind: "CREG" | "CEREG", form: string, args: string[]): SimReply | undefined {
  const v = ctx.state.v;
  const key = kind === "CREG" ? "cregN" : "ceregN";
  if (form === "read") {
    const stat = ctx.state.sim === "ready" && ctx.state.fun === 1 ? ctx.state.regStat : 0;
    const extra = v[key] >= 2 && (stat === 1 || stat === 5) ? `,"00C3","0001A13B",${ctx.config.act}` : "";
    return ok([`+${kind}: ${v[key]},${stat}${extra}`]);
  }
  if (form === "set") {
    const n = Number(args[0] ?? "0");
    if (![0, 1, 2].includes(n)) return cme(ctx, 50);
    v[key] = n;
    return ok();
  }
  if (form === "test") return ok([`+${kind}: (0-2)`]);
  return undefined;
}

function cfun(ctx: SimModemContext, form: string, args: string[]): SimReply | undefined {
  if (form === "read") return ok([`+CFUN: ${ctx.state.fun}`]);
  if (form !== "set") return undefined;
  const fun = Number(args[0]);
  const rst = Number(args[1] ?? "0");
  if (![0, 1, 4].includes(fun) || ![0, 1].includes(rst)) return cme(ctx, 50);
  if (rst === 1) return ok([], () => ctx.reboot(ctx.config.bootMs));
  ctx.state.fun = fun === 1 ? 1 : 0;
  return ok([], () => ctx.setRegistration(fun === 1 ? 1 : 0));
}

/** Handles V.250 basics, identity, SIM, `+CFUN` and network status. */
export const basicHandler: SimHandler = (cmd, ctx) => {
  const { config, state } = ctx;
  const info = (text: string): SimReply | undefined => (cmd.form === "exec" ? ok([text]) : cmd.form === "test" ? ok() : undefined);
  switch (cmd.name) {
    case "":
      return ok();
    case "E":
      state.v.echo = cmd.argText !== "0";
      return ok();
    case "+CMEE":
      if (cmd.form === "read") return ok([`+CMEE: ${state.v.cmee}`]);
      state.v.cmee = Number(cmd.args[0] ?? "0");
      return [0, 1, 2].includes(state.v.cmee) ? ok() : cme(ctx, 50);
    case "+CGMI":
    case "+GMI":
      return info(config.manufacturer);
    case "+CGMM":
    case "+GMM":
      return info(config.model);
    case "+CGMR":
    case "+GMR":
      return info(config.firmware);
    case "+CGSN":
    case "+GSN":
      return info(config.imei);
    case "+CCID":
      return state.sim === "absent" ? cme(ctx, 10) : ok([`+CCID: ${config.iccid}`]);
    case "+CIMI":
      return simGate(ctx, false) ?? ok(["240079900000017"]);
    case "+CPIN":
      if (cmd.form === "read") return cpinState(ctx);
      if (cmd.form === "set") return enterPin(ctx, cmd.args[0]);
      return ok();
    case "+CPINR":
      if (!config.supportsCpinr) return { final: "ERROR" };
      if (state.sim === "absent") return cme(ctx, 10);
      return ok([`+CPINR: SIM PIN,${state.pinAttemptsLeft},${config.pinAttempts}`, `+CPINR: SIM PUK,10,10`]);
    case "+CFUN":
      return cfun(ctx, cmd.form, cmd.args);
    case "+CREG":
      return registration(ctx, "CREG", cmd.form, cmd.args);
    case "+CEREG":
      return registration(ctx, "CEREG", cmd.form, cmd.args);
    case "+COPS":
      if (cmd.form !== "read") return ok();
      return ok([state.sim === "ready" && state.fun === 1 && (state.regStat === 1 || state.regStat === 5) ? `+COPS: 0,0,"${config.operator}",${config.act}` : "+COPS: 0"]);
    case "+CSQ":
      return cmd.form === "exec" ? ok([`+CSQ: ${state.fun === 1 ? config.rssi : 99},99`]) : ok(["+CSQ: (0-31,99),(0-7,99)"]);
    default:
      return undefined;
  }
};
