import { sleep } from "../../src/shared/clock.js";
import { isGatewayError } from "../../src/shared/errors.js";
import type { Logger } from "../../src/shared/logger.js";
import type { AtEngine } from "../at/at-engine.js";
import { simpleCommand } from "../at/basic-commands.js";
import type { ModemProfile } from "./modem-profile.js";

/**
 * The modem's rung of the recovery ladder above the shared link supervisor (probe → init → reopen): when a
 * modem answers `AT` but init keeps failing, or sends keep failing for modem reasons (no network, SIM or ME
 * failure), it is reset with `AT+CFUN=1,1` (27.007 §8.2: full functionality, reset the MT first) — smstools3
 * blocks a modem after `blockafter` 3 errors, Kannel sends its `reset-string`. Gammu users found Huawei
 * modems that only recover that way (gammu #4). After the reset the modem restarts: its echo or silence
 * brings the supervisor back to init. Every reset is logged and counted; nothing gives up.
 */
export class ModemRecovery {
  private initFailures = 0;
  private sendFailures = 0;
  private resetting = false;
  private lastSendReset = -Infinity;
  /** Resets done since start (health detail, metrics). */
  resets = 0;

  constructor(
    private readonly deps: { engine: AtEngine; profile: ModemProfile; log: Logger; onReset: (reason: string) => void },
  ) {}

  initSucceeded(): void {
    this.initFailures = 0;
  }

  /** Init failed while the modem still answered; resets inside init (engine held) once the limit is reached. */
  async initFailed(err: unknown, signal: AbortSignal): Promise<void> {
    if (isGatewayError(err, ["LINK_LOST", "LINK_NOT_OPEN", "AT_ABORTED"])) return;
    this.initFailures++;
    if (this.initFailures < this.deps.profile.recovery.resetAfterFailures) return;
    this.initFailures = 0;
    await this.reset(`init failed ${this.deps.profile.recovery.resetAfterFailures} times (last: ${(err as Error).message})`, true, signal).catch(() => undefined);
  }

  /** A send finished: `ok` false for modem-level failures. Resets after the limit of consecutive ones. */
  sendResult(ok: boolean): void {
    if (ok) {
      this.sendFailures = 0;
      return;
    }
    this.sendFailures++;
    const { resetAfterFailures, minResetIntervalMs } = this.deps.profile.recovery;
    if (this.sendFailures < resetAfterFailures) return;
    this.sendFailures = 0;
    const now = performance.now();
    if (now - this.lastSendReset < minResetIntervalMs) {
      this.deps.log.warn({ sinceLastResetMs: Math.round(now - this.lastSendReset) }, "sends keep failing; modem was reset recently, not again yet");
      return;
    }
    this.lastSendReset = now;
    this.reset(`${this.deps.profile.recovery.resetAfterFailures} sends failed for modem reasons`, false).catch((err: unknown) => this.deps.log.warn({ err: (err as Error).message }, "modem reset failed"));
  }

  private async reset(reason: string, inInit: boolean, signal?: AbortSignal): Promise<void> {
    if (this.resetting) return;
    this.resetting = true;
    const { engine, profile, log } = this.deps;
    this.resets++;
    log.warn({ reason, command: profile.recovery.resetCommand, resets: this.resets }, "resetting modem");
    this.deps.onReset(reason);
    // Nothing else may reach a modem that is restarting: hold the queue (init holds it already).
    if (!inInit) engine.hold();
    try {
      await engine.execute(simpleCommand(profile.recovery.resetCommand, profile.at.commandTimeoutMs), undefined, {
        priority: "emergency",
        bypassHold: true,
        retries: 0,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      // Many modems drop the line or reboot before answering OK: not a failure of the reset.
      log.debug({ code: isGatewayError(err) ? err.code : undefined }, "no OK to the reset command");
    }
    try {
      await sleep(profile.recovery.resetSettleMs, signal);
    } finally {
      this.resetting = false;
    }
    // Outside init, tell the supervisor what happened so it probes and re-initialises (its trigger for a
    // restarted device), which releases the queue. Inside init, the failed init already makes it retry.
    if (!inInit) engine.emit("echo");
  }
}
