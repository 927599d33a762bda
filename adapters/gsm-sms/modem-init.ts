import type { ModemService, ModemState } from "../../src/ports/sms-modem.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import { sleep } from "../../src/shared/clock.js";
import type { AtEngine, ExecuteOptions } from "../at/at-engine.js";
import { simpleCommand } from "../at/basic-commands.js";
import { readInfo, readOperator, readRegistration, readSignal } from "./commands/network-commands.js";
import { enterPin, readIccid, readPinAttempts, readPinState } from "./commands/sim-commands.js";
import type { ModemProfile } from "./modem-profile.js";
import { decidePin, readPin, type PinSource, type PinStateStore } from "./pin-guard.js";

/**
 * Modem initialisation, run by the link supervisor after every open and every detected restart:
 *   profile.init (ATE0, AT+CMEE=1) → identity → ICCID → SIM/PIN (pin-guard) → profile.sms.init (AT+CMGF=0,
 *   AT+CNMI, AT+CREG=2, AT+CEREG=2) → registration, operator, signal.
 * A SIM that cannot be used is not an init failure (the modem answers; resets would not help): init
 * completes with a `service` that says why, and the adapter reports the modem degraded.
 */
export interface InitContext {
  engine: AtEngine;
  profile: ModemProfile;
  log: Logger;
  signal: AbortSignal;
  modemName: string;
  pinSource: PinSource | undefined;
  pinStore: PinStateStore;
  /** Timeout of the profile's quick init steps (ATE0, AT+CMGF…); default the profile's command timeout. */
  stepTimeoutMs?: number;
}

/** What init found: identity, SIM, whether SMS can be sent, network. */
export interface InitResult {
  identity: ModemState["identity"];
  sim: ModemState["sim"];
  service: ModemService;
  /** Why the SIM is not usable, when it is not. */
  refusal?: { code: "SIM_PIN_BLOCKED" | "SIM_PIN_REQUIRED" | "SIM_NOT_READY"; reason: string };
  network?: Pick<ModemState, "registration" | "operator" | "signal">;
}

/** CME 14 SIM busy (27.007 §9.2.1), CMS 314 SIM busy / 515 "please wait, init in progress" (27.005 §3.2.5, vendors). */
function isBusy(err: unknown): boolean {
  return (isGatewayError(err, "AT_CME_ERROR") && err.context["cme"] === 14) || (isGatewayError(err, "AT_CMS_ERROR") && [314, 515].includes(Number(err.context["cms"])));
}

function initOpts(ctx: InitContext): ExecuteOptions {
  return { bypassHold: true, priority: "emergency", signal: ctx.signal, timeoutMs: ctx.profile.at.commandTimeoutMs };
}

