import { decodePdu } from "../pdu/index.js";
import { type SimHandler, type SimModemContext, type SimReply, cms, ok, simGate } from "./sim-behaviour.js";
import type { StoredMessage } from "./sim-modem-state.js";

/**
 * The 27.005 command set in PDU mode: `+CMGF`, `+CNMI`, `+CMGS` (the PDU is decoded as the network would,
 * so tests check the text that reaches a phone), `+CMGR`, `+CMGL`, `+CMGD`, `+CMMS`, `+CNMA`, `+CPMS`,
 * `+CSCA`, `+CSMS`.
 */

/** `+CMGS` in PDU mode (27.005 §3.5.1): check the PDU, assign TP-MR, answer after the network's delay. */
function submit(ctx: SimModemContext, lengthArg: string | undefined, data: string | undefined): SimReply {
  const { state, faults, config } = ctx;
  const length = Number(lengthArg);
  if (data === undefined || !Number.isInteger(length) || length < 1) return cms(304);
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(data)) return cms(304); // invalid PDU mode parameter
  const decoded = decodePdu(data, length);
  if (!decoded.ok || decoded.value.type !== "submit") return cms(304);
  if (faults.cmsErrorNext.count > 0) {
    faults.cmsErrorNext.count--;
    return { ...cms(faults.cmsErrorNext.code), delayMs: config.cmgsDelayMs };
  }
  const registered = state.fun === 1 && (state.regStat === 1 || state.regStat === 5);
  if (!registered) return { ...cms(331), delayMs: config.cmgsDelayMs }; // no network service
  const reference = state.nextMr;
  state.nextMr = (state.nextMr + 1) % 256;
  const d = decoded.value;
  const concat = d.concat ? { reference: d.concat.reference, total: d.concat.total, sequence: d.concat.sequence } : null;
  const sent = { at: new Date(), reference, to: d.destination.address, text: d.text, statusReport: d.statusReportRequest, concat, hex: data.toUpperCase(), decoded: d };
  return { info: [`+CMGS: ${reference}`], final: "OK", delayMs: config.cmgsDelayMs, then: () => ctx.submitted(sent) };
}

function listLine(index: number, m: StoredMessage): string[] {
  return [`+CMGL: ${index},${m.stat},,${m.length}`, m.hex];
}

function read(ctx: SimModemContext, indexArg: string | undefined): SimReply {
  const index = Number(indexArg);
  const m = ctx.state.storage.get(index);
  if (!m) return cms(321); // invalid memory index
  const lines = [`+CMGR: ${m.stat},,${m.length}`, m.hex];
  if (m.stat === 0) m.stat = 1;
  return ok(lines);
}

function list(ctx: SimModemContext, statArg: string | undefined): SimReply {
  const want = Number(statArg ?? "0");
  if (![0, 1, 2, 3, 4].includes(want)) return cms(302);
  const lines: string[] = [];
  for (const [i, m] of [...ctx.state.storage].sort((a, b) => a[0] - b[0])) {
    if (want !== 4 && m.stat !== want) continue;
    lines.push(...listLine(i, m));
    if (m.stat === 0) m.stat = 1;
  }
  return ok(lines);
}

function remove(ctx: SimModemContext, args: string[]): SimReply {
  const index = Number(args[0]);
  const flag = Number(args[1] ?? "0");
  if (!Number.isInteger(index)) return cms(321);
  if (flag === 4) ctx.state.storage.clear();
  else ctx.state.storage.delete(index);
  return ok();
}

/** Handles the 27.005 commands. */
export const smsHandler: SimHandler = (cmd, ctx) => {
  const { state, config } = ctx;
  const gate = (): SimReply | undefined => simGate(ctx, true);
  switch (cmd.name) {
    case "+CMGF":
      if (cmd.form === "read") return ok([`+CMGF: ${state.v.cmgf}`]);
      if (cmd.form === "test") return ok(["+CMGF: (0-1)"]);
      state.v.cmgf = Number(cmd.args[0] ?? "0");
      return ok();
    case "+CNMI":
      if (cmd.form === "read") return ok([`+CNMI: 2,${state.v.cnmi.mt},0,${state.v.cnmi.ds},0`]);
      if (cmd.form !== "set") return ok(["+CNMI: (0-2),(0-3),(0-3),(0-2),(0-1)"]);
      state.v.cnmi = { mt: Number(cmd.args[1] ?? "0"), ds: Number(cmd.args[3] ?? "0") };
      return ok();
    case "+CMGS":
      if (cmd.form === "test") return ok();
      return gate() ?? (state.v.cmgf !== 0 ? cms(302) : submit(ctx, cmd.args[0], cmd.data));
    case "+CMGR":
      return gate() ?? read(ctx, cmd.args[0]);
    case "+CMGL":
      return gate() ?? list(ctx, cmd.args[0]);
    case "+CMGD":
      return gate() ?? remove(ctx, cmd.args);
    case "+CMMS":
      if (cmd.form === "read") return ok([`+CMMS: ${state.v.cmms}`]);
      state.v.cmms = Number(cmd.args[0] ?? "0");
      return ok();
    case "+CNMA":
      return ok();
    case "+CPMS":
      return gate() ?? ok([`+CPMS: "SM",${state.storage.size},${config.storageSize},"SM",${state.storage.size},${config.storageSize},"SM",${state.storage.size},${config.storageSize}`]);
    case "+CSCA":
      return gate() ?? ok(['+CSCA: "+46700000000",145']);
    case "+CSMS":
      return ok(cmd.form === "read" ? ["+CSMS: 0,1,1,1"] : ["+CSMS: 1,1,1"]);
    default:
      return undefined;
  }
};
