import { GatewayError, isGatewayError, type ErrorCode } from "../shared/errors.js";

/**
 * CLI conventions (docs/mqtt-interface.md): human output by default, one JSON document (or JSON lines for
 * streams) with --json; exit 0 success, 1 the operation found a problem, 2 could not run; errors on stderr
 * as one line `error <CODE>: <what happened> (<what to do>)`.
 */
export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_CANNOT_RUN = 2;

/** Thrown by commands to end with exit code 1 after printing their own result. */
export class ProblemExit extends Error {
  constructor(readonly summary: string) {
    super(summary);
  }
}

const ADVICE: Partial<Record<ErrorCode, string>> = {
  AT_TIMEOUT: "check the cable, the baud rate (--baud), and that the device's serial interface is enabled (a terminal's PEI in its codeplug)",
  AT_CME_ERROR: "see the +CME ERROR table in the README; 42 means busy, try again",
  AT_ERROR: "the terminal refused the command; check the terminal profile (--profile)",
  AT_UNSAFE_ARGUMENT: "use only the characters the field allows",
  LINK_OPEN_FAILED: "check the device path (or host and port), that no other program holds it, and your permissions (group dialout)",
  LINK_NOT_OPEN: "the device did not answer; check power, cable, --baud and --profile",
  LINK_LOST: "the device disappeared; check the cable and power",
  SDS_INVALID: "fix the message or the address",
  SDS_SEND_FAILED: "the terminal could not transmit; check registration and coverage",
  SDS_DELIVERY_FAILED: "the destination reported failure; check the ISSI and that it is switched on",
  SDS_REPORT_TIMEOUT: "no delivery report arrived in time; the message may still arrive (raise --wait)",
  CFG_INVALID: "fix the file as listed",
  CLI_USAGE: "see --help",
  SIM_PIN_BLOCKED: "check the PIN, then clear the block with `rakelgw modem pin-clear --iccid <ICCID>`; the gateway never retries a rejected PIN",
  SIM_PIN_REQUIRED: "put the PIN in a file (--pin-file, mode 600) or a variable (--pin-env, default RAKELGW_SIM_PIN)",
  SIM_NOT_READY: "check that a working SIM is inserted",
  SMS_MODEM_NOT_READY: "see `rakelgw modem info`; the SIM or the network is not usable",
  SMS_INVALID: "the recipient is an optional + and 3-20 digits; shorten the text if it needs too many parts",
  SMS_REJECTED: "the network refused this message; check the number and the subscription",
  SMS_SEND_FAILED: "check registration and signal with `rakelgw modem info`, then try again",
  SMS_DELIVERY_FAILED: "the network could not deliver it; check the number and that the phone is on",
  SMS_REPORT_TIMEOUT: "no status report in time; the message may still arrive (raise --wait)",
  SMS_QUEUE_EXPIRED: "the modem stayed unavailable; check the cable and `rakelgw modem info`",
  STORE_CORRUPT: "fix or remove the state file named above",
  STORE_WRITE_FAILED: "check --store (or the state directory) and the free disk space",
  TG_CALL_ACTIVE: "wait until the call has ended, then run the check again",
  TG_CHECK_INCOMPLETE: "see the report; run it again or check the named groups on the terminal's front panel",
  TG_UNKNOWN_TERMINAL: "see `rakelgw health` or the gateway configuration for the terminal ids",
  CFG_UNKNOWN_TARGET: "use one of the ids listed",
  AT_ABORTED: "nothing more was sent; a message already accepted by the terminal may still go out",
  MQTT_AUTH_FILE_INVALID: "fix the users or ACL file at the line named; `rakelgw users list --file F` reads it",
  MQTT_NO_SUCH_USER: "see `rakelgw users list --file F`",
  MQTT_BROKER_FAILED: "check that the listener ports are free and the state directory is writable",
  MQTT_NOT_CONNECTED: "check that the daemon runs, the broker URL (--mqtt or --config) and the credentials; the embedded broker may be restarting: try again in a few seconds",
  ALERT_NOT_FOUND: "see `rakelgw alert list`",
  ALERT_NOT_ACTIVE: "the alert has ended; start a new one",
  ALERT_BAD_RECIPIENTS: "use role:/person: ids from the roster (`rakelgw roster export`) or issi:/gssi:/msisdn: addresses",
  ALERT_NOT_RECIPIENT: "the person must be on the alert (see `rakelgw alert status`)",
  STORE_FULL: "free disk space in the state directory (old archive files, logs); nothing was accepted",
  STORE_LOCKED: "another gateway runs on this state directory; stop it or give this one its own stateDir",
  SIP_UNKNOWN_CONFERENCE: "use one of the conference ids of the site configuration (`rakelgw conference status`)",
  SIP_CONFERENCE_LIMIT: "leave a conference first, or raise sip.maxConferences",
  SIP_AGENT_DOWN: "see links/sip-… on MQTT; check that baresip is installed (apt-get install baresip-core)",
  SIP_PIN_UNAVAILABLE: "check the PIN file or environment variable named in the conference's configuration",
};

export function errorLine(err: unknown): { line: string; exitCode: number } {
  if (isGatewayError(err)) {
    const what = err.message.replace(/\s+/g, " ").trim();
    // SMS_MODEM_NOT_READY carries the SIM's own refusal (SIM_PIN_BLOCKED, …), whose advice is the useful one.
    const refusal = err.context["refusal"] as ErrorCode | undefined;
    const advice = (refusal && ADVICE[refusal]) ?? ADVICE[err.code] ?? "run again with --log-level debug to see what happened";
    return { line: `error ${err.code}: ${what}${what.endsWith(")") ? "" : ` (${advice})`}`, exitCode: EXIT_CANNOT_RUN };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { line: `error INTERNAL: ${msg.replace(/\s+/g, " ")} (please report this with the log)`, exitCode: EXIT_CANNOT_RUN };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + "\n");
}

export function usage(message: string): GatewayError {
  return new GatewayError("CLI_USAGE", message);
}

/** Parses an integer option strictly (no "12abc", no floats). */
export function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw usage(`${name} must be an integer, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw usage(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A value for human output: strings and numbers as they are, anything else as JSON. */
export function display(v: unknown): string {
  if (v === null || v === undefined) return "unknown";
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}