async function runSteps(ctx: InitContext, steps: ModemProfile["init"]): Promise<void> {
  for (const step of steps) {
    for (let attempt = 1; ; attempt++) {
      try {
        const timeoutMs = ctx.stepTimeoutMs ?? ctx.profile.at.commandTimeoutMs;
        await ctx.engine.execute(simpleCommand(step.command, timeoutMs), undefined, { ...initOpts(ctx), timeoutMs });
        break;
      } catch (err) {
        if (isBusy(err) && attempt < 5) {
          await sleep(1000, ctx.signal);
          continue;
        }
        if (step.optional && isGatewayError(err, ["AT_ERROR", "AT_CME_ERROR", "AT_CMS_ERROR"])) {
          ctx.log.warn({ command: step.command, code: err.code }, "optional modem init step refused");
          break;
        }
        throw new GatewayError(isGatewayError(err) ? err.code : "AT_ERROR", `init step ${step.command} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

/** Runs a read that some models refuse; a refusal gives `undefined`, a timeout or lost link fails init. */
async function tolerate<T>(log: Logger, what: string, p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isGatewayError(err, ["AT_ERROR", "AT_CME_ERROR", "AT_CMS_ERROR", "AT_BAD_RESPONSE"])) {
      log.debug({ what, code: err.code }, "modem query refused");
      return undefined;
    }
    throw err;
  }
}

async function readIdentity(ctx: InitContext): Promise<ModemState["identity"]> {
  const o = initOpts(ctx);
  const id: ModemState["identity"] = {};
  const set = (k: keyof ModemState["identity"], v: string | undefined): void => {
    if (v) id[k] = v;
  };
  set("manufacturer", await tolerate(ctx.log, "manufacturer", ctx.engine.execute(readInfo("AT+CGMI"), undefined, o)));
  set("model", await tolerate(ctx.log, "model", ctx.engine.execute(readInfo("AT+CGMM"), undefined, o)));
  set("firmware", await tolerate(ctx.log, "firmware", ctx.engine.execute(readInfo("AT+CGMR"), undefined, o)));
  set("imei", await tolerate(ctx.log, "imei", ctx.engine.execute(readInfo("AT+CGSN"), undefined, o)));
  return id;
}

/** Reads `+CPIN?`, waiting out "SIM busy"; a missing or failed SIM gives its status instead of an error. */
async function readCpin(ctx: InitContext): Promise<string | { absent: boolean }> {
  const deadline = performance.now() + ctx.profile.sim.readyWaitMs;
  for (;;) {
    try {
      return await ctx.engine.execute(readPinState, undefined, initOpts(ctx));
    } catch (err) {
      const cme = isGatewayError(err, "AT_CME_ERROR") ? Number(err.context["cme"]) : undefined;
      if (cme === 10) return { absent: true }; // 27.007 §9.2.1: SIM not inserted
      if (cme === 13 || cme === 15) return { absent: false }; // SIM failure / SIM wrong
      if (!isBusy(err) || performance.now() > deadline) throw err;
      await sleep(500, ctx.signal);
    }
  }
}

/** Waits for `+CPIN: READY` after the PIN was accepted (the SIM may take seconds to unlock its files). */
async function waitSimReady(ctx: InitContext): Promise<boolean> {
  const deadline = performance.now() + ctx.profile.sim.readyWaitMs;
  for (;;) {
    const s = await readCpin(ctx).catch(() => "?");
    if (s === "READY") return true;
    if (performance.now() > deadline) return false;
    await sleep(500, ctx.signal);
  }
}

/** PIN attempts left, where the model reports them (`AT+CPINR`, `AT^SPIC`, `AT+QPINC`). */
async function attemptsLeft(ctx: InitContext): Promise<number | undefined> {
  const kind = ctx.profile.sim.pinAttemptsCommand;
  if (kind === "none") return undefined;
  return tolerate(ctx.log, "pin attempts", ctx.engine.execute(readPinAttempts(kind), undefined, initOpts(ctx)));
}

async function checkSim(ctx: InitContext, simKey: string, iccid: string | undefined): Promise<Omit<InitResult, "identity" | "network">> {
  const base: ModemState["sim"] = iccid ? { status: "unknown", iccid } : { status: "unknown" };
  const cpin = await readCpin(ctx);
  if (typeof cpin !== "string") {
    const reason = cpin.absent ? "no SIM inserted" : "SIM failure";
    return { sim: { ...base, status: cpin.absent ? "absent" : "failure", detail: reason }, service: "sim-absent", refusal: { code: "SIM_NOT_READY", reason } };
  }
  const left = cpin === "SIM PIN" ? await attemptsLeft(ctx) : undefined;
  if (left !== undefined) base.pinAttemptsLeft = left;
  let record;
  let pin: string | undefined;
  try {
    record = ctx.pinStore.get(simKey);
    pin = cpin === "SIM PIN" ? readPin(ctx.pinSource, (m) => ctx.log.warn({ sim: simKey }, m)) : undefined;
  } catch (err) {
    const reason = `${(err as Error).message}; no PIN is sent`;
    return { sim: { ...base, status: "pin-blocked", detail: reason }, service: "sim-blocked", refusal: { code: "SIM_PIN_BLOCKED", reason } };
  }
  const decision = decidePin({ cpin, record, attemptsLeft: left, pinAvailable: pin !== undefined });
  switch (decision.action) {
    case "none":
      if (decision.clearRecord) ctx.pinStore.clear(simKey);
      return { sim: { ...base, status: "ready" }, service: "ready" };
    case "refuse": {
      if (decision.markRejected) ctx.pinStore.set(simKey, { status: "rejected", at: new Date().toISOString(), detail: decision.reason, modem: ctx.modemName });
      ctx.log[decision.code === "SIM_PIN_BLOCKED" ? "error" : "warn"]({ sim: simKey, code: decision.code, reason: decision.reason }, "SIM PIN not sent");
      const status = cpin === "SIM PUK" ? "puk-required" : decision.service === "sim-blocked" ? "pin-blocked" : "pin-required";
      return { sim: { ...base, status, detail: decision.reason }, service: decision.service, refusal: { code: decision.code, reason: decision.reason } };
    }
    case "enter":
      return enterPinOnce(ctx, simKey, base, pin!);
  }
}

async function enterPinOnce(ctx: InitContext, simKey: string, base: ModemState["sim"], pin: string): Promise<Omit<InitResult, "identity" | "network">> {
  // Durable before acting: the attempt is on disk before the PIN leaves, so a crash cannot cause a second try.
  ctx.pinStore.set(simKey, { status: "attempting", at: new Date().toISOString(), detail: "PIN sent, outcome not yet known", modem: ctx.modemName });
  ctx.log.warn({ sim: simKey }, "sending SIM PIN (one attempt)");
  try {
    await ctx.engine.execute(enterPin, { pin }, { ...initOpts(ctx), timeoutMs: 10_000 });
  } catch (err) {
    const cme = isGatewayError(err, "AT_CME_ERROR") ? Number(err.context["cme"]) : undefined;
    // 27.007 §9.2.1: 16 incorrect password, 12 SIM PUK required (that was the last attempt), 3 not allowed.
    if (cme !== undefined || isGatewayError(err, "AT_ERROR")) {
      const reason = `PIN rejected by the SIM (${(err as Error).message}); no PIN is sent again until an operator clears it`;
      ctx.pinStore.set(simKey, { status: "rejected", at: new Date().toISOString(), detail: reason, modem: ctx.modemName });
      ctx.log.error({ sim: simKey, cme }, "SIM PIN rejected");
      const left = await attemptsLeft(ctx).catch(() => undefined);
      return { sim: { ...base, status: "pin-blocked", detail: reason, ...(left !== undefined ? { pinAttemptsLeft: left } : {}) }, service: "sim-blocked", refusal: { code: "SIM_PIN_BLOCKED", reason } };
    }
    throw err; // timeout / link lost: the record stays "attempting" and the next init decides
  }
  ctx.pinStore.clear(simKey);
  ctx.log.info({ sim: simKey }, "SIM PIN accepted");
  const ready = await waitSimReady(ctx);
  if (!ready) throw new GatewayError("SIM_NOT_READY", "SIM accepted the PIN but did not become ready");
  return { sim: { ...base, status: "ready" }, service: "ready" };
}

/** Registration (both CS and EPS), operator and signal; each read may be refused on its own. */
export async function readNetworkStatus(engine: AtEngine, log: Logger, opts: ExecuteOptions): Promise<NonNullable<InitResult["network"]>> {
  const cs = await tolerate(log, "creg", engine.execute(readRegistration("CREG"), undefined, opts));
  const eps = await tolerate(log, "cereg", engine.execute(readRegistration("CEREG"), undefined, opts));
  const operator = await tolerate(log, "operator", engine.execute(readOperator, undefined, opts));
  const signal = await tolerate(log, "signal", engine.execute(readSignal, undefined, opts));
  const out: NonNullable<InitResult["network"]> = { registration: {} };
  if (cs) out.registration.cs = cs;
  if (eps) out.registration.eps = eps;
  if (operator) out.operator = operator;
  if (signal) out.signal = signal;
  return out;
}

/** The whole init; throws only when the modem does not answer as a modem should (the supervisor retries). */
export async function initialiseModem(ctx: InitContext): Promise<InitResult> {
  await runSteps(ctx, ctx.profile.init);
  const identity = await readIdentity(ctx);
  const kind = ctx.profile.sim.iccidCommand;
  const iccid = kind === "none" ? undefined : await tolerate(ctx.log, "iccid", ctx.engine.execute(readIccid(kind), undefined, initOpts(ctx)));
  // Without an ICCID the facts are kept per modem: stricter (any SIM in that modem), never looser.
  const simKey = iccid ?? `modem:${ctx.modemName}`;
  const sim = await checkSim(ctx, simKey, iccid);
  if (sim.service !== "ready") return { identity, ...sim };
  await runSteps(ctx, ctx.profile.sms.init);
  const network = await readNetworkStatus(ctx.engine, ctx.log, initOpts(ctx));
  return { identity, ...sim, network };
}
