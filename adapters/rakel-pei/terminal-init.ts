import type { TerminalState } from "../../src/ports/radio-terminal.js";
import { GatewayError, isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import type { AtEngine, ExecuteOptions } from "../at/at-engine.js";
import { simpleCommand } from "../at/basic-commands.js";
import { infoText, readOwnIdentity, readRegistration, readSdsLimits, readSignal } from "./commands/identity.js";
import { readMode, readSelectedGroup } from "./commands/mode-and-group.js";
import type { TerminalProfile } from "./terminal-profile.js";
import { issiFromItsi } from "../../src/shared/addresses.js";

/**
 * Runs the profile's init script. Routing registrations (`AT+CTSP`) do not survive a terminal restart
 * (docs/pei.md §1.6, svxlink re-initialises on timeouts), so this runs after every open and every detected reboot.
 * `+CME ERROR: 38` to `AT+CTSP` means "already registered" and counts as success (docs/pei.md §1.3).
 * The steps run in `initOrder`: until the CTSP registrations are back, incoming SDS go to the radio's own
 * display and are lost to the gateway (docs/pei.md §10.21), so they come right after echo-off.
 */
export async function runInitScript(
  engine: AtEngine,
  profile: TerminalProfile,
  log: Logger,
  signal: AbortSignal,
  timeoutMs = profile.pei.commandTimeoutMs,
): Promise<{ refused: string[] }> {
  const opts: ExecuteOptions = { bypassHold: true, priority: "emergency", timeoutMs, signal };
  const refused: string[] = [];
  for (const step of initOrder(profile.init)) {
    try {
      await engine.execute(simpleCommand(step.command, timeoutMs), undefined, opts);
    } catch (err) {
      const alreadyRegistered = isGatewayError(err, "AT_CME_ERROR") && err.context["cme"] === 38 && /^AT\+CTSP=/i.test(step.command);
      if (alreadyRegistered) continue;
      if (step.optional && isGatewayError(err, ["AT_ERROR", "AT_CME_ERROR"])) {
        log.warn({ command: step.command, code: err.code, cme: err.context["cme"] }, "optional init step refused");
        refused.push(step.command);
        continue;
      }
      throw new GatewayError((err as GatewayError).code ?? "AT_ERROR", `init step ${step.command} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return { refused };
}

/**
 * The order init steps run in: echo-off (`ATE0`, so later answers are not mistaken for a restart sign) first,
 * then every `AT+CTSP` registration in profile order, then the rest (character set, `+CREG` reports, …)
 * in profile order. Shortens the window after a reboot in which the terminal routes SDS away from the PEI.
 */
export function initOrder<S extends { command: string }>(steps: readonly S[]): S[] {
  const rank = (s: S): number => (/^ATE0$/i.test(s.command) ? 0 : /^AT\+CTSP=/i.test(s.command) ? 1 : 2);
  return [...steps].sort((a, b) => rank(a) - rank(b)); // Array.prototype.sort is stable (ES2019)
}

/** True when the init script turned on unsolicited `+CREG` reports (`AT+CREG=1|2` in it and not refused). */
export function registrationReported(profile: TerminalProfile, refused: readonly string[]): boolean {
  return profile.init.some((s) => /^AT\+CREG=[12]$/i.test(s.command) && !refused.includes(s.command));
}

/**
 * Reads identity and state. Each query may be refused on some models or ports (a Motorola MTM800 behind
 * an Enhanced Control Head answers `+CME ERROR: 4` to identity queries, docs/pei.md §10.3): a refusal leaves
 * that field unknown; a timeout or lost link fails the whole read.
 */
export async function readTerminalState(engine: AtEngine, log: Logger, extra: ExecuteOptions): Promise<Omit<TerminalState, "callActive">> {
  const opts: ExecuteOptions = { priority: "operator", ...extra };
  // Only the identity must answer: a firmware that silently ignores a state query (AT+CSQ?, AT+CMGS=?)
  // would otherwise keep the terminal out of service for good; that field just stays unknown.
  const tolerate = async <T>(what: string, p: Promise<T>): Promise<T | undefined> => {
    try {
      return await p;
    } catch (err) {
      const silentOk = what !== "identity" && isGatewayError(err, "AT_TIMEOUT");
      if (silentOk || isGatewayError(err, ["AT_ERROR", "AT_CME_ERROR", "AT_BAD_RESPONSE"])) {
        log.debug({ what, code: err.code }, "terminal query refused");
        return undefined;
      }
      throw err;
    }
  };
  const own = await tolerate("identity", engine.execute(readOwnIdentity, undefined, opts));
  const manufacturer = await tolerate("manufacturer", engine.execute(infoText("AT+GMI"), undefined, opts));
  const model = await tolerate("model", engine.execute(infoText("AT+GMM"), undefined, opts));
  const firmware = await tolerate("firmware", engine.execute(infoText("AT+GMR"), undefined, opts));
  const registration = await tolerate("registration", engine.execute(readRegistration, undefined, opts));
  const signal = await tolerate("signal", engine.execute(readSignal, undefined, opts));
  const mode = await tolerate("mode", engine.execute(readMode, undefined, opts));
  const selectedGroup = await tolerate("group", engine.execute(readSelectedGroup, undefined, opts));
  const limits = await tolerate("limits", engine.execute(readSdsLimits, undefined, opts));
  const state: Omit<TerminalState, "callActive"> = { identity: {} };
  if (own) state.identity = { itsi: own.itsi, issi: issiFromItsi(own.itsi) };
  if (manufacturer) state.identity.manufacturer = manufacturer;
  if (model) state.identity.model = model;
  if (firmware) state.identity.firmware = firmware;
  if (registration) state.registration = registration;
  if (signal) state.signal = signal;
  if (mode) state.mode = mode;
  if (selectedGroup !== undefined) state.selectedGroup = selectedGroup;
  if (limits) state.maxSdsBits = limits.maxBits;
  return state;
}
